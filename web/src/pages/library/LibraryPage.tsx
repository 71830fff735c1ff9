import type { UserInfo } from '../../api/client';
import { PageHeader } from '../../components/status';

export function LibraryPage(_props: { user: UserInfo }) {
  return <PageHeader title="Library" />;
}

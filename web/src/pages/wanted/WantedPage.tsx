import type { UserInfo } from '../../api/client';
import { PageHeader } from '../../components/status';

export function WantedPage(_props: { user: UserInfo }) {
  return <PageHeader title="Wanted" />;
}

import type { UserInfo } from '../../api/client';
import { PageHeader } from '../../components/status';

export function UsersPage(_props: { user: UserInfo }) {
  return <PageHeader title="Users" />;
}

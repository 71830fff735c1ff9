import type { UserInfo } from '../../api/client';
import { PageHeader } from '../../components/status';

export function ItemPage(_props: { user: UserInfo }) {
  return <PageHeader title="Item" />;
}

import type { UserInfo } from '../../api/client';
import { PageHeader } from '../../components/status';

export function SettingsPage(_props: { user: UserInfo }) {
  return <PageHeader title="Settings" />;
}

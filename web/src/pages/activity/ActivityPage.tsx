import { PageHeader } from '../../components/status';

export function ActivityPage() {
  return <PageHeader title="Activity" />;
}

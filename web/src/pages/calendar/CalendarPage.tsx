import { PageHeader } from '../../components/status';

export function CalendarPage() {
  return <PageHeader title="Calendar" />;
}

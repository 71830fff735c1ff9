import { PageHeader } from '../../components/status';

/**
 * The server's /api/calendar places wanted items on made-up dates (the legacy behaviour), so this
 * page shows no calendar until release dates come from the metadata services.
 */
export function CalendarPage() {
  return (
    <section>
      <PageHeader title="Calendar" />
      <p className="notice">
        No release dates are known yet: MediaOS does not fetch air or release dates from the metadata services, so there is nothing real to put on a calendar.
        Wanted items and their searches are on the Wanted page.
      </p>
    </section>
  );
}

import type { WantedItem, WantedLastScan } from '../wanted/wanted.types.js';
import { wantedKey } from '../wanted/wanted.types.js';

export interface CalendarEvent {
  date: string;
  day: string;
  key: string;
  title: string;
  kind: string;
  itemId: string;
  daysUntil: number;
  lastScan: WantedLastScan | null;
}

const DAY_MS = 86_400_000;
export const CALENDAR_EVENTS = 10;

/**
 * The legacy calendar (API.md §5), kept as it was: SYNTHETIC. There are no air or release dates
 * anywhere in MediaOS data; the first 10 wanted items are simply placed at now+1 ... now+10 days
 * so the calendar page has something to show. `start`/`end` query parameters are ignored.
 */
export function buildCalendar(wanted: WantedItem[], now: Date): { events: CalendarEvent[] } {
  const events = wanted.slice(0, CALENDAR_EVENTS).map((item, i) => {
    const date = new Date(now.getTime() + (i + 1) * DAY_MS).toISOString();
    return {
      date,
      day: date.slice(0, 10),
      key: wantedKey(item),
      title: item.title,
      kind: item.kind,
      itemId: item.id,
      daysUntil: i + 1,
      lastScan: item.lastScan ?? null,
    };
  });
  return { events };
}

import { describe, expect, it } from 'vitest';
import { buildCalendar } from '../../src/calendar/calendar.service.js';

describe('calendar (synthetic)', () => {
  it('places the first 10 wanted items at now+1..10 days', () => {
    const wanted = Array.from({ length: 12 }, (_, i) => ({ id: `i${i}`, title: `T${i}`, kind: i % 2 ? 'movies' : 'series' }));
    const now = new Date('2025-12-31T23:30:00.000Z');
    const { events } = buildCalendar(wanted, now);
    expect(events).toHaveLength(10);
    expect(events[0]).toEqual({
      date: '2026-01-01T23:30:00.000Z',
      day: '2026-01-01',
      key: 'series:i0',
      title: 'T0',
      kind: 'series',
      itemId: 'i0',
      daysUntil: 1,
      lastScan: null,
    });
    expect(events.map((e) => e.daysUntil)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(buildCalendar([], now)).toEqual({ events: [] });
  });
});

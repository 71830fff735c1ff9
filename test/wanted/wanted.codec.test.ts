import { describe, expect, it } from 'vitest';
import { legacyWantedItemSchema, type WantedRow, wantedItemFromRow, wantedItemToRow, wantedRowId } from '../../src/wanted/wanted.codec.js';
import type { WantedItem } from '../../src/wanted/wanted.types.js';

const roundTrip = (r: WantedItem) => wantedItemFromRow(wantedItemToRow(r, undefined, 3) as WantedRow);

const samples: WantedItem[] = [
  {
    id: 'm3x8k2p1q9z4fa',
    title: 'Heat',
    kind: 'movies',
    addedAt: '2024-12-01T10:00:00.000Z',
    lastScan: { at: '2024-12-01T10:15:00.000Z', found: 2, grabbed: 0 },
  },
  { id: 'x', title: 'No added', kind: 'movie' },
  { id: 'y', title: 'Odd', kind: 'books', addedAt: '', lastScan: null as unknown as WantedItem['lastScan'], note: 'kept', n: [1] },
  { id: 'z', title: '🎵 Ame\u0301lie', kind: 'weird:kind', addedAt: 5 as unknown as string, lastScan: 'x' as unknown as WantedItem['lastScan'] },
];

describe('wanted codec', () => {
  it.each(samples.map((s) => [s.id, s]))('round-trips %s', (_n, item) => {
    expect(legacyWantedItemSchema.safeParse(item).success).toBe(true);
    expect(roundTrip(item)).toStrictEqual(item);
  });

  it('maps columns', () => {
    const row = wantedItemToRow(samples[0], undefined, 7);
    expect(row).toMatchObject({
      item_id: 'm3x8k2p1q9z4fa',
      kind: 'movies',
      position: 7,
      added_at: '2024-12-01T10:00:00.000Z',
      last_search_at: '2024-12-01T10:15:00.000Z',
      metadata: null,
      library_item_id: null,
    });
    expect(row.id).toMatch(/^[0-9a-f]{32}$/);
    expect(row.id).toBe(wantedRowId('movies', 'm3x8k2p1q9z4fa'));
    expect(wantedRowId('movie', 'm3x8k2p1q9z4fa')).not.toBe(row.id);
    expect(wantedItemToRow(samples[1]).added_at).toBe('');
  });

  it('rejects records the importer must quarantine', () => {
    expect(legacyWantedItemSchema.safeParse({ id: 'a', title: 'b' }).success).toBe(false);
    expect(legacyWantedItemSchema.safeParse({ id: 1, title: 'b', kind: 'x' }).success).toBe(false);
  });
});

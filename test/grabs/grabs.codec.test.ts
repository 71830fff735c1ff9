import { describe, expect, it } from 'vitest';
import { grabFromRow, grabToRow, type LegacyGrabRecord, legacyGrabSchema, legacyGrabsFileSchema } from '../../src/grabs/grabs.codec.js';
import { createGrabsSql } from '../../src/grabs/grabs.sql.js';
import { createTestDatabase, sqlEngines } from '../helpers/engines.js';

// FORMATS.md §3.8 example plus the odd shapes a real directory holds.
const ENTRIES: [string, LegacyGrabRecord][] = [
  [
    'movie:m3x8k2p1q9z4fa',
    {
      kind: 'movie',
      id: 'm3x8k2p1q9z4fa',
      title: 'Heat.1995.1080p.BluRay.x264',
      link: 'magnet:?xt=urn:btih:0123456789abcdef0123456789abcdef01234567',
      protocol: 'torrent',
      client: 'qbittorrent',
      ok: true,
      status: 200,
      at: '2024-12-01T10:20:00.000Z',
    },
  ],
  [
    'movie:nzbtest',
    {
      kind: 'movie',
      id: 'nzbtest',
      title: 'Some.Release',
      link: null,
      protocol: 'usenet',
      client: 'sabnzbd',
      ok: false,
      status: 'stored',
      at: '2024-12-01T10:21:00.000Z',
      nzbUpload: { filename: 'rel.nzb', mimetype: 'application/x-nzb', base64: 'PG56Yi8+', size: 6 },
    },
  ],
  [
    ':',
    {
      kind: '',
      id: '',
      title: 'Empty',
      link: 'http://x/y.nzb',
      protocol: 'usenet',
      client: 'sabnzbd',
      ok: true,
      status: 200,
      at: '2024-12-01T10:22:00.000Z',
      category: 'tv',
    },
  ],
  [
    'movies:a:b:c',
    {
      kind: 'movies',
      id: 'a:b:c',
      title: 'Colons',
      link: 'magnet:?xt=1',
      protocol: 'torrent',
      client: 'qbittorrent',
      ok: false,
      at: '2024-12-01T10:23:00.000Z',
    },
  ],
  // missing kind/id/link, wrong types, unknown keys, explicit null status
  ['book:x', { title: 'No kind', ok: 'yes', status: null, at: 12345, extraKey: { a: [1] } }],
  ['series:y', { kind: 7, id: null, link: 5, title: 'Ünïcødé  title ', protocol: 'usenet', client: 'usenet', status: 'queued' }],
  ['music:z', {}],
];

describe('grabs codec', () => {
  it('round-trips every record exactly', () => {
    ENTRIES.forEach(([key, r], i) => {
      expect(legacyGrabSchema.safeParse(r).success).toBe(true);
      const row = grabToRow(key, r, i);
      expect(row.key).toBe(key);
      expect(row.position).toBe(i);
      expect(grabFromRow(row as never)).toStrictEqual(r);
    });
  });

  it('maps record kind/id to columns and falls back to the key split on the first colon', () => {
    expect(grabToRow('movies:a:b:c', ENTRIES[3][1], 0)).toMatchObject({ kind: 'movies', item_id: 'a:b:c' });
    const row = grabToRow('book:x:1', {}, 0);
    expect(row).toMatchObject({ kind: 'book', item_id: 'x:1', link: null });
    expect(JSON.parse(row.extra as string)).toEqual({ $absent: ['kind', 'id', 'link'] });
    expect(grabToRow('nocolon', {}, 0)).toMatchObject({ kind: 'nocolon', item_id: '' });
    expect(grabFromRow(grabToRow('nocolon', {}, 0) as never)).toStrictEqual({});
    const nul = grabToRow('movie:n', { kind: 'movie', id: 'n', link: null }, 0);
    expect(nul.link).toBeNull();
    expect(nul.extra).toBeNull();
  });

  it('quarantines records that are not objects', () => {
    expect(legacyGrabSchema.safeParse('x').success).toBe(false);
    expect(legacyGrabSchema.safeParse(null).success).toBe(false);
    expect(legacyGrabsFileSchema.safeParse([]).success).toBe(false);
  });
});

for (const engine of sqlEngines()) {
  describe(`grabs codec through the database (${engine})`, () => {
    it('stores rows that read back to the same records, in file order', async () => {
      const t = await createTestDatabase(engine);
      try {
        const sql = createGrabsSql(t.db.kysely, t.db.engine);
        await sql.insertRows(ENTRIES.map(([k, r], i) => grabToRow(k, r, i)));
        const list = await sql.list();
        expect(list.map((e) => e.key)).toEqual(ENTRIES.map(([k]) => k));
        list.forEach((e, i) => {
          expect(e.record).toStrictEqual(ENTRIES[i][1]);
        });
        expect(await sql.count()).toBe(ENTRIES.length);
      } finally {
        await t.cleanup();
      }
    });
  });
}

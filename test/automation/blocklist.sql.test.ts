import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBlocklistSql } from '../../src/automation/blocklist.sql.js';
import { createTestDatabase, sqlEngines, type TestDatabase } from '../helpers/engines.js';

for (const engine of sqlEngines()) {
  describe(`blocklist (${engine})`, () => {
    let t: TestDatabase;
    beforeAll(async () => {
      t = await createTestDatabase(engine);
    });
    afterAll(async () => t.cleanup());

    it('adds, lists, matches by title, guid or link, and removes', async () => {
      const b = createBlocklistSql(t.db.kysely);
      const a = await b.add({ title: 'Alien.1979.720p.BluRay.x264-SiNNERS', reason: 'download failed', protocol: 'torrent', indexer: 'Good' });
      const g = await b.add({ title: 'Other.Title', guid: 'https://x/details/9' });
      await b.add({ title: 'Third', link: 'magnet:?xt=urn:btih:abc' });
      expect(a).toEqual({
        id: expect.stringMatching(/^[0-9a-f]{32}$/),
        title: 'Alien.1979.720p.BluRay.x264-SiNNERS',
        reason: 'download failed',
        protocol: 'torrent',
        indexer: 'Good',
        createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      });
      expect((await b.list()).map((e) => e.title).sort()).toEqual(['Alien.1979.720p.BluRay.x264-SiNNERS', 'Other.Title', 'Third']);
      const candidates = [
        { title: 'Alien.1979.720p.BluRay.x264-SiNNERS' },
        { title: 'Renamed', guid: 'https://x/details/9' },
        { title: 'Relinked', link: 'magnet:?xt=urn:btih:abc' },
        { title: 'Alien.1979.1080p.BluRay.x264-AMIABLE', guid: 'https://x/details/1', link: 'magnet:?xt=urn:btih:def' },
      ];
      const m = await b.matcher(candidates);
      expect(candidates.map(m)).toEqual([true, true, true, false]);
      expect(await b.remove(g.id)).toBe(true);
      expect(await b.remove(g.id)).toBe(false);
      expect(candidates.map(await b.matcher(candidates))).toEqual([true, false, true, false]);
      const many = Array.from({ length: 900 }, (_, i) => ({ title: `T${i}`, guid: `g${i}` }));
      expect(many.some(await b.matcher(many))).toBe(false);
    });
  });
}

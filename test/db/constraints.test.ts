import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fromBool, fromJson, toJson } from '../../src/db/json.js';
import { createTestDatabase, sqlEngines, type TestDatabase } from '../helpers/engines.js';

for (const engine of sqlEngines()) {
  describe(`schema constraints on ${engine}`, () => {
    let t: TestDatabase;
    beforeEach(async () => {
      t = await createTestDatabase(engine);
    });
    afterEach(async () => t.cleanup());

    const user = (id: string, role = 'admin') => ({ id, email: `${id}@x.io`, email_lower: `${id}@x.io`, password_hash: 'h', role: role as 'admin' });
    const item = (id: string, title: string, kind = 'movie') => ({
      id,
      kind: kind as 'movie',
      title,
      title_lower: title.toLowerCase(),
      search_text: title.toLowerCase(),
    });

    it('rejects a bad role, kind and status', async () => {
      const k = t.db.kysely;
      await expect(k.insertInto('users').values(user('u1', 'root')).execute()).rejects.toThrow(/check/i);
      await expect(
        k
          .insertInto('library_items')
          .values(item('i1', 'Heat', 'podcast'))
          .execute(),
      ).rejects.toThrow(/check/i);
      await expect(
        k
          .insertInto('wanted_items')
          .values({ id: 'w1', item_id: 'x', title: 'T', kind: 'movie', position: 0, status: 'lost' as 'wanted' })
          .execute(),
      ).rejects.toThrow(/check/i);
      await expect(
        k
          .insertInto('verify_jobs')
          .values({ id: 'j1', item_id: 'x', kind: 'movie', title: 'T', phase: 'all', status: 'done' as 'pending' })
          .execute(),
      ).rejects.toThrow(/check/i);
      await expect(
        k
          .insertInto('downloaders')
          .values({ id: 'x', client_type: 'transmission' as 'qbittorrent', enabled: true })
          .execute(),
      ).rejects.toThrow(/check/i);
    });

    it('keeps (kind, lower(title)) unique like legacy, but allows the same title in another kind', async () => {
      const k = t.db.kysely;
      await k.insertInto('library_items').values(item('i1', 'Heat')).execute();
      await expect(k.insertInto('library_items').values(item('i2', 'HEAT')).execute()).rejects.toThrow(/unique/i);
      await expect(k.insertInto('library_items').values(item('i1', 'Other')).execute()).rejects.toThrow(/unique/i);
      await k
        .insertInto('library_items')
        .values(item('i3', 'Heat', 'book'))
        .execute();
      const n = await k
        .selectFrom('library_items')
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow();
      expect(Number(n.n)).toBe(2);
    });

    it('cascades verify jobs with their library item and unlinks wanted items from it', async () => {
      const k = t.db.kysely;
      // sessions may belong to a user who lives only in users.json (phase files): no foreign key since 0002
      await k.insertInto('sessions').values({ id: 's2', user_id: 'only-in-files', token_hash: 't', expires_at: '2099-01-01T00:00:00.000Z' }).execute();
      await expect(
        k.insertInto('verify_jobs').values({ id: 'j0', library_item_id: 'missing', item_id: 'x', kind: 'movie', title: 'T', phase: 'all' }).execute(),
      ).rejects.toThrow(/foreign key/i);

      await k.insertInto('library_items').values(item('i1', 'Heat')).execute();
      await k.insertInto('wanted_items').values({ id: 'w1', library_item_id: 'i1', item_id: 'i1', title: 'Heat', kind: 'movies', position: 0 }).execute();
      await k.insertInto('verify_jobs').values({ id: 'j1', library_item_id: 'i1', item_id: 'i1', kind: 'movie', title: 'Heat', phase: 'all' }).execute();
      await k.deleteFrom('library_items').where('id', '=', 'i1').execute();
      const w = await k.selectFrom('wanted_items').select(['id', 'library_item_id', 'item_id']).execute();
      expect(w).toEqual([{ id: 'w1', library_item_id: null, item_id: 'i1' }]);
      expect(await k.selectFrom('verify_jobs').select('id').execute()).toEqual([]);
    });

    it('sets created_at as ISO-8601 UTC with milliseconds and bumps updated_at on update', async () => {
      const k = t.db.kysely;
      await k
        .insertInto('users')
        .values({ ...user('u1'), updated_at: '2020-01-01T00:00:00.000Z' })
        .execute();
      const before = await k.selectFrom('users').select(['created_at', 'updated_at']).executeTakeFirstOrThrow();
      expect(before.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      expect(before.updated_at).toBe('2020-01-01T00:00:00.000Z');
      await k.updateTable('users').set({ role: 'user' }).where('id', '=', 'u1').execute();
      const after = await k.selectFrom('users').select(['updated_at']).executeTakeFirstOrThrow();
      expect(after.updated_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      expect(after.updated_at > '2020-01-01T00:00:00.000Z').toBe(true);
      // an explicit updated_at (e.g. an imported legacy value) is kept
      await k.updateTable('users').set({ updated_at: '2021-05-05T05:05:05.005Z' }).where('id', '=', 'u1').execute();
      expect((await k.selectFrom('users').select('updated_at').executeTakeFirstOrThrow()).updated_at).toBe('2021-05-05T05:05:05.005Z');
    });

    it('round-trips booleans, JSON and 64-bit sizes the same way on both engines', async () => {
      const k = t.db.kysely;
      await k
        .insertInto('downloaders')
        .values({ id: 'qbittorrent', client_type: 'qbittorrent', enabled: true, config: toJson({ a: [1, 'é'] }) })
        .execute();
      await k
        .insertInto('library_items')
        .values({ ...item('i1', 'Heat'), file_size: 9876543210, metadata: toJson('a string value') })
        .execute();
      const d = await k.selectFrom('downloaders').select(['enabled', 'config']).executeTakeFirstOrThrow();
      expect(fromBool(d.enabled)).toBe(true);
      expect(fromJson(d.config)).toEqual({ a: [1, 'é'] });
      const i = await k.selectFrom('library_items').select(['file_size', 'metadata', 'seq']).executeTakeFirstOrThrow();
      expect(i.file_size).toBe(9876543210);
      expect(fromJson(i.metadata)).toBe('a string value');
      expect(typeof i.seq).toBe('number');
      if (engine === 'sqlite') {
        await expect(sql`insert into settings (key, value) values ('x', 'not json')`.execute(k)).rejects.toThrow(/check/i);
      } else {
        await expect(sql`insert into settings (key, value) values ('x', 'not json')`.execute(k)).rejects.toThrow(/json/i);
      }
    });
  });
}

import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { type Kysely, sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/connect.js';
import { type Migration, migrations } from '../../src/db/migrations/index.js';
import { migrateDown, migrateTo, migrateToLatest, migrationStatus } from '../../src/db/migrator.js';
import { catalog } from '../helpers/catalog.js';
import { createTestDatabase, sqlEngines, type TestDatabase } from '../helpers/engines.js';

const latest = migrations[migrations.length - 1].version;

describe('migrations are all listed', () => {
  it('every file in src/db/migrations is in the static list, in order', () => {
    const files = readdirSync(new URL('../../src/db/migrations/', import.meta.url))
      .filter((f) => /^\d{4}_.+\.ts$/.test(f))
      .map((f) => f.replace(/\.ts$/, ''))
      .sort();
    expect(migrations.map((m) => m.name)).toEqual(files);
    expect(migrations.map((m) => m.version)).toEqual(files.map((f) => Number(f.slice(0, 4))));
  });
});

for (const engine of sqlEngines()) {
  describe(`migrations on ${engine}`, () => {
    let t: TestDatabase;
    afterEach(async () => t?.cleanup());

    it('up -> down to 0 -> up again gives the same catalog', async () => {
      t = await createTestDatabase(engine, { migrate: false });
      expect((await migrationStatus(t.db)).current).toBe(0);
      const first = await migrateToLatest(t.db);
      expect(first.error).toBeUndefined();
      expect(first.results.map((r) => r.status)).toEqual(migrations.map(() => 'applied'));
      const upCatalog = await catalog(t.db);
      expect(upCatalog.length).toBeGreaterThan(30);

      const down = await migrateTo(t.db, 0);
      expect(down.error).toBeUndefined();
      expect(await catalog(t.db)).toEqual([]);
      expect((await migrationStatus(t.db)).current).toBe(0);

      await migrateToLatest(t.db);
      expect(await catalog(t.db)).toEqual(upCatalog);
      const status = await migrationStatus(t.db);
      expect(status.current).toBe(latest);
      expect(status.pending).toEqual([]);
    });

    it('migrate down goes one step and migrating again is a no-op', async () => {
      t = await createTestDatabase(engine);
      const again = await migrateToLatest(t.db);
      expect(again.results).toEqual([]);
      const down = await migrateDown(t.db);
      expect(down.results.map((r) => [r.name, r.status])).toEqual([[migrations[migrations.length - 1].name, 'reverted']]);
      expect((await migrationStatus(t.db)).current).toBe(migrations[migrations.length - 2].version);
    });

    it('a failing migration leaves schema and data exactly as before and names itself', async () => {
      t = await createTestDatabase(engine);
      await t.db.kysely.insertInto('users').values({ id: 'u1', email: 'a@b.c', email_lower: 'a@b.c', password_hash: 'x', role: 'admin' }).execute();
      const before = await catalog(t.db);
      const broken: Migration = {
        version: latest + 1,
        name: `${String(latest + 1).padStart(4, '0')}_broken`,
        async up(db: Kysely<any>) {
          await sql`create table half_done (id text)`.execute(db);
          await sql`insert into users (id, email, email_lower, password_hash, role) values ('u2', 'x@y.z', 'x@y.z', 'x', 'admin')`.execute(db);
          await sql`alter table users add column nope text`.execute(db);
          await sql`select * from table_that_does_not_exist`.execute(db);
        },
        async down() {},
      };
      const out = await migrateToLatest(t.db, { migrations: [...migrations, broken] });
      expect(out.error).toMatch(/_broken \(up\) failed/);
      expect(out.results.at(-1)).toMatchObject({ name: broken.name, status: 'failed' });
      expect(await catalog(t.db)).toEqual(before);
      const users = await t.db.kysely.selectFrom('users').select('id').execute();
      expect(users.map((u) => u.id)).toEqual(['u1']);
      expect((await migrationStatus(t.db)).current).toBe(latest);
    });

    it('0004 rebuilds the library table keeping rows, links, search and the title rule', async () => {
      t = await createTestDatabase(engine);
      await migrateTo(t.db, 3);
      const k = t.db.kysely;
      await k
        .insertInto('library_items')
        .values([
          { id: 'a', kind: 'movie', title: 'Amélie', title_lower: 'amélie', search_text: 'amelie' },
          { id: 'b', kind: 'series', title: 'The Wire', title_lower: 'the wire', search_text: 'the wire' },
        ] as never)
        .execute();
      await k
        .insertInto('wanted_items')
        .values({ id: 'w1', item_id: 'a', library_item_id: 'a', kind: 'movie', title: 'Amélie', position: 0 } as never)
        .execute();
      const before = await k.selectFrom('library_items').selectAll().orderBy('seq').execute();
      const out = await migrateToLatest(t.db);
      expect(out.error).toBeUndefined();
      expect(await k.selectFrom('library_items').selectAll().orderBy('seq').execute()).toEqual(before);
      expect((await k.selectFrom('wanted_items').select('library_item_id').execute())[0]!.library_item_id).toBe('a');
      await expect(
        k
          .insertInto('library_items')
          .values({ id: 'c', kind: 'movie', title: 'AMÉLIE', title_lower: 'amélie', search_text: 'amelie' } as never)
          .execute(),
      ).rejects.toThrow();
      if (engine === 'sqlite') {
        const hits = await sql<{ rowid: number }>`select rowid from library_items_fts where library_items_fts match 'amel*'`.execute(k);
        expect(hits.rows.map((r) => r.rowid)).toEqual([before[0]!.seq]);
        expect((await sql<{ foreign_keys: number }>`pragma foreign_keys`.execute(k)).rows[0]!.foreign_keys).toBe(1);
      }
      // a library delete still unlinks (SET NULL), as before
      await k.deleteFrom('library_items').where('id', '=', 'a').execute();
      expect((await k.selectFrom('wanted_items').select('library_item_id').execute())[0]!.library_item_id).toBeNull();
    });

    if (engine === 'sqlite') {
      it('a table rebuild that loses parents fails and changes nothing; older violations do not block it', async () => {
        t = await createTestDatabase(engine);
        const k = t.db.kysely;
        await k
          .insertInto('library_items')
          .values({ id: 'a', kind: 'movie', title: 'A', title_lower: 'a', search_text: 'a' } as never)
          .execute();
        await k
          .insertInto('wanted_items')
          .values({ id: 'w1', item_id: 'a', library_item_id: 'a', kind: 'movie', title: 'A', position: 0 } as never)
          .execute();
        // a violation already there (written with foreign keys off) is not this migration's doing
        t.db.sqlite!.pragma('foreign_keys = OFF');
        await k
          .insertInto('wanted_items')
          .values({ id: 'w2', item_id: 'gone', library_item_id: 'gone', kind: 'movie', title: 'B', position: 1 } as never)
          .execute();
        t.db.sqlite!.pragma('foreign_keys = ON');
        const before = await catalog(t.db);
        const lossy: Migration = {
          version: latest + 1,
          name: `${String(latest + 1).padStart(4, '0')}_lossy_rebuild`,
          disableForeignKeys: true,
          async up(db: Kysely<any>) {
            await sql`delete from library_items`.execute(db); // no SET NULL with foreign keys off
          },
          async down() {},
        };
        const out = await migrateToLatest(t.db, { migrations: [...migrations, lossy] });
        expect(out.error).toMatch(/_lossy_rebuild \(up\) failed: foreign key check failed: 1 row\(s\) lost their parent, first: wanted_items/);
        expect(await catalog(t.db)).toEqual(before);
        expect((await k.selectFrom('library_items').select('id').execute()).map((r) => r.id)).toEqual(['a']);
        const harmless: Migration = { ...lossy, name: `${String(latest + 1).padStart(4, '0')}_harmless`, async up() {} };
        expect((await migrateToLatest(t.db, { migrations: [...migrations, harmless] })).error).toBeUndefined();
        expect(t.db.sqlite!.pragma('foreign_keys', { simple: true })).toBe(1);
      });
    }

    it('dry run prints the SQL and changes nothing', async () => {
      t = await createTestDatabase(engine, { migrate: false });
      const out = await migrateToLatest(t.db, { dryRun: true });
      expect(out.error).toBeUndefined();
      expect(out.results[0].status).toBe('dry-run');
      expect(out.results[0].sql!.join('\n')).toMatch(/CREATE TABLE users/);
      expect(await catalog(t.db)).toEqual([]);
      expect((await migrationStatus(t.db)).current).toBe(0);
    });

    it('refuses to run on a database migrated by a newer build', async () => {
      t = await createTestDatabase(engine);
      await t.db.kysely.insertInto('schema_migrations').values({ version: 999, name: '0999_future', applied_at: new Date().toISOString() }).execute();
      const out = await migrateToLatest(t.db);
      expect(out.error).toMatch(/newer version/);
      expect((await migrationStatus(t.db)).unknown).toEqual([999]);
    });

    it('rejects an unknown target version', async () => {
      t = await createTestDatabase(engine);
      expect((await migrateTo(t.db, 42)).error).toMatch(/unknown migration version 42/);
    });
  });
}

describe('dry run on a SQLite file', () => {
  it('leaves the file byte-identical', async () => {
    const t = await createTestDatabase('sqlite', { migrate: false });
    try {
      await t.db.close();
      // checkpointed, closed file: hash, run a dry run through a new handle, close, hash again
      const hash = () => createHash('sha256').update(readFileSync(t.target.location)).digest('hex');
      const db0 = openDatabase(t.target);
      await db0.close();
      const before = hash();
      const db = openDatabase(t.target);
      const out = await migrateToLatest(db, { dryRun: true });
      expect(out.results[0].status).toBe('dry-run');
      await db.close();
      expect(hash()).toBe(before);
    } finally {
      await t.cleanup();
    }
  });
});

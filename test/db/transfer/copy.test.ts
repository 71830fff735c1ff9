import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { progressReporter } from '../../../src/cli/db.command.js';
import { type Database, openDatabase } from '../../../src/db/connect.js';
import { canonicalJson, summarizeTables, TableHasher } from '../../../src/db/transfer/checksum.js';
import { DATA_TABLES, DERIVED_TABLES, OWN_TABLES } from '../../../src/db/transfer/data-tables.js';
import { parseTargetUrl, sameDatabase } from '../../../src/db/transfer/target-url.js';
import { createTestDatabase, createTestTarget, pgUrl, sqlEngines, type TestDatabase, type TestEngine, tempDir } from '../../helpers/engines.js';
import { captureIo, runCli, seedAllTables, targetEnv, targetUrl } from './transfer-fixtures.js';

const engines = sqlEngines();
const hasPg = engines.includes('postgres');
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function database(engine: TestEngine, migrate = true): Promise<TestDatabase> {
  const t = await createTestDatabase(engine, { migrate });
  cleanups.push(() => t.cleanup());
  return t;
}

/** A target that exists (schema created) but is not opened or migrated. */
async function emptyTarget(engine: TestEngine) {
  const t = await createTestTarget(engine);
  cleanups.push(() => t.drop());
  return t;
}

function opened(target: Parameters<typeof openDatabase>[0]): Database {
  const db = openDatabase(target);
  cleanups.push(() => db.close());
  return db;
}

async function tableNames(db: Database): Promise<string[]> {
  const r =
    db.engine === 'sqlite'
      ? await sql<{ n: string }>`select name as n from sqlite_master where type = 'table' and name not like 'sqlite_%'`.execute(db.kysely)
      : await sql<{ n: string }>`select table_name as n from information_schema.tables where table_schema = current_schema()`.execute(db.kysely);
  return r.rows.map((x) => x.n).sort();
}

describe('the data table list', () => {
  for (const engine of engines) {
    it(`matches the migrated ${engine} catalog: every table, keys, JSON/boolean/identity columns, FK order`, async () => {
      const { db } = await database(engine);
      const derived: readonly string[] = DERIVED_TABLES[engine];
      const names = await tableNames(db);
      const isDerived = (n: string) => derived.some((d) => n === d || n.startsWith(`${d}_`));
      expect(names.filter((n) => !isDerived(n)).sort()).toEqual([...DATA_TABLES.map((t) => t.name), ...OWN_TABLES].sort());
      for (const d of derived) expect(names).toContain(d);

      const position = new Map(DATA_TABLES.map((t, i) => [t.name, i]));
      for (const t of DATA_TABLES) {
        if (engine === 'sqlite') {
          const cols = (await sql<{ name: string; pk: number }>`select name, pk from pragma_table_info(${t.name})`.execute(db.kysely)).rows;
          expect(
            cols.filter((c) => c.pk > 0).map((c) => c.name),
            t.name,
          ).toEqual([t.key]);
          const ddl = (await sql<{ s: string }>`select sql as s from sqlite_master where name = ${t.name}`.execute(db.kysely)).rows[0].s;
          expect([...ddl.matchAll(/json_valid\((\w+)\)/g)].map((m) => m[1]).sort(), t.name).toEqual([...t.json].sort());
          expect([...ddl.matchAll(/(\w+) IN \(0, 1\)/g)].map((m) => m[1]).sort(), t.name).toEqual([...t.bool].sort());
          const fks = (await sql<{ table: string }>`select "table" from pragma_foreign_key_list(${t.name})`.execute(db.kysely)).rows;
          for (const fk of fks) expect(position.get(fk.table)!, `${t.name} -> ${fk.table}`).toBeLessThan(position.get(t.name)!);
        } else {
          const cols = (
            await sql<{ c: string; d: string; ident: string }>`
              select column_name as c, data_type as d, is_identity as ident from information_schema.columns
              where table_schema = current_schema() and table_name = ${t.name}`.execute(db.kysely)
          ).rows;
          expect(
            cols
              .filter((c) => c.d === 'jsonb')
              .map((c) => c.c)
              .sort(),
            t.name,
          ).toEqual([...t.json].sort());
          expect(
            cols
              .filter((c) => c.d === 'boolean')
              .map((c) => c.c)
              .sort(),
            t.name,
          ).toEqual([...t.bool].sort());
          expect(
            cols.filter((c) => c.ident === 'YES').map((c) => c.c),
            t.name,
          ).toEqual(t.identity ? [t.identity] : []);
          const keys = (
            await sql<{ c: string }>`
              select a.attname as c from pg_index i join pg_attribute a on a.attrelid = i.indrelid and a.attnum = any(i.indkey)
              where i.indrelid = ${t.name}::regclass and i.indisprimary`.execute(db.kysely)
          ).rows;
          expect(
            keys.map((k) => k.c),
            t.name,
          ).toEqual([t.key]);
          const fks = (
            await sql<{ ref: string }>`
              select confrelid::regclass::text as ref from pg_constraint where contype = 'f' and conrelid = ${t.name}::regclass`.execute(db.kysely)
          ).rows;
          for (const fk of fks) expect(position.get(fk.ref)!, `${t.name} -> ${fk.ref}`).toBeLessThan(position.get(t.name)!);
        }
      }
    });
  }
});

describe('helpers', () => {
  it('canonicalJson sorts keys at every level and keeps arrays in order', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: null } })).toBe('{"a":{"c":null,"d":[3,{"y":2,"z":1}]},"b":1}');
  });

  it('table checksums ignore row order, JSON formatting and key order, and see any changed value', () => {
    const t = DATA_TABLES.find((x) => x.name === 'settings')!;
    const sum = (rows: (string | null)[][], cols = ['key', 'value', 'created_at', 'updated_at']) => {
      const h = new TableHasher(t, cols);
      h.add(rows);
      return h.digest().checksum;
    };
    const a = ['a', '{"x":1,"y":[1,2]}', 't', 't'];
    const b = ['b', 'null', 't', 't'];
    const base = sum([a, b]);
    expect(sum([b, a])).toBe(base);
    expect(sum([['a', '{ "y": [1, 2], "x": 1 }', 't', 't'], b])).toBe(base);
    expect(
      sum(
        [
          [b[2], b[3], 'b', 'null'],
          [a[2], a[3], 'a', a[1]],
        ],
        ['created_at', 'updated_at', 'key', 'value'],
      ),
    ).toBe(base);
    expect(sum([a, ['b', null, 't', 't']])).not.toBe(base); // JSON null is not SQL NULL
    expect(sum([a, ['b', 'null', 't', 'u']])).not.toBe(base);
    expect(sum([a])).not.toBe(base);
  });

  it('progress: plain lines per finished table and per tenth of a big one; a bar (no lines) on a terminal', () => {
    const plain = captureIo({}, '/');
    const p = progressReporter(plain, 'copy');
    p.update({ table: 'users', tableDone: 0, tableTotal: 2, done: 0, total: 102 });
    p.update({ table: 'users', tableDone: 2, tableTotal: 2, done: 2, total: 102 });
    for (let i = 0; i <= 100; i += 25) p.update({ table: 'library_items', tableDone: i, tableTotal: 100, done: 2 + i, total: 102 });
    p.stop();
    expect(plain.lines).toEqual([
      '  users: 2 rows (2/102 rows, 1%)',
      '  library_items: 25/100 rows',
      '  library_items: 50/100 rows',
      '  library_items: 75/100 rows',
      '  library_items: 100 rows (102/102 rows, 100%)',
    ]);
    const tty = { ...captureIo({}, '/'), isTty: true };
    const bar = progressReporter(tty, 'copy');
    bar.update({ table: 'users', tableDone: 1, tableTotal: 1, done: 1, total: 1 });
    bar.stop();
    expect(tty.lines).toEqual([]);
  });

  it('parses sqlite: and postgres:// URLs, with ?schema= selecting the PostgreSQL schema', () => {
    expect(parseTargetUrl('sqlite:data/x.db', '/srv')).toEqual({ engine: 'sqlite', location: '/srv/data/x.db' });
    expect(parseTargetUrl('sqlite:///abs/x.db', '/srv').location).toBe('/abs/x.db');
    const pg = parseTargetUrl('postgres://u:secret@h:5433/db?schema=media_1&sslmode=disable', '/');
    expect(pg).toEqual({ engine: 'postgres', location: 'postgres://u:secret@h:5433/db?sslmode=disable', pgSchema: 'media_1' });
    expect(() => parseTargetUrl('postgres://u:secret@h/db?schema=Bad-Name', '/')).toThrow(/lowercase/);
    expect(() => parseTargetUrl('mysql://u:secret@h/db', '/')).toThrow(/u:\*\*\*@h/);
    const p = (url: string) => parseTargetUrl(url, '/');
    expect(sameDatabase(p('postgres://a:x@h/db?schema=s1'), p('postgresql://b:y@h:5432/db?schema=s1'))).toBe(true);
    expect(sameDatabase(p('postgres://a@h/db?schema=s1'), p('postgres://a@h/db?schema=s2'))).toBe(false);
    expect(sameDatabase(p('postgres://a@h/db'), p('postgres://a@h/other'))).toBe(false);
    expect(sameDatabase(p('sqlite:x.db'), p('postgres://a@h/db'))).toBe(false);
  });
});

describe('mediaos db copy (SQLite -> SQLite)', () => {
  it('copies every table, preserves seq, keeps FTS working, verifies counts and checksums', async () => {
    const src = await database('sqlite');
    await seedAllTables(src.db.kysely, { libraryRows: 500 });
    const dst = await emptyTarget('sqlite');
    const io = await runCli(['db', 'copy', '--to', targetUrl(dst.target), '--batch-size', '7'], targetEnv(src.target, src.dir), src.dir);
    expect(io.errors).toEqual([]);
    expect(io.exitCode).toBe(0);
    expect(io.lines.join('\n')).toMatch(/copied 5\d\d rows/);
    expect(io.lines.find((l) => l.startsWith('library_items'))).toMatch(/^library_items\s+500\s+500\s+([0-9a-f]{16})\s+\1\s+ok$/);
    expect(io.lines.at(-1)).toMatch(/^ok: every table/);
    expect(io.lines.some((l) => l.startsWith('  library_items: '))).toBe(true);

    const target = opened(dst.target);
    expect(await summarizeTables(target.kysely, 'sqlite')).toEqual(await summarizeTables(src.db.kysely, 'sqlite'));
    const seqs = await target.kysely.selectFrom('library_items').select(['seq', 'id']).orderBy('seq').limit(3).execute();
    expect(seqs).toEqual([
      { seq: 10, id: 'item-0000000' },
      { seq: 13, id: 'item-0000001' },
      { seq: 16, id: 'item-0000002' },
    ]);
    const hits = await sql<{ n: number }>`select count(*) as n from library_items_fts where library_items_fts match 'agnes'`.execute(target.kysely);
    expect(hits.rows[0].n).toBe(72); // diacritics folded by the target's own trigger-fed index
    const big = await target.kysely.selectFrom('library_items').select('file_size').where('id', '=', 'item-0000000').executeTakeFirstOrThrow();
    expect(big.file_size).toBe(2 ** 53 - 1);
  });

  it('refuses a non-empty target without --replace and leaves it unchanged; --replace replaces it', async () => {
    const src = await database('sqlite');
    await seedAllTables(src.db.kysely, { libraryRows: 20 });
    const dst = await database('sqlite');
    await dst.db.kysely.insertInto('settings').values({ key: 'only-in-target', value: '{"keep":true}' }).execute();
    const before = await summarizeTables(dst.db.kysely, 'sqlite');

    const refused = await runCli(['db', 'copy', '--to', targetUrl(dst.target)], targetEnv(src.target, src.dir), src.dir);
    expect(refused.exitCode).toBe(1);
    expect(refused.errors.join('\n')).toMatch(/not empty \(rows in settings\): pass --replace/);
    expect(await summarizeTables(dst.db.kysely, 'sqlite')).toEqual(before);

    const replaced = await runCli(['db', 'copy', '--to', targetUrl(dst.target), '--replace'], targetEnv(src.target, src.dir), src.dir);
    expect(replaced.errors).toEqual([]);
    expect(replaced.exitCode).toBe(0);
    expect(replaced.lines.join('\n')).toMatch(/replaced the rows of: settings/);
    expect(replaced.lines.join('\n')).toMatch(/backup of the database being replaced: .*pre-db-copy/);
    expect(await summarizeTables(dst.db.kysely, 'sqlite')).toEqual(await summarizeTables(src.db.kysely, 'sqlite'));
  });

  it('exits 1 and marks the table when the target does not read back what was copied', async () => {
    const src = await database('sqlite');
    await seedAllTables(src.db.kysely, { libraryRows: 3 });
    const dst = await database('sqlite');
    // A (hostile) trigger on the target rewrites a value as it is inserted.
    await sql`create trigger tamper after insert on settings begin update settings set value = '{"tampered":1}' where key = new.key; end`.execute(
      dst.db.kysely,
    );
    const io = await runCli(['db', 'copy', '--to', targetUrl(dst.target)], targetEnv(src.target, src.dir), src.dir);
    expect(io.exitCode).toBe(1);
    expect(io.lines.find((l) => l.startsWith('settings'))).toMatch(/^settings\s+2\s+2\s+\w{16}\s+\w{16}\s+DIFFERENT$/);
    expect(io.lines.filter((l) => /DIFFERENT$/.test(l))).toHaveLength(1);
    expect(io.errors).toEqual(['error: the target differs from the source (see the table above)']);
  });

  it("refuses a source that is not at this build's schema version, and a missing source", async () => {
    const src = await database('sqlite', false);
    const dst = await emptyTarget('sqlite');
    const io = await runCli(['db', 'copy', '--to', targetUrl(dst.target)], targetEnv(src.target, src.dir), src.dir);
    expect(io.exitCode).toBe(1);
    expect(io.errors.join('\n')).toMatch(/schema version 0 but this MediaOS build is at \d+: run `mediaos migrate`/);

    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const missing = await runCli(['db', 'copy', '--from', `sqlite:${dir}/nope.db`, '--to', targetUrl(dst.target)], {}, dir);
    expect(missing.exitCode).toBe(1);
    expect(missing.errors.join('\n')).toMatch(/nope\.db does not exist/);
  });

  it('refuses to copy a database onto itself and rejects a bad --batch-size', async () => {
    const src = await database('sqlite');
    const same = await runCli(['db', 'copy', '--to', targetUrl(src.target)], targetEnv(src.target, src.dir), src.dir);
    expect(same.errors.join('\n')).toMatch(/same database/);
    const bad = await runCli(['db', 'copy', '--to', 'sqlite:other.db', '--batch-size', '0'], targetEnv(src.target, src.dir), src.dir);
    expect(bad.exitCode).toBe(1);
    expect(bad.errors.join('\n')).toMatch(/--batch-size must be an integer/);
  });
});

describe.runIf(hasPg)('mediaos db copy across engines', () => {
  it('round trip of 100k library items SQLite -> PostgreSQL -> SQLite gives identical checksums; PG inserts work after', async () => {
    const a = await database('sqlite');
    await seedAllTables(a.db.kysely, { libraryRows: 100_000 });
    const pgT = await emptyTarget('postgres');
    const b = await emptyTarget('sqlite');

    const toPg = await runCli(['db', 'copy', '--to', targetUrl(pgT.target), '--batch-size', '2000'], targetEnv(a.target, a.dir), a.dir);
    expect(toPg.errors).toEqual([]);
    expect(toPg.exitCode).toBe(0);
    const back = await runCli(['db', 'copy', '--from', targetUrl(pgT.target), '--to', targetUrl(b.target), '--batch-size', '2000'], {}, b.dir);
    expect(back.errors).toEqual([]);
    expect(back.exitCode).toBe(0);

    const pgDb = opened(pgT.target);
    const bDb = opened(b.target);
    const sa = await summarizeTables(a.db.kysely, 'sqlite');
    expect(sa.find((s) => s.table === 'library_items')!.rows).toBe(100_000);
    expect(await summarizeTables(pgDb.kysely, 'postgres')).toEqual(sa);
    expect(await summarizeTables(bDb.kysely, 'sqlite')).toEqual(sa);
    const checksumLine = (lines: string[]) => lines.find((l) => l.startsWith('library_items'))!.split(/\s+/)[3];
    expect(checksumLine(toPg.lines)).toBe(checksumLine(back.lines));

    // Booleans and JSON arrive typed on PostgreSQL; the identity sequence follows max(seq).
    const d = await pgDb.kysely.selectFrom('downloaders').select(['id', 'enabled']).orderBy('id').execute();
    expect(d).toEqual([
      { id: 'd1', enabled: true },
      { id: 'd2', enabled: false },
    ]);
    const inserted = await pgDb.kysely
      .insertInto('library_items')
      .values({ id: 'new-1', kind: 'movie', title: 'New', title_lower: 'new', search_text: 'new' })
      .returning('seq')
      .executeTakeFirstOrThrow();
    expect(inserted.seq).toBe(10 + 99_999 * 3 + 1);
  }, 240_000);

  it('creates the ?schema= of a PostgreSQL target when it does not exist yet', async () => {
    const a = await database('sqlite');
    await seedAllTables(a.db.kysely, { libraryRows: 5 });
    const schema = `t_new_${Date.now().toString(36)}`;
    cleanups.push(async () => {
      const c = new pg.Client({ connectionString: pgUrl() });
      await c.connect();
      await c.query(`drop schema if exists ${schema} cascade`);
      await c.end();
    });
    const url = new URL(pgUrl());
    url.searchParams.set('schema', schema);
    const io = await runCli(['db', 'copy', '--to', url.toString()], targetEnv(a.target, a.dir), a.dir);
    expect(io.errors).toEqual([]);
    expect(io.lines[0]).toContain(`(schema ${schema})`);
    const db = opened({ engine: 'postgres', location: pgUrl(), pgSchema: schema });
    expect(await summarizeTables(db.kysely, 'postgres')).toEqual(await summarizeTables(a.db.kysely, 'sqlite'));
  });

  it('a failure half-way leaves the PostgreSQL target without any row (one transaction)', async () => {
    const a = await database('sqlite');
    await seedAllTables(a.db.kysely, { libraryRows: 50 });
    // PostgreSQL text cannot hold NUL: the last table fails after every other was inserted.
    await a.db.kysely.updateTable('locks').set({ holder: 'bad\u0000holder' }).execute();
    const pgT = await emptyTarget('postgres');
    const io = await runCli(['db', 'copy', '--to', targetUrl(pgT.target)], targetEnv(a.target, a.dir), a.dir);
    expect(io.exitCode).toBe(1);
    expect(io.errors.join('\n')).toMatch(/table locks, row name "importer": /);
    const pgDb = opened(pgT.target);
    const counts = await summarizeTables(pgDb.kysely, 'postgres');
    expect(counts.every((c) => c.rows === 0)).toBe(true);
  });

  it('names the table and row PostgreSQL refuses (a title longer than its index holds), copying nothing', async () => {
    const a = await database('sqlite');
    await seedAllTables(a.db.kysely, { libraryRows: 50 });
    // Written before the API and the importer refused such titles (SQLite takes any length).
    const [row] = await a.db.kysely.selectFrom('library_items').select(['seq', 'id']).orderBy('seq').offset(20).limit(1).execute();
    const title = randomBytes(1400).toString('hex'); // 2,800 bytes that do not compress
    await a.db.kysely.updateTable('library_items').set({ title, title_lower: title }).where('seq', '=', row.seq).execute();
    const pgT = await emptyTarget('postgres');
    const io = await runCli(['db', 'copy', '--to', targetUrl(pgT.target)], targetEnv(a.target, a.dir), a.dir);
    expect(io.exitCode, [...io.lines, ...io.errors].join('\n')).toBe(1);
    expect(io.errors.join('\n')).toContain(`table library_items, row seq ${row.seq}, id ${JSON.stringify(row.id)}: `);
    expect(io.errors.join('\n')).toMatch(/index row size/);
    const counts = await summarizeTables(opened(pgT.target).kysely, 'postgres');
    expect(counts.every((c) => c.rows === 0)).toBe(true);
  });
});

import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { migrations } from '../../../src/db/migrations/index.js';
import { summarizeTables } from '../../../src/db/transfer/checksum.js';
import { DATA_TABLES } from '../../../src/db/transfer/data-tables.js';
import { createTestDatabase, sqlEngines, type TestDatabase, type TestEngine } from '../../helpers/engines.js';
import { runCli, seedAllTables, targetEnv } from './transfer-fixtures.js';

const engines = sqlEngines();
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function database(engine: TestEngine, migrate = true): Promise<TestDatabase> {
  const t = await createTestDatabase(engine, { migrate });
  cleanups.push(() => t.cleanup());
  return t;
}

/** A seeded database of `engine` and its dump file (written through the CLI). */
async function dumped(engine: TestEngine, libraryRows = 300) {
  const src = await database(engine);
  await seedAllTables(src.db.kysely, { libraryRows });
  const file = join(src.dir, 'backup.dump.gz');
  const io = await runCli(['dump', '--to', file, '--batch-size', '64'], targetEnv(src.target, src.dir), src.dir);
  expect(io.errors).toEqual([]);
  expect(io.exitCode).toBe(0);
  return { src, file, io };
}

function dumpLines(file: string): string[] {
  return gunzipSync(readFileSync(file)).toString('utf8').split('\n').filter(Boolean);
}

describe('mediaos dump', () => {
  it('writes gzip JSON lines: header, per table {table, columns} then rows, and an end line with counts', async () => {
    const { src, file, io } = await dumped('sqlite', 10);
    expect(io.lines.at(-1)).toMatch(new RegExp(`dumped \\d+ rows of ${DATA_TABLES.length} tables \\(schema version \\d+\\)`));
    expect(readdirSync(src.dir).filter((f) => f.includes('.partial'))).toEqual([]);
    const lines = dumpLines(file).map((l) => JSON.parse(l));
    expect(lines[0]).toMatchObject({ format: 'mediaos-dump', version: 1, schemaVersion: migrations.at(-1)!.version, engine: 'sqlite' });
    expect(Number.isNaN(Date.parse(lines[0].createdAt))).toBe(false);
    const starts = lines.filter((l) => !Array.isArray(l) && l.table);
    expect(starts.map((s) => s.table)).toEqual(DATA_TABLES.map((t) => t.name));
    const users = lines.indexOf(starts[0]);
    expect(lines[users].columns).toContain('email');
    const zoe = lines.slice(users + 1, users + 4).find((r) => r.includes('u-Zed'));
    expect(zoe).toContain('zoë@example.com');
    const end = lines.at(-1);
    expect(end.end).toBe(true);
    expect(end.tables.library_items.rows).toBe(10);
    // booleans are booleans in the dump, whatever the engine stores
    const dl = lines.slice(lines.indexOf(starts.find((s) => s.table === 'downloaders')) + 1).slice(0, 2);
    const enabledAt = starts.find((s) => s.table === 'downloaders').columns.indexOf('enabled');
    expect(dl.map((r: unknown[]) => r[enabledAt])).toEqual([true, false]);
  });

  it('refuses a database that is not at the latest schema version', async () => {
    const src = await database('sqlite', false);
    const io = await runCli(['dump', '--to', 'x.gz'], targetEnv(src.target, src.dir), src.dir);
    expect(io.exitCode).toBe(1);
    expect(io.errors.join('\n')).toMatch(/run `mediaos migrate`/);
    expect(existsSync(join(src.dir, 'x.gz'))).toBe(false);
  });
});

for (const from of engines) {
  for (const into of engines) {
    describe(`dump ${from} -> restore into ${into}`, () => {
      it('restores every table with identical counts and checksums; inserting afterwards works', async () => {
        const { src, file } = await dumped(from);
        const dst = await database(into, false);
        const io = await runCli(['restore', file], targetEnv(dst.target, dst.dir), dst.dir);
        expect(io.errors).toEqual([]);
        expect(io.exitCode).toBe(0);
        expect(io.lines.at(-1)).toMatch(/^ok: every table/);
        expect(await summarizeTables(dst.db.kysely, into)).toEqual(await summarizeTables(src.db.kysely, from));
        const row = await dst.db.kysely
          .insertInto('library_items')
          .values({ id: 'after-restore', kind: 'book', title: 'After', title_lower: 'after', search_text: 'after' })
          .returning('seq')
          .executeTakeFirstOrThrow();
        expect(row.seq).toBe(10 + 299 * 3 + 1);
      });
    });
  }
}

describe('mediaos restore refusals and damaged files', () => {
  it('refuses a non-empty database without --replace; --replace replaces it in one go', async () => {
    const { src, file } = await dumped('sqlite', 20);
    const dst = await database('sqlite');
    await dst.db.kysely.insertInto('app_state').values({ key: 'mine', value: '1' }).execute();
    const before = await summarizeTables(dst.db.kysely, 'sqlite');
    const refused = await runCli(['restore', file], targetEnv(dst.target, dst.dir), dst.dir);
    expect(refused.exitCode).toBe(1);
    expect(refused.errors.join('\n')).toMatch(/not empty \(rows in app_state\): pass --replace/);
    expect(await summarizeTables(dst.db.kysely, 'sqlite')).toEqual(before);

    const replaced = await runCli(['restore', file, '--replace'], targetEnv(dst.target, dst.dir), dst.dir);
    expect(replaced.errors).toEqual([]);
    expect(replaced.lines.join('\n')).toMatch(/backup of the database being replaced: .*pre-restore/);
    expect(await summarizeTables(dst.db.kysely, 'sqlite')).toEqual(await summarizeTables(src.db.kysely, 'sqlite'));
  });

  for (const into of engines) {
    it(`a truncated dump fails naming the line and leaves the ${into} database unchanged`, async () => {
      const { file } = await dumped('sqlite', 2000);
      const dst = await database(into);
      await dst.db.kysely.insertInto('settings').values({ key: 'keep-me', value: '{"a":1}' }).execute();
      const before = await summarizeTables(dst.db.kysely, into);
      const cut = join(dst.dir, 'cut.dump.gz');
      const bytes = readFileSync(file);
      writeFileSync(cut, bytes.subarray(0, Math.floor(bytes.length * 0.6)));
      const io = await runCli(['restore', cut, '--replace'], targetEnv(dst.target, dst.dir), dst.dir);
      expect(io.exitCode).toBe(1);
      expect(io.errors.join('\n')).toMatch(/^error: dump line \d+: the file is corrupt or truncated after line \d+ .*; the database was not changed$/);
      expect(await summarizeTables(dst.db.kysely, into)).toEqual(before);
    });
  }

  it('a dump without its end line, a broken line, or a wrong count is refused and changes nothing', async () => {
    const { file } = await dumped('sqlite', 30);
    const dst = await database('sqlite');
    const lines = dumpLines(file);
    const write = (name: string, ls: string[]) => {
      const f = join(dst.dir, name);
      writeFileSync(f, gzipSync(`${ls.join('\n')}\n`));
      return f;
    };
    const env = targetEnv(dst.target, dst.dir);

    const noEnd = await runCli(['restore', write('noend.gz', lines.slice(0, -1))], env, dst.dir);
    expect(noEnd.errors.join('\n')).toMatch(new RegExp(`dump line ${lines.length - 1}: the file ends after this line without its end line`));

    const broken = [...lines];
    broken[5] = broken[5].slice(0, 10);
    const bad = await runCli(['restore', write('broken.gz', broken)], env, dst.dir);
    expect(bad.errors.join('\n')).toMatch(/dump line 6: not valid JSON/);

    const end = JSON.parse(lines.at(-1)!);
    end.tables.grabs.rows = 99;
    const wrongCount = await runCli(['restore', write('count.gz', [...lines.slice(0, -1), JSON.stringify(end)])], env, dst.dir);
    expect(wrongCount.exitCode).toBe(1);
    expect(wrongCount.lines.find((l) => l.startsWith('grabs'))).toMatch(/DIFFERENT$/);
    expect(wrongCount.errors.join('\n')).toMatch(/does not match the dump \(grabs\); nothing was changed/);

    const other = await runCli(['restore', write('other.gz', ['{"format":"something-else"}'])], env, dst.dir);
    expect(other.errors.join('\n')).toMatch(/dump line 1: not a MediaOS dump/);
    const missing = await runCli(['restore', join(dst.dir, 'nope.gz')], env, dst.dir);
    expect(missing.errors.join('\n')).toMatch(/nope\.gz does not exist/);

    expect((await summarizeTables(dst.db.kysely, 'sqlite')).every((s) => s.rows === 0)).toBe(true);
  });
});

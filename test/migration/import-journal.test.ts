// The CLI import writes with a rollback journal when it has the SQLite database to itself (nothing
// is copied a second time at the commit) and leaves it in WAL mode; with another connection open
// it stays in WAL at once; a full disk in the middle changes nothing (import-memory.ts).

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { generateLegacyDir } from '../../bench/generate-legacy.js';
import type { Database } from '../../src/db/connect.js';
import { migrateToLatest } from '../../src/db/migrator.js';
import { type ImportOptions, runImport } from '../../src/migration/import.js';
import { createSecretBox } from '../../src/security/secret-box.js';
import { copyFixture, LEGACY_KEY, type MigrationEnv, migrationEnv, tableImage } from './helpers.js';

let env: MigrationEnv | undefined;
const open: Database[] = [];
afterEach(async () => {
  for (const db of open.splice(0)) await db.close();
  await env?.cleanup();
  env = undefined;
});

async function fresh(): Promise<{ m: MigrationEnv; db: Database }> {
  env = await migrationEnv('sqlite');
  const db = env.open();
  open.push(db);
  await migrateToLatest(db);
  return { m: env, db };
}

/** Runs an import as the CLI does and records the journal mode at each phase. */
async function importSeeing(db: Database, m: MigrationEnv, from: string, extra: Partial<ImportOptions> = {}) {
  const modes = new Map<string, string>();
  const run = runImport({
    db,
    from,
    dataDir: m.dir,
    backupRetention: 2,
    legacyKey: LEGACY_KEY,
    secretBox: createSecretBox(LEGACY_KEY),
    rollbackJournal: true,
    progress: { phase: (name) => void modes.set(name, String(db.sqlite!.pragma('journal_mode', { simple: true }))), library: () => {} },
    ...extra,
  });
  return { run, modes };
}

const journalMode = (db: Database) => String(db.sqlite!.pragma('journal_mode', { simple: true }));

describe('import on SQLite: the journal', () => {
  it('writes with a rollback journal when alone and is back in WAL mode after, the busy timeout kept', async () => {
    const { m, db } = await fresh();
    const { run, modes } = await importSeeing(db, m, copyFixture(join(m.dir, 'config')));
    const report = await run;
    expect(report.status).toBe('completed');
    expect(report.verify?.mismatches).toEqual([]);
    expect(modes.get('backup')).toBe('wal'); // nothing switched before the lock is held
    expect(modes.get('read')).toBe('delete'); // the keyed files are written while the rest is read
    expect(modes.get('write')).toBe('delete');
    expect(modes.get('commit')).toBe('delete');
    expect(journalMode(db)).toBe('wal');
    expect(db.sqlite!.pragma('busy_timeout', { simple: true })).toBe(10_000);
    expect(existsSync(`${db.target.location}-journal`)).toBe(false);
  });

  it('stays in WAL mode without waiting when another connection has the database open', async () => {
    const { m, db } = await fresh();
    const other = m.open(); // a running server's connection
    open.push(other);
    other.sqlite!.prepare('select count(*) from library_items').get();
    const { run, modes } = await importSeeing(db, m, copyFixture(join(m.dir, 'config')));
    const report = await run;
    expect(report.status).toBe('completed');
    expect(modes.get('write')).toBe('wal');
    expect(journalMode(db)).toBe('wal');
    expect(db.sqlite!.pragma('busy_timeout', { simple: true })).toBe(10_000);
    // the other connection reads the import's rows
    expect((other.sqlite!.prepare('select count(*) as n from library_items').get() as { n: number }).n).toBeGreaterThan(0);
  });

  it('a dry run and a database in another mode are left as they are', async () => {
    const { m, db } = await fresh();
    const dry = await importSeeing(db, m, copyFixture(join(m.dir, 'config')), { dryRun: true });
    expect((await dry.run).status).toBe('completed');
    expect(dry.modes.get('write')).toBe('wal');
    db.sqlite!.pragma('journal_mode = TRUNCATE');
    const truncate = await importSeeing(db, m, join(m.dir, 'config'));
    expect((await truncate.run).status).toBe('completed');
    expect(truncate.modes.get('write')).toBe('truncate');
    expect(journalMode(db)).toBe('truncate');
  });

  it('a disk that fills up in the middle of the write leaves every table as it was, in WAL mode', async () => {
    const { m, db } = await fresh();
    expect((await (await importSeeing(db, m, copyFixture(join(m.dir, 'config')))).run).status).toBe('completed');
    const before = await tableImage(db);
    const big = join(m.dir, 'big');
    await generateLegacyDir({ dir: big, items: 20_000, seed: 3 });
    const pages = Number(db.sqlite!.pragma('page_count', { simple: true }));
    db.sqlite!.pragma(`max_page_count = ${pages + 500}`); // ~2 MB more, far less than 20k items need: a full disk for SQLite
    const { run, modes } = await importSeeing(db, m, big, { prune: true });
    await expect(run).rejects.toThrow(/full/);
    expect(modes.get('write')).toBe('delete');
    expect(journalMode(db)).toBe('wal');
    db.sqlite!.pragma('max_page_count = 1073741823');
    expect(await tableImage(db)).toEqual(before);
    expect(existsSync(`${db.target.location}-journal`)).toBe(false);
    expect(db.sqlite!.pragma('integrity_check', { simple: true })).toBe('ok');
  });
});

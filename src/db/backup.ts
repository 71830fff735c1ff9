import { readdirSync, rmSync, statSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import type { Database } from './connect.js';
import { createPrivateFile, makePrivate, mkdirPrivate } from './file-mode.js';
import { checkFreeSpace, type FreeSpaceProbe } from './free-space.js';
import { sqliteBackupNeed } from './space-needs.js';

export function backupsDir(dataDir: string): string {
  return join(dataDir, 'backups');
}

let backupCounter = 0;

function stamp(d = new Date()): string {
  return d.toISOString().replace(/[:.]/g, '-');
}

/**
 * A consistent copy of the SQLite database made with SQLite's online backup API (readers and
 * the writer keep going while it runs). Returns the file written, or undefined for PostgreSQL
 * (use `mediaos dump` there). Keeps the newest `retain` database backups. Refuses
 * (NotEnoughSpaceError) when the backups folder's file system has less free than the database's size.
 */
export async function backupDatabase(
  db: Database,
  dataDir: string,
  label: string,
  retain = 10,
  opts: { freeSpace?: FreeSpaceProbe } = {},
): Promise<string | undefined> {
  if (db.engine !== 'sqlite' || !db.sqlite || db.target.location === ':memory:') return undefined;
  const dir = backupsDir(dataDir);
  checkFreeSpace(sqliteBackupNeed(db, dir), opts.freeSpace);
  mkdirPrivate(dir);
  // The process id and a counter keep two backups taken in the same millisecond apart.
  const file = join(dir, `mediaos-${label}-${stamp()}-${process.pid}-${++backupCounter}.db`);
  createPrivateFile(file); // a copy of the database: 0600 like the database
  try {
    await db.sqlite.backup(file);
  } catch (err) {
    rmSync(file, { force: true }); // no half-written backup left behind
    const message = err instanceof Error ? err.message : String(err);
    throw new Error(`backing up the database into ${file} failed: ${message}`, { cause: err });
  }
  makePrivate(file);
  // Retention per label family (pre-migrate-v3 and pre-migrate-v4 share one), so one kind of
  // backup never pushes out another.
  const family = label.replace(/-v\d+$/, '').replace(/[^a-z0-9-]/gi, '');
  pruneBackups(dir, new RegExp(`^mediaos-${family}(-v\\d+)?-\\d{4}-.*\\.db$`), retain);
  return file;
}

export function pruneBackups(dir: string, pattern: RegExp, retain: number): void {
  const files = readdirSync(dir)
    .filter((f) => pattern.test(f))
    .map((f) => ({ f, t: statSync(join(dir, f)).mtimeMs }))
    .sort((a, b) => b.t - a.t);
  for (const { f } of files.slice(retain)) unlinkSync(join(dir, f));
}

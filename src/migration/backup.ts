/**
 * The backups taken before an import (and a rollback): the whole legacy config directory as
 * `<data>/backups/config-<timestamp>.tar.gz`, and the SQLite database through the online backup
 * API when it holds data (PostgreSQL: `mediaos dump` is the tool; the import says so).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { backupDatabase, backupsDir, pruneBackups } from '../db/backup.js';
import type { Database } from '../db/connect.js';
import { makePrivate, mkdirPrivate } from '../db/file-mode.js';
import { archiveDirectory } from './archive.js';
import { createImportSql } from './import.sql.js';

export function stamp(d = new Date()): string {
  return d.toISOString().replace(/[:.]/g, '-');
}

/** Archives `dir` into `<data>/backups/config-<label-><timestamp>.tar.gz`; undefined when `dir` does not exist. */
export async function archiveConfigDir(dir: string, dataDir: string, retain: number, label = ''): Promise<string | undefined> {
  if (!existsSync(dir)) return undefined;
  const out = backupsDir(dataDir);
  mkdirPrivate(out);
  const file = join(out, `config-${label ? `${label}-` : ''}${stamp()}.tar.gz`);
  await archiveDirectory(dir, file, 'config');
  makePrivate(file); // holds users.json (password hashes) and secrets
  pruneBackups(out, /^config-.*\.tar\.gz$/, Math.max(retain, 1));
  return file;
}

export interface PreImportBackup {
  config?: string;
  database?: string;
  /** Why no database backup file was written, when the database has data. */
  databaseNote?: string;
}

/**
 * The database's backup before an import (the legacy directory's archive, archiveConfigDir, is
 * taken while the import reads). Older backups are not pruned here: a failed import removes its
 * own backups again (pruneAfterImport runs when it succeeded), so failures never push out a good one.
 * A SQLite database that holds data is copied; PostgreSQL's gets a note (mediaos dump is the tool).
 */
export async function backupDatabaseBeforeImport(db: Database, dataDir: string, label: string): Promise<Omit<PreImportBackup, 'config'>> {
  if (!(await createImportSql(db.kysely, db.engine).hasData())) return {};
  const database = await backupDatabase(db, dataDir, `pre-${label}`, Infinity);
  return database ? { database } : { databaseNote: 'PostgreSQL database not copied: take one with `mediaos dump` (or pg_dump)' };
}

/** Keeps the newest `retain` config archives and database backups. */
export function pruneAfterImport(dataDir: string, retain: number): void {
  const out = backupsDir(dataDir);
  if (!existsSync(out)) return;
  pruneBackups(out, /^config-.*\.tar\.gz$/, Math.max(retain, 1));
  pruneBackups(out, /^mediaos-.*\.db$/, retain);
}

/**
 * What a backup, a schema migration or a copy will write, estimated from the database's size, for
 * the free-space check (free-space.ts). Generous on purpose: a refusal with numbers up front beats
 * an ENOSPC halfway.
 */
import { statSync } from 'node:fs';
import { sql } from 'kysely';
import type { Database } from './connect.js';
import type { SpaceNeed } from './free-space.js';

function sizeOf(path: string): number {
  return statSync(path, { throwIfNoEntry: false })?.size ?? 0;
}

/** The SQLite file plus its write-ahead log (0 for a file that does not exist yet). */
export function sqliteFileBytes(location: string): number {
  return sizeOf(location) + sizeOf(`${location}-wal`);
}

/** The database's size: SQLite file + WAL, or PostgreSQL's tables with their indexes and TOAST in the current schema. */
export async function databaseBytes(db: Database): Promise<number> {
  if (db.engine === 'sqlite') return db.target.location === ':memory:' ? 0 : sqliteFileBytes(db.target.location);
  const r = await sql<{ bytes: number | string | null }>`
    select coalesce(sum(pg_total_relation_size(c.oid)), 0) as bytes
    from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = current_schema() and c.relkind in ('r', 'm')`.execute(db.kysely);
  return Number(r.rows[0]?.bytes ?? 0);
}

/** A SQLite online backup (`<data>/backups/*.db`): about the database file. */
export function sqliteBackupNeed(db: Database, backupsDir: string): SpaceNeed[] {
  if (db.engine !== 'sqlite' || db.target.location === ':memory:') return [];
  return [{ path: backupsDir, bytes: sqliteFileBytes(db.target.location), what: 'the backup of the database (the size of its file and WAL)' }];
}

/**
 * A backup archive written to `file`: the snapshot staged next to it (about the database's size)
 * plus the archive itself (gzip only shrinks it: at most the snapshot again) and the secrets file.
 */
export async function archiveBackupNeeds(db: Database, file: string, secretsBytes: number): Promise<SpaceNeed[]> {
  const bytes = await databaseBytes(db);
  return [
    { path: file, bytes, what: 'the staged database snapshot (the size of the database)' },
    { path: file, bytes: bytes + secretsBytes, what: 'the archive (at most the snapshot and the secrets file)' },
  ];
}

/**
 * A schema migration of an existing SQLite database: the backup taken first, plus the rewrite a
 * migration may do (a table rebuilt, an index created: up to the file's size again, in the file and its WAL).
 */
export function migrationNeeds(db: Database, backupsDir: string): SpaceNeed[] {
  if (db.engine !== 'sqlite' || db.target.location === ':memory:') return [];
  return [
    ...sqliteBackupNeed(db, backupsDir),
    { path: db.target.location, bytes: sqliteFileBytes(db.target.location), what: 'the migration (tables rewritten: up to the size of the database)' },
  ];
}

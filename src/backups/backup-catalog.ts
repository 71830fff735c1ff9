/**
 * The files in `<data>/backups/`: backup archives (`mediaos backup`, the schedule, the API) named
 * `mediaos-backup-<kind>-<timestamp>-<pid>-<n>.tar.gz`, and the older single-file SQLite copies
 * (`mediaos-<label>-<timestamp>-….db`, still taken before a migration or an import).
 *
 * Retention is per kind: each kind keeps its own newest N, so a daily schedule never pushes out
 * the backup taken before a migration or an import.
 */
import { lstatSync, mkdirSync, readdirSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { backupsDir } from '../db/backup.js';

export const BACKUP_KINDS = ['scheduled', 'manual', 'pre-migration', 'pre-import', 'pre-restore'] as const;
export type BackupKind = (typeof BACKUP_KINDS)[number];

const ARCHIVE_RE = /^mediaos-backup-(scheduled|manual|pre-migration|pre-import|pre-restore)-(\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d-\d{3}Z)-\d+-\d+\.tar\.gz$/;
const SQLITE_RE = /^mediaos-([a-z0-9-]+?)-(\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d-\d{3}Z)(?:-\d+-\d+)?\.db$/;

export interface BackupFile {
  name: string;
  path: string;
  /** `archive`: a `mediaos backup` tar.gz; `sqlite`: a plain copy of the SQLite database. */
  format: 'archive' | 'sqlite';
  kind: BackupKind | 'other';
  size: number;
  createdAt: string;
}

let counter = 0;

function stamp(d: Date): string {
  return d.toISOString().replace(/[:.]/g, '-');
}

function unstamp(s: string): string {
  const [date, time] = s.split('T');
  const [h, m, sec, ms] = time.slice(0, -1).split('-');
  return `${date}T${h}:${m}:${sec}.${ms}Z`;
}

/** A new archive name of this kind (the pid and a counter keep two in one millisecond apart). */
export function archiveName(kind: BackupKind, at = new Date()): string {
  return `mediaos-backup-${kind}-${stamp(at)}-${process.pid}-${++counter}.tar.gz`;
}

/** The kind of an older `.db` copy, from its label. */
function sqliteKind(label: string): BackupKind | 'other' {
  if (label === 'daily') return 'scheduled';
  if (label.startsWith('pre-migrate')) return 'pre-migration';
  if (/^pre-(auto-)?import/.test(label)) return 'pre-import';
  if (label === 'pre-restore') return 'pre-restore';
  return 'other';
}

/** Parses a backup file name; undefined for anything that is not one (so it is never served). */
export function parseBackupName(name: string): Omit<BackupFile, 'path' | 'size'> | undefined {
  const a = ARCHIVE_RE.exec(name);
  if (a) return { name, format: 'archive', kind: a[1] as BackupKind, createdAt: unstamp(a[2]) };
  const s = SQLITE_RE.exec(name);
  if (s) return { name, format: 'sqlite', kind: sqliteKind(s[1]), createdAt: unstamp(s[2]) };
  return undefined;
}

/** Every backup in the data dir's backups folder (regular files only), newest first. */
export function listBackups(dataDir: string): BackupFile[] {
  const dir = backupsDir(dataDir);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const out: BackupFile[] = [];
  for (const name of names) {
    const parsed = parseBackupName(name);
    if (!parsed) continue;
    const st = lstatSync(join(dir, name));
    if (!st.isFile()) continue;
    out.push({ ...parsed, path: join(dir, name), size: st.size });
  }
  return out.sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : a.name < b.name ? 1 : -1));
}

/** The backup file called `name`, or undefined when no such backup exists (names that could escape the folder never match). */
export function findBackup(dataDir: string, name: string): BackupFile | undefined {
  if (!parseBackupName(name)) return undefined;
  return listBackups(dataDir).find((b) => b.name === name);
}

/** Makes the backups folder and returns the path for a new archive of this kind. */
export function newArchivePath(dataDir: string, kind: BackupKind, at = new Date()): string {
  const dir = backupsDir(dataDir);
  mkdirSync(dir, { recursive: true });
  return join(dir, archiveName(kind, at));
}

/** Deletes the archives of `kind` beyond the newest `keep`; other kinds are never touched. Returns the names removed. */
export function pruneArchives(dataDir: string, kind: BackupKind, keep: number): string[] {
  const old = listBackups(dataDir)
    .filter((b) => b.format === 'archive' && b.kind === kind)
    .slice(Math.max(keep, 1));
  for (const b of old) unlinkSync(b.path);
  return old.map((b) => b.name);
}

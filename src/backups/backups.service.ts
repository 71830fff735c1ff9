/**
 * Taking and listing backup archives, shared by `mediaos backup`, the schedule in `serve` and
 * the /api/system/backups routes. One backup at a time per process (a second caller waits).
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../config.js';
import { type Database, openDatabase } from '../db/connect.js';
import { checkFreeSpace, type FreeSpaceProbe } from '../db/free-space.js';
import { migrationStatus } from '../db/migrator.js';
import { archiveBackupNeeds } from '../db/space-needs.js';
import { artworkDir } from '../media/artwork.store.js';
import { readArchiveManifest } from './archive-reader.js';
import { artworkFiles, type BackupProgress, type CreatedBackup, createBackupArchive } from './backup-archive.js';
import { type BackupFile, type BackupKind, listBackups, newArchivePath, pruneArchives } from './backup-catalog.js';

export interface TakenBackup extends CreatedBackup {
  /** Older archives of the same kind removed by retention. */
  pruned: string[];
}

/** The data dir's secrets.json (secrets-file.ts), included in every archive. */
export function secretsFilePath(dataDir: string): string {
  return join(dataDir, 'secrets.json');
}

let queue: Promise<unknown> = Promise.resolve();

/** How many archives of a kind are kept: MEDIAOS_BACKUP_KEEP for scheduled ones, MEDIAOS_BACKUP_RETENTION for each other kind. */
export function keepFor(config: Pick<Config, 'backupKeep' | 'backupRetention'>, kind: BackupKind): number {
  return kind === 'scheduled' ? config.backupKeep : config.backupRetention;
}

/**
 * Writes a backup archive of `db`: to `file` when given (no retention applies there), else into
 * `<data>/backups/` as a `kind` archive, then prunes that kind to its retention. Refuses
 * (NotEnoughSpaceError, with the estimate) when the snapshot and the archive would not fit.
 */
export function takeBackup(
  db: Database,
  config: Pick<Config, 'dataDir' | 'backupKeep' | 'backupRetention'>,
  kind: BackupKind,
  opts: { file?: string; onProgress?: (p: BackupProgress) => void; freeSpace?: FreeSpaceProbe } = {},
): Promise<TakenBackup> {
  const run = async (): Promise<TakenBackup> => {
    const file = opts.file ?? newArchivePath(config.dataDir, kind);
    const secretsBytes = statSync(secretsFilePath(config.dataDir), { throwIfNoEntry: false })?.size ?? 0;
    const artwork = artworkDir(config.dataDir);
    const artworkBytes = artworkFiles(artwork).reduce((sum, f) => sum + f.size, 0);
    checkFreeSpace(await archiveBackupNeeds(db, file, secretsBytes + artworkBytes), opts.freeSpace);
    const created = await createBackupArchive({
      db,
      file,
      kind,
      secretsFile: secretsFilePath(config.dataDir),
      artworkDir: artwork,
      onProgress: opts.onProgress,
    });
    const pruned = opts.file ? [] : pruneArchives(config.dataDir, kind, keepFor(config, kind));
    return { ...created, pruned };
  };
  const next = queue.then(run, run);
  queue = next.catch(() => {});
  return next;
}

export interface BackupListing {
  name: string;
  kind: BackupFile['kind'];
  format: BackupFile['format'];
  size: number;
  createdAt: string;
  engine: 'sqlite' | 'postgres' | null;
  schemaVersion: number | null;
}

async function sqliteSchemaVersion(path: string): Promise<number | null> {
  try {
    const db = openDatabase({ engine: 'sqlite', location: path }, { readonly: true });
    try {
      return (await migrationStatus(db)).current;
    } finally {
      await db.close();
    }
  } catch {
    return null;
  }
}

/** Every backup in `<data>/backups/`, newest first, with the schema version each holds. */
export async function describeBackups(dataDir: string): Promise<BackupListing[]> {
  const out: BackupListing[] = [];
  for (const b of listBackups(dataDir)) {
    const manifest = b.format === 'archive' ? await readArchiveManifest(b.path) : undefined;
    out.push({
      name: b.name,
      kind: b.kind,
      format: b.format,
      size: b.size,
      createdAt: manifest?.createdAt ?? b.createdAt,
      engine: manifest?.engine ?? (b.format === 'sqlite' ? 'sqlite' : null),
      schemaVersion: manifest ? manifest.schemaVersion : b.format === 'sqlite' ? await sqliteSchemaVersion(b.path) : null,
    });
  }
  return out;
}

/**
 * `mediaos restore ARCHIVE`: puts a backup archive back, or changes nothing.
 *
 * 1. Unpack into a temporary folder (next to the SQLite file, so the final rename stays on one
 *    filesystem) and verify every member's size and sha256 against the manifest.
 * 2. Refuse a schema newer than this build, and refuse while a server announces itself in the
 *    database (server-presence.sql.ts).
 * 3. SQLite copy: `integrity_check` it and compare its schema version and row counts with the
 *    manifest. PostgreSQL dump: the dump restore checks counts and checksums itself.
 * 4. Keep the current database as a `pre-restore` archive.
 * 5. Swap in: SQLite renames the checked copy over the database file (after checkpointing the old
 *    one and removing its -wal/-shm); a dump is restored in ONE transaction. Then the archived
 *    secrets.json is put back (temp file + rename, mode 0600), and the archived artwork files
 *    into `<data>/artwork/` (those missing there; nothing there is removed).
 * Any failure before step 5 leaves the database and the secrets file as they were.
 */
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { type Config, databaseTarget } from '../config.js';
import { type Database, openDatabase } from '../db/connect.js';
import { migrations } from '../db/migrations/index.js';
import { migrationStatus, tableExists } from '../db/migrator.js';
import { restoreDatabase } from '../db/transfer/dump.js';
import { rowCounts } from '../db/transfer/table-rows.js';
import { type ProgressListener, TransferRefused } from '../db/transfer/transfer-checks.js';
import { artworkDir } from '../media/artwork.store.js';
import { BackupArchiveError, type UnpackedArchive, unpackBackupArchive } from './archive-reader.js';
import { type BackupManifest, SQLITE_MEMBER } from './backup-manifest.js';
import { secretsFilePath, takeBackup } from './backups.service.js';
import { createServerPresenceSql } from './server-presence.sql.js';

export interface RestoredArchive {
  manifest: BackupManifest;
  /** The archive of the database as it was before the restore (none when there was no database). */
  preRestoreBackup?: string;
  secretsRestored: boolean;
  /** Artwork files put back into `<data>/artwork/` (those already there, same name = same bytes, are kept). */
  artworkRestored: number;
  /** The archive's schema is older than this build: `mediaos migrate` (or the next `serve`) brings it up. */
  migrationPending: boolean;
}

export interface RestoreArchiveOptions {
  onProgress?: ProgressListener;
}

async function refuseWhileServing(db: Database): Promise<void> {
  if (!(await tableExists(db, 'locks'))) return;
  const live = await createServerPresenceSql(db.kysely).liveServers();
  if (live.length) {
    throw new TransferRefused(`a MediaOS server is using this database (${live.join('; ')}): stop it first; nothing was changed`);
  }
}

export async function restoreBackupArchive(config: Config, file: string, opts: RestoreArchiveOptions = {}): Promise<RestoredArchive> {
  const target = databaseTarget(config);
  const latest = migrations[migrations.length - 1].version;
  const stagingParent = target.engine === 'sqlite' ? dirname(target.location) : config.dataDir;
  mkdirSync(stagingParent, { recursive: true });
  const staging = mkdtempSync(join(stagingParent, '.mediaos-restore-'));
  try {
    const unpacked = await unpackBackupArchive(file, staging);
    const m = unpacked.manifest;
    if (m.schemaVersion > latest) {
      throw new BackupArchiveError(
        `${file}: the backup is at schema version ${m.schemaVersion}, newer than this MediaOS build (${latest}): upgrade MediaOS first; nothing was changed`,
      );
    }
    const isSqliteCopy = unpacked.database.endsWith(SQLITE_MEMBER);
    if (isSqliteCopy && target.engine !== 'sqlite') {
      throw new BackupArchiveError(
        `${file} holds a SQLite database and the configured database is PostgreSQL: restore it into SQLite, then move it with \`mediaos db copy\`; nothing was changed`,
      );
    }
    const result = isSqliteCopy ? await swapSqlite(config, file, unpacked, latest) : await restoreDump(config, unpacked, opts);
    const secretsRestored = putBackSecrets(config, unpacked);
    const artworkRestored = putBackArtwork(config, unpacked);
    return { manifest: m, ...result, secretsRestored, artworkRestored, migrationPending: m.schemaVersion < latest };
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

/** Checks the unpacked SQLite copy; the copy ends up in rollback-journal mode with no -wal beside it, ready to be renamed. */
async function checkSqliteCopy(file: string, path: string, m: BackupManifest, latest: number, allowNetworkFs: boolean): Promise<void> {
  const fail = (what: string) => new BackupArchiveError(`${file}: ${what}; nothing was changed`);
  let copy: Database;
  try {
    copy = openDatabase({ engine: 'sqlite', location: path, allowNetworkFs });
  } catch (err) {
    throw fail(`database.db cannot be opened (${(err as Error).message})`);
  }
  try {
    const check = copy.sqlite!.pragma('integrity_check', { simple: true });
    if (check !== 'ok') throw fail(`database.db fails integrity_check (${String(check)})`);
    const status = await migrationStatus(copy);
    if (status.current !== m.schemaVersion) throw fail(`database.db is at schema version ${status.current}, the manifest says ${m.schemaVersion}`);
    if (status.current === latest) {
      for (const [table, rows] of await rowCounts(copy.kysely)) {
        if (m.tables[table] !== rows) throw fail(`database.db has ${rows} rows in ${table}, the manifest says ${m.tables[table] ?? 'none'}`);
      }
    }
    if (await tableExists(copy, 'locks')) await createServerPresenceSql(copy.kysely).clear();
    copy.sqlite!.pragma('journal_mode = DELETE');
  } catch (err) {
    if (err instanceof BackupArchiveError) throw err;
    throw fail(`database.db cannot be read (${(err as Error).message})`);
  } finally {
    await copy.close();
  }
}

async function swapSqlite(config: Config, file: string, unpacked: UnpackedArchive, latest: number): Promise<{ preRestoreBackup?: string }> {
  const location = databaseTarget(config).location;
  await checkSqliteCopy(file, unpacked.database, unpacked.manifest, latest, config.allowNetworkFs);
  let preRestoreBackup: string | undefined;
  if (existsSync(location)) {
    const current = openDatabase(databaseTarget(config));
    try {
      await refuseWhileServing(current);
      preRestoreBackup = (await takeBackup(current, config, 'pre-restore')).file;
      current.sqlite!.pragma('wal_checkpoint(TRUNCATE)');
    } finally {
      await current.close();
    }
  }
  // The old database is fully checkpointed and closed: its -wal/-shm must not be read with the new file.
  rmSync(`${location}-wal`, { force: true });
  rmSync(`${location}-shm`, { force: true });
  renameSync(unpacked.database, location);
  return { preRestoreBackup };
}

async function restoreDump(config: Config, unpacked: UnpackedArchive, opts: RestoreArchiveOptions): Promise<{ preRestoreBackup?: string }> {
  const db = openDatabase(databaseTarget(config));
  try {
    await refuseWhileServing(db);
    let preRestoreBackup: string | undefined;
    await restoreDatabase(db, unpacked.database, {
      replace: true,
      onProgress: opts.onProgress,
      beforeReplace: async (d) => {
        preRestoreBackup = (await takeBackup(d, config, 'pre-restore')).file;
      },
    });
    await createServerPresenceSql(db.kysely).clear();
    return { preRestoreBackup };
  } finally {
    await db.close();
  }
}

/** The archived artwork into `<data>/artwork/`, each file temp + rename; files named alike hold the same bytes and are left. */
function putBackArtwork(config: Config, unpacked: UnpackedArchive): number {
  if (unpacked.artwork.length === 0) return 0;
  const dir = artworkDir(config.dataDir);
  mkdirSync(dir, { recursive: true });
  let n = 0;
  for (const file of unpacked.artwork) {
    const dest = join(dir, basename(file));
    if (existsSync(dest)) continue;
    const temp = `${dest}.restore-${process.pid}`;
    copyFileSync(file, temp);
    renameSync(temp, dest);
    n++;
  }
  return n;
}

function putBackSecrets(config: Config, unpacked: UnpackedArchive): boolean {
  if (!unpacked.secrets) return false;
  const dest = secretsFilePath(config.dataDir);
  const temp = `${dest}.restore-${process.pid}`;
  mkdirSync(config.dataDir, { recursive: true });
  copyFileSync(unpacked.secrets, temp);
  chmodSync(temp, 0o600);
  renameSync(temp, dest);
  return true;
}

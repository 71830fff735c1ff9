import { type Config, databaseTarget } from '../config.js';
import { backupDatabase, backupsDir } from '../db/backup.js';
import { type Database, openDatabase } from '../db/connect.js';
import { checkFreeSpace, type FreeSpaceProbe } from '../db/free-space.js';
import { withMaintenanceLock } from '../db/locks.sql.js';
import { type MigrationResult, migrateToLatest, migrationStatus, OutOfSyncMigrationsError, tableExists } from '../db/migrator.js';
import { describeConnectError } from '../db/pg-errors.js';
import { migrationNeeds } from '../db/space-needs.js';

export interface PreparedDatabase {
  db: Database;
  migrated: MigrationResult[];
  backup?: string;
}

/**
 * Opens the database and brings its schema to the latest version, taking a backup first when an
 * existing database must change. Refuses to go on when the database is newer than this build.
 */
export async function prepareDatabase(config: Config, opts: { mountInfoPath?: string; freeSpace?: FreeSpaceProbe } = {}): Promise<PreparedDatabase> {
  const db = openDatabase({ ...databaseTarget(config), mountInfoPath: opts.mountInfoPath });
  try {
    const status = await migrationStatus(db);
    if (status.unknown.length) throw new OutOfSyncMigrationsError(status.unknown);
    let backup: string | undefined;
    if (status.current > 0 && status.pending.length > 0) {
      checkFreeSpace(migrationNeeds(db, backupsDir(config.dataDir)), opts.freeSpace);
      backup = await backupDatabase(db, config.dataDir, `pre-migrate-v${status.current}`, config.backupRetention, { freeSpace: opts.freeSpace });
    }
    const { results, error } = status.pending.length
      ? await withMaintenanceLock(db.kysely, await tableExists(db, 'locks'), 'migrate', () => migrateToLatest(db))
      : { results: [], error: undefined };
    if (error) throw new Error(error);
    return { db, migrated: results, backup };
  } catch (err) {
    await db.close();
    throw describeConnectError(db.target, err);
  }
}

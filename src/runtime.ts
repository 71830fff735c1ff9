import { databaseTarget, type Config, type StoragePhase } from './config.js';
import { openDatabase, type Database } from './db/connect.js';
import { backupDatabase } from './db/backup.js';
import { describeConnectError } from './db/pg-errors.js';
import { migrateToLatest, migrationStatus, OutOfSyncMigrationsError, tableExists, type MigrationResult } from './db/migrator.js';
import { withMaintenanceLock } from './db/locks.sql.js';
import { createAppStateSql } from './db/app-state.sql.js';
import { createSecretBox } from './security/secret-box.js';
import { ensureInstanceSecrets } from './secrets-file.js';
import { createStores } from './stores/index.js';
import { newFileSyncStatus, type Logger } from './stores/dual.js';
import type { AppContext } from './app.js';
import { VERSION } from './version.js';

export const PHASE_KEY = 'storage_phase';

export interface PreparedDatabase {
  db: Database;
  migrated: MigrationResult[];
  backup?: string;
}

/**
 * Opens the database and brings its schema to the latest version, taking a backup first when an
 * existing database must change. Refuses to go on when the database is newer than this build.
 */
export async function prepareDatabase(config: Config): Promise<PreparedDatabase> {
  const db = openDatabase(databaseTarget(config));
  try {
    const status = await migrationStatus(db);
    if (status.unknown.length) throw new OutOfSyncMigrationsError(status.unknown);
    let backup: string | undefined;
    if (status.current > 0 && status.pending.length > 0) {
      backup = await backupDatabase(db, config.dataDir, `pre-migrate-v${status.current}`, config.backupRetention);
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

export async function resolvePhase(db: Database, config: Config): Promise<StoragePhase> {
  if (config.storagePhase) return config.storagePhase;
  return (await createAppStateSql(db.kysely).get<StoragePhase>(PHASE_KEY)) ?? 'db';
}

/** Builds the AppContext the HTTP app, the CLI and the jobs share. */
export async function createContext(config: Config, db: Database, log: Logger, opts: { phase?: StoragePhase; now?: () => Date } = {}): Promise<AppContext> {
  const secrets = ensureInstanceSecrets(config);
  const phase = opts.phase ?? (await resolvePhase(db, config));
  const secretBox = createSecretBox(secrets.encryptionKey);
  const fileSync = newFileSyncStatus();
  const stores = createStores({
    db,
    phase,
    configDir: config.configDir,
    secretBox,
    legacyEncryptionKey: secrets.encryptionKey,
    fileSync,
    log,
  });
  return {
    config,
    db,
    phase,
    stores,
    secretBox,
    jwtSecret: secrets.jwtSecret,
    fileSync,
    version: VERSION,
    startedAt: Date.now(),
    now: opts.now ?? (() => new Date()),
  };
}

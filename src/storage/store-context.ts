/** What every store factory receives, and how it is built from the config (store creation). */
import type { Config } from '../config.js';
import type { Database } from '../db/connect.js';
import { ensureInstanceSecrets } from '../secrets-file.js';
import { createSecretBox, type SecretBox } from '../security/secret-box.js';
import { createFileSyncLedger } from './file-sync.js';
import { resolvePhase } from './phase.js';
import type { StoragePhase } from './phase-list.js';
import { type FileSyncStatus, type Logger, newFileSyncStatus } from './phased-store.js';

/** STYLE.md §3: narrow, explicit dependencies. */
export interface StoreContext {
  db: Database;
  phase: StoragePhase;
  /** The legacy MediaOS config/ directory the `json` stores read and write. */
  configDir: string;
  secretBox: SecretBox;
  /** Key for legacy ciphertexts in the files (the old server's ENCRYPTION_KEY). */
  legacyEncryptionKey: string;
  fileSync: FileSyncStatus;
  log: Logger;
}

/** A store context plus the instance's JWT secret (from the same secrets file). */
export interface OpenedStorage {
  store: StoreContext;
  jwtSecret: string;
}

/**
 * Reads the instance secrets (creating them on first start) and the storage phase (`phase` when
 * given, else resolvePhase), and builds the context the stores are created from.
 */
export async function openStorage(config: Config, db: Database, log: Logger, opts: { phase?: StoragePhase } = {}): Promise<OpenedStorage> {
  const secrets = ensureInstanceSecrets(config);
  const phase = opts.phase ?? (await resolvePhase(db, config));
  // Dual phases keep a durable record of files behind the database. Records still there now were
  // not rewritten at start (see migration/file-resync.ts): this process never clears them.
  const dual = phase === 'dual-read-files' || phase === 'dual-read-db';
  const ledger = dual ? createFileSyncLedger(db.kysely) : undefined;
  const fileSync = newFileSyncStatus(ledger, ledger ? (await ledger.list()).map((r) => r.store) : []);
  return {
    store: {
      db,
      phase,
      configDir: config.configDir,
      secretBox: createSecretBox(secrets.encryptionKey),
      legacyEncryptionKey: secrets.encryptionKey,
      fileSync,
      log,
    },
    jwtSecret: secrets.jwtSecret,
  };
}

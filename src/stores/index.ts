import type { StoragePhase } from '../config.js';
import type { Database } from '../db/connect.js';
import type { SecretBox } from '../security/secret-box.js';
import type { FileSyncStatus, Logger } from './dual.js';

/** What every store factory receives (STYLE.md §3: narrow, explicit dependencies). */
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

// ---- domain stores: each domain adds its import and its member below (one line each) ----
// (domain imports)

export interface Stores {
  // (domain members)
}

export function createStores(ctx: StoreContext): Stores {
  void ctx;
  return {
    // (domain factories)
  };
}

import type { StoragePhase } from './config.js';
import type { Database } from './db/connect.js';
import type { SecretBox } from './security/secret-box.js';
import type { FileSyncStatus, Logger } from './storage/phased-store.js';

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
import { createIndexersStore, type IndexersStore } from './indexers/indexers.store.js';
import { createQualityStore, type QualityStore } from './quality/quality.store.js';
import { createSettingsDocumentStore, type SettingsDocumentStore } from './settings/settings.store.js';
import { createVerifyJobsStore, createVerifyStore, type VerifyJobsStore, type VerifyStore } from './verify/verify.store.js';
import { createJobsStore } from './jobs/jobs.store.js';
import type { JobQueue } from './jobs/jobs.queue.js';
import { createDownloadersStore, type DownloadersStore } from './downloaders/downloaders.store.js';
import { createGrabsStore, type GrabsStore } from './grabs/grabs.store.js';
import { createUsersStore, type UsersStore } from './users/users.store.js';
import { createSessionsStore, type SessionsStore } from './sessions/sessions.store.js';
import { createLibraryStore, type LibraryStore } from './library/library.store.js';
import { createWantedStore, type WantedStore } from './wanted/wanted.store.js';

export interface Stores {
  // (domain members)
  indexers: IndexersStore;
  quality: QualityStore;
  settings: SettingsDocumentStore;
  verify: VerifyStore;
  verifyJobs: VerifyJobsStore;
  jobs: JobQueue;
  downloaders: DownloadersStore;
  grabs: GrabsStore;
  users: UsersStore;
  sessions: SessionsStore;
  library: LibraryStore;
  wanted: WantedStore;
}

export function createStores(ctx: StoreContext): Stores {
  void ctx;
  return {
    // (domain factories)
    indexers: createIndexersStore(ctx),
    quality: createQualityStore(ctx),
    settings: createSettingsDocumentStore(ctx),
    verify: createVerifyStore(ctx),
    verifyJobs: createVerifyJobsStore(ctx),
    jobs: createJobsStore(ctx),
    downloaders: createDownloadersStore(ctx),
    grabs: createGrabsStore(ctx),
    users: createUsersStore(ctx),
    sessions: createSessionsStore(ctx),
    library: createLibraryStore(ctx),
    wanted: createWantedStore(ctx),
  };
}

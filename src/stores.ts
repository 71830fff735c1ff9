/**
 * Store creation for every domain (composition root): one store per domain, each built from the
 * storage layer's StoreContext and following its phase (storage/phased-store.ts).
 */

import { createDownloadersStore, type DownloadersStore } from './downloaders/downloaders.store.js';
import { createGrabsStore, type GrabsStore } from './grabs/grabs.store.js';
// ---- domain stores: each domain adds its import and its member below (one line each) ----
// (domain imports)
import { createIndexersStore, type IndexersStore } from './indexers/indexers.store.js';
import type { JobQueue } from './jobs/jobs.queue.js';
import { createJobsStore } from './jobs/jobs.store.js';
import { createLibraryStore, type LibraryStore } from './library/library.store.js';
import { createQualityStore, type QualityStore } from './quality/quality.store.js';
import { createSessionsStore, type SessionsStore } from './sessions/sessions.store.js';
import { createSettingsDocumentStore, type SettingsDocumentStore } from './settings/settings.store.js';
import type { StoreContext } from './storage/store-context.js';
import { createUsersStore, type UsersStore } from './users/users.store.js';
import { createVerifyJobsStore, createVerifyStore, type VerifyJobsStore, type VerifyStore } from './verify/verify.store.js';
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

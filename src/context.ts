/** The app context (types only): what the composition root (services.ts) builds once and app.ts serves. */
import type { SessionCache } from './auth/session-cache.js';
import type { Config } from './config.js';
import type { Database } from './db/connect.js';
import type { SecretBox } from './security/secret-box.js';
import type { Services } from './services.js';
import type { StoragePhase } from './storage/phase-list.js';
import type { FileSyncStatus } from './storage/phased-store.js';
import type { Stores } from './stores.js';

export interface AppContext {
  config: Config;
  db: Database;
  phase: StoragePhase;
  stores: Stores;
  /** PostgreSQL: the per-request session check kept in this process, used once attached to the cluster signals. */
  sessionCache?: SessionCache;
  /** Every service, built once with its narrow dependencies (services.ts). */
  services: Services;
  secretBox: SecretBox;
  jwtSecret: string;
  fileSync: FileSyncStatus;
  version: string;
  startedAt: number;
  /** Injected clock (tests move time to expire tokens). */
  now: () => Date;
}

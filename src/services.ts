/**
 * THE composition root: builds the stores and every service once, each with the narrow
 * dependencies it needs, for the HTTP app, the jobs worker and tests alike. Routes receive their
 * services from here (routes.ts); nothing else builds a service.
 */

import { createActivityService } from './activity/activity.service.js';
import { createAuthService } from './auth/auth.service.js';
import { createBlocklistSql } from './automation/blocklist.sql.js';
import { createDownloadTracker } from './automation/download-tracker.js';
import { createWantedSearch } from './automation/wanted-search.js';
import type { Config } from './config.js';
import { createMigrationConsole } from './console/console.service.js';
import type { Database } from './db/connect.js';
import { createDownloadersService } from './downloaders/downloaders.service.js';
import { createDownloadsService } from './downloads/downloads.service.js';
import { createEventBus } from './events/events.bus.js';
import { hasKeyMarker, resolveAnyIndexerLink } from './indexers/indexers.links.js';
import { createIndexersService } from './indexers/indexers.service.js';
import { jobHandlers } from './jobs/jobs.handlers.js';
import { createJobsSql } from './jobs/jobs.sql.js';
import { createLibraryService } from './library/library.service.js';
import { createMediaFilesSql } from './media/media-files.sql.js';
import { createScannerService } from './media/scanner.service.js';
import { createMetadataSettingsService } from './metadata/metadata.service.js';
import { createOnboardingService } from './onboarding/onboarding.service.js';
import { createOrganizerConfigService } from './organizer/organizer.service.js';
import { createQualityService } from './quality/quality.service.js';
import type { StoragePhase } from './storage/phase-list.js';
import type { Logger } from './storage/phased-store.js';
import type { Stores } from './stores.js';
import { createSubtitleAutomationConfigService } from './subtitles/subtitles.service.js';
import { createAuditService } from './system/audit.service.js';
import { createAuditSql } from './system/audit.sql.js';
import { createMetrics } from './system/metrics.js';
import { createMetricsSql } from './system/metrics.sql.js';
import { createUsersService } from './users/users.service.js';
import { createVerifyService } from './verify/verify.service.js';
import { createWantedService } from './wanted/wanted.service.js';

export interface ServiceDeps {
  config: Config;
  db: Database;
  phase: StoragePhase;
  stores: Stores;
  jwtSecret: string;
  log: Logger;
  now: () => Date;
}

/** Every service, built once. */
export function createServices(d: ServiceDeps) {
  const { config, stores, now } = d;
  const scanner = createScannerService({
    settings: stores.settings,
    library: stores.library,
    files: createMediaFilesSql(d.db.kysely),
    queue: stores.jobs,
    now,
  });
  const audit = createAuditService({ audit: createAuditSql(d.db.kysely), log: d.log, now });
  const downloads = createDownloadsService({
    downloaders: stores.downloaders,
    grabs: stores.grabs,
    now,
    resolveLink: async (link) => (hasKeyMarker(link) ? resolveAnyIndexerLink(link, await stores.indexers.get()) : link),
  });
  const indexers = createIndexersService({
    indexers: stores.indexers,
    quality: stores.quality,
    blocklist: createBlocklistSql(d.db.kysely),
    audit,
    log: d.log,
    now: () => now().getTime(),
  });
  const quality = createQualityService({ quality: stores.quality, audit, now });
  const wantedSearch = createWantedSearch({ wanted: stores.wanted, indexers, downloads, queue: stores.jobs, now });
  const downloadTracker = createDownloadTracker({
    grabs: stores.grabs,
    downloaders: stores.downloaders,
    wanted: stores.wanted,
    library: stores.library,
    settings: stores.settings,
    blocklist: createBlocklistSql(d.db.kysely),
    searchAgain: wantedSearch.queueSearch,
    now,
  });
  // The in-process event bus: the jobs worker publishes, GET /api/events streams.
  const events = createEventBus({ now });
  const migrationConsole = createMigrationConsole({ config, db: d.db, audit, events, now });
  const verify = createVerifyService({ verify: stores.verify, verifyJobs: stores.verifyJobs, settings: stores.settings, queue: stores.jobs, audit, now });
  return {
    // One per app: it holds the login limiter and the registration lock.
    auth: createAuthService({
      users: stores.users,
      sessions: stores.sessions,
      jwtSecret: d.jwtSecret,
      phase: d.phase,
      openRegistration: config.openRegistration,
      refreshRotation: config.refreshRotation,
      refreshGraceSeconds: config.refreshGraceSeconds,
      loginRateLimitMax: config.loginRateLimitMax,
      audit,
      now,
    }),
    users: createUsersService({ users: stores.users, sessions: stores.sessions, phase: d.phase, audit, now }),
    activity: createActivityService({ downloaders: stores.downloaders, grabs: stores.grabs }),
    downloaders: createDownloadersService({ downloaders: stores.downloaders, audit }),
    downloads,
    indexers,
    wantedSearch,
    downloadTracker,
    library: createLibraryService({ library: stores.library, audit, now }),
    quality,
    wanted: createWantedService({ wanted: stores.wanted, now, profiles: () => quality.list() }),
    metadataSettings: createMetadataSettingsService({ settings: stores.settings, audit }),
    onboarding: createOnboardingService({ settings: stores.settings, audit, now }),
    organizerConfig: createOrganizerConfigService({ settings: stores.settings, audit }),
    subtitleAutomation: createSubtitleAutomationConfigService({ settings: stores.settings, audit }),
    verify,
    scanner,
    events,
    audit,
    // Quarantine review and the migration console's operations (import, verify, phases, rollback).
    quarantine: migrationConsole.quarantine,
    migrationConsole,
    metrics: createMetrics({
      db: d.db,
      dataDir: config.dataDir,
      slowQueryMs: config.slowQueryMs,
      log: d.log,
      jobCounts: () => createJobsSql(d.db.kysely, d.db.engine).countByStatus(),
      latestImport: () => createMetricsSql(d.db.kysely).latestImport(),
      now,
    }),
    jobHandlers: {
      ...jobHandlers({
        verify,
        scanner,
        wantedSearch,
        downloadTracker,
        housekeeping: { db: d.db, config, stores: { sessions: stores.sessions }, audit, now },
      }),
      ...migrationConsole.jobHandlers,
    },
  };
}
export type Services = ReturnType<typeof createServices>;

/**
 * THE composition root: builds the stores and every service once, each with the narrow
 * dependencies it needs, for the HTTP app, the jobs worker and tests alike. Routes receive their
 * services from here (routes.ts); nothing else builds a service.
 */

import { join } from 'node:path';
import { createActivityService } from './activity/activity.service.js';
import { createAuthService } from './auth/auth.service.js';
import { createSharedLoginLimiter } from './auth/login-limiter.shared.js';
import { createBlocklistSql } from './automation/blocklist.sql.js';
import { createDownloadTracker } from './automation/download-tracker.js';
import { createRssSync } from './automation/rss-sync.js';
import { createWantedSearch } from './automation/wanted-search.js';
import type { Config } from './config.js';
import { createMigrationConsole } from './console/console.service.js';
import type { Database } from './db/connect.js';
import { createCountersSql } from './db/counters.sql.js';
import { withLock } from './db/locks.sql.js';
import { createDownloadersService } from './downloaders/downloaders.service.js';
import { createDownloadsService } from './downloads/downloads.service.js';
import { createEventBus } from './events/events.bus.js';
import { hasKeyMarker, resolveAnyIndexerLink } from './indexers/indexers.links.js';
import { createIndexersService } from './indexers/indexers.service.js';
import { createJobsAdmin } from './jobs/jobs.admin.js';
import { jobHandlers } from './jobs/jobs.handlers.js';
import { createJobsSql } from './jobs/jobs.sql.js';
import { createLibraryService } from './library/library.service.js';
import { artworkDir, createArtworkStore } from './media/artwork.store.js';
import { createFilesService } from './media/files.service.js';
import { createMediaFilesSql } from './media/media-files.sql.js';
import { createScannerImport } from './media/scanner.import.js';
import { createScannerService } from './media/scanner.service.js';
import { createMetadataSettingsService } from './metadata/metadata.service.js';
import { createMetadataCacheSql } from './metadata/metadata-cache.sql.js';
import { createMetadataLookupService } from './metadata/metadata-lookup.service.js';
import { createOnboardingService } from './onboarding/onboarding.service.js';
import { createOrganizerRuns } from './organizer/organizer.run.js';
import { createOrganizerConfigService } from './organizer/organizer.service.js';
import { createOrganizerSql } from './organizer/organizer.sql.js';
import { createQualityService } from './quality/quality.service.js';
import type { StoragePhase } from './storage/phase-list.js';
import type { Logger } from './storage/phased-store.js';
import type { Stores } from './stores.js';
import { createOpenSubtitlesClient } from './subtitles/opensubtitles.client.js';
import { createSubtitleAutomation } from './subtitles/subtitles.automation.js';
import { createSubtitleFiles } from './subtitles/subtitles.files.service.js';
import { createSubtitleAutomationConfigService } from './subtitles/subtitles.service.js';
import { createAuditService } from './system/audit.service.js';
import { createAuditSql } from './system/audit.sql.js';
import { createMetrics } from './system/metrics.js';
import { createMetricsSql } from './system/metrics.sql.js';
import { createUsersService } from './users/users.service.js';
import { createContentQueue } from './verify/content.queue.js';
import { createContentService } from './verify/content.service.js';
import { createContentChecksSql } from './verify/content.sql.js';
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
  const artwork = createArtworkStore({ dir: artworkDir(config.dataDir), maxBytes: config.artworkMaxBytes });
  const scanner = createScannerService({
    settings: stores.settings,
    library: stores.library,
    artwork,
    files: createMediaFilesSql(d.db.kysely),
    queue: stores.jobs,
    // Late-bound: the import is built just below and asks the scanner the same question.
    importing: () => scannerImport.status().status === 'importing',
    now,
  });
  const scannerImport = createScannerImport({
    settings: stores.settings,
    library: stores.library,
    files: createMediaFilesSql(d.db.kysely),
    queue: stores.jobs,
    scanning: () => scanner.status().status === 'scanning',
    now,
  });
  const organizer = createOrganizerRuns({
    settings: stores.settings,
    files: createMediaFilesSql(d.db.kysely),
    sql: createOrganizerSql(d.db.kysely),
    queue: stores.jobs,
    scanning: () => scanner.status().status === 'scanning',
    now,
  });
  const contentChecks = createContentChecksSql(d.db.kysely, d.db.engine);
  const content = createContentService({ settings: stores.settings, checks: contentChecks, now });
  const contentQueue = createContentQueue({ content, checks: contentChecks, jobs: createJobsSql(d.db.kysely, d.db.engine), queue: stores.jobs, now });
  const subtitleFiles = createSubtitleFiles({ settings: stores.settings, openSubtitles: createOpenSubtitlesClient({ baseUrl: config.openSubtitlesUrl }) });
  const audit = createAuditService({ audit: createAuditSql(d.db.kysely), log: d.log, now });
  const metadataSettings = createMetadataSettingsService({ settings: stores.settings, audit });
  const metadata = createMetadataLookupService({
    settings: metadataSettings,
    cache: createMetadataCacheSql(d.db.kysely),
    library: stores.library,
    config,
    now,
  });
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
  const wantedSearch = createWantedSearch({
    wanted: stores.wanted,
    indexers,
    downloads,
    queue: stores.jobs,
    now,
    // Each sweep's searches spread over the first half of its interval: done before the next sweep picks.
    missingSearch: { limit: config.missingSearchLimit, spreadMs: (config.missingSearchHours * 3_600_000) / 2 },
  });
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
  const rssSync = createRssSync({ indexers, wanted: stores.wanted, downloads, now });
  const subtitleAutomation = createSubtitleAutomationConfigService({ settings: stores.settings, audit });
  const subtitleTools = createSubtitleAutomation({
    files: subtitleFiles,
    config: subtitleAutomation,
    mediaFiles: createMediaFilesSql(d.db.kysely),
    jobs: createJobsSql(d.db.kysely, d.db.engine),
    queue: stores.jobs,
    now,
  });
  // The in-process event bus: the jobs worker publishes, GET /api/events streams.
  const events = createEventBus({ now });
  const migrationConsole = createMigrationConsole({ config, db: d.db, audit, events, now });
  const verify = createVerifyService({ verify: stores.verify, verifyJobs: stores.verifyJobs, settings: stores.settings, queue: stores.jobs, audit, now });
  return {
    // Login limits and the registration lock live in the database: shared by every server process on it.
    auth: createAuthService({
      users: stores.users,
      sessions: stores.sessions,
      jwtSecret: d.jwtSecret,
      phase: d.phase,
      openRegistration: config.openRegistration,
      refreshRotation: config.refreshRotation,
      refreshGraceSeconds: config.refreshGraceSeconds,
      loginRateLimitMax: config.loginRateLimitMax,
      loginLimiter: (o) => createSharedLoginLimiter({ counters: createCountersSql(d.db.kysely), ...o }),
      registrationLock: (fn) => withLock(d.db.kysely, 'registration', fn),
      audit,
      now,
    }),
    users: createUsersService({ users: stores.users, sessions: stores.sessions, phase: d.phase, audit, now }),
    activity: createActivityService({ downloaders: stores.downloaders, grabs: stores.grabs, now: () => now().getTime(), log: d.log }),
    downloaders: createDownloadersService({ downloaders: stores.downloaders, audit }),
    downloads,
    indexers,
    wantedSearch,
    downloadTracker,
    rssSync,
    library: createLibraryService({ library: stores.library, audit, now }),
    quality,
    wanted: createWantedService({ wanted: stores.wanted, now, profiles: () => quality.list() }),
    metadataSettings,
    metadata,
    onboarding: createOnboardingService({ settings: stores.settings, audit, now }),
    organizerConfig: createOrganizerConfigService({ settings: stores.settings, audit }),
    organizer,
    subtitleAutomation,
    subtitleFiles,
    subtitleTools,
    verify,
    content,
    contentQueue,
    scanner,
    scannerImport,
    artwork,
    files: createFilesService({ settings: stores.settings, library: stores.library, artwork, now }),
    events,
    audit,
    jobsAdmin: createJobsAdmin({ sql: createJobsSql(d.db.kysely, d.db.engine), now, audit }),
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
        scannerImport,
        organizer,
        contentQueue,
        subtitleTools,
        wantedSearch,
        downloadTracker,
        rssSync,
        housekeeping: { db: d.db, config, stores: { sessions: stores.sessions }, audit, metadataCache: metadata, now },
      }),
      ...migrationConsole.jobHandlers,
    },
  };
}
export type Services = ReturnType<typeof createServices>;

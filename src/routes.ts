import type { FastifyInstance } from 'fastify';
import { activityRoutes } from './activity/activity.routes.js';
import { authRoutes } from './auth/auth.routes.js';
import { backupsRoutes } from './backups/backups.routes.js';
import { calendarRoutes } from './calendar/calendar.routes.js';
import { migrationConsoleRoutes } from './console/console.routes.js';
import { quarantineRoutes } from './console/quarantine.routes.js';
import type { AppContext } from './context.js';
import { downloadersRoutes } from './downloaders/downloaders.routes.js';
import { downloadsRoutes } from './downloads/downloads.routes.js';
import { eventsRoutes } from './events/events.routes.js';
// ---- each domain adds its import and one register line below ----
// (route imports)
import { indexersRoutes } from './indexers/indexers.routes.js';
import { jobsPlugin } from './jobs/jobs.plugin.js';
import { jobsRoutes } from './jobs/jobs.routes.js';
import { libraryRoutes } from './library/library.routes.js';
import { filesRoutes } from './media/files.routes.js';
import { scannerRoutes } from './media/scanner.routes.js';
import { metadataSettingsRoutes } from './metadata/metadata.routes.js';
import { metadataLookupRoutes } from './metadata/metadata-lookup.routes.js';
import { onboardingRoutes } from './onboarding/onboarding.routes.js';
import { organizerConfigRoutes } from './organizer/organizer.routes.js';
import { organizerRunRoutes } from './organizer/organizer.run.routes.js';
import { pluginsRoutes } from './plugins/plugins.routes.js';
import { qualityRoutes } from './quality/quality.routes.js';
import { subtitleAutomationRoutes } from './subtitles/subtitles.routes.js';
import { subtitleToolsRoutes } from './subtitles/subtitles.tools.routes.js';
import { auditRoutes } from './system/audit.routes.js';
import { metricsRoutes } from './system/metrics.routes.js';
import { usersRoutes } from './users/users.routes.js';
import { contentRoutes } from './verify/content.routes.js';
import { verifyRoutes } from './verify/verify.routes.js';
import { wantedRoutes } from './wanted/wanted.routes.js';

/**
 * Registers every domain's routes, each as an encapsulated plugin given its own service(s) from
 * the composition root (services.ts) and the auth hook's service; no route builds a service.
 */
export async function registerDomainRoutes(app: FastifyInstance, ctx: AppContext, opts: { runJobs?: boolean } = {}): Promise<void> {
  const { services: s } = ctx;
  const auth = s.auth;
  // (route registrations)
  await app.register(async (i) => indexersRoutes(i, { indexers: s.indexers, auth }));
  await app.register(async (i) => qualityRoutes(i, { quality: s.quality, auth }));
  await app.register(async (i) => verifyRoutes(i, { verify: s.verify, auth }));
  await app.register(async (i) => contentRoutes(i, { content: s.content, contentQueue: s.contentQueue, auth }));
  await app.register(async (i) => metadataSettingsRoutes(i, { metadataSettings: s.metadataSettings, auth }));
  await app.register(async (i) => metadataLookupRoutes(i, { metadata: s.metadata, auth }));
  await app.register(async (i) => organizerConfigRoutes(i, { organizerConfig: s.organizerConfig, auth }));
  await app.register(async (i) => organizerRunRoutes(i, { organizer: s.organizer, organizerConfig: s.organizerConfig, auth }));
  await app.register(async (i) => onboardingRoutes(i, { onboarding: s.onboarding, scanner: s.scanner, auth }));
  await app.register(async (i) => subtitleAutomationRoutes(i, { subtitleAutomation: s.subtitleAutomation, auth }));
  await app.register(async (i) => subtitleToolsRoutes(i, { files: s.subtitleFiles, automation: s.subtitleTools, auth }));
  await app.register(async (i) => {
    await jobsPlugin(
      i,
      { db: ctx.db, now: ctx.now, config: ctx.config, stores: { jobs: ctx.stores.jobs }, services: { jobHandlers: s.jobHandlers }, events: s.events },
      // On close a running job may finish within the shutdown deadline before it is aborted (server.ts).
      // runJobs false: another process of `serve --workers` claims the jobs and runs the upkeep.
      { leaseMs: ctx.config.jobLeaseSeconds * 1000, drainMs: ctx.config.shutdownTimeoutSeconds * 1000, run: opts.runJobs ?? true },
    );
  });
  await app.register(async (i) => downloadersRoutes(i, { downloaders: s.downloaders, auth }));
  await app.register(async (i) => downloadsRoutes(i, { downloads: s.downloads, auth, uploadMaxBytes: ctx.config.uploadMaxBytes }));
  await app.register(async (i) => activityRoutes(i, { activity: s.activity, auth }));
  await app.register(async (i) => libraryRoutes(i, { library: s.library, auth }));
  await app.register(async (i) => wantedRoutes(i, { wanted: s.wanted, scanner: s.wantedSearch, auth, engine: ctx.db.engine }));
  await app.register(async (i) => calendarRoutes(i, { wanted: ctx.stores.wanted, now: ctx.now, auth }));
  await app.register(async (i) => authRoutes(i, { auth, users: s.users }));
  await app.register(async (i) => pluginsRoutes(i, { auth }));
  await app.register(async (i) => usersRoutes(i, { users: s.users, auth }));
  await app.register(async (i) => scannerRoutes(i, { scanner: s.scanner, scannerImport: s.scannerImport, auth }));
  await app.register(async (i) => filesRoutes(i, { files: s.files, artwork: s.artwork, auth }));
  await app.register(async (i) => backupsRoutes(i, { db: ctx.db, config: ctx.config, auth, audit: s.audit, now: ctx.now }));
  await app.register(async (i) => eventsRoutes(i, { events: s.events, auth }));
  await app.register(async (i) => auditRoutes(i, { audit: s.audit, auth }));
  await app.register(async (i) => jobsRoutes(i, { jobsAdmin: s.jobsAdmin, auth }));
  await app.register(async (i) => quarantineRoutes(i, { quarantine: s.quarantine, auth }));
  await app.register(async (i) => migrationConsoleRoutes(i, { console: s.migrationConsole, queue: ctx.stores.jobs, auth }));
  await app.register(async (i) => metricsRoutes(i, { metrics: s.metrics, auth, token: ctx.config.metricsToken }));
}

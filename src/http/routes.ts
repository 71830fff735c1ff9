import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../app.js';

// ---- each domain adds its import and one register line below ----
// (route imports)
import { indexersRoutes } from '../indexers/indexers.routes.js';
import { qualityRoutes } from '../quality/quality.routes.js';
import { verifyRoutes } from '../verify/verify.routes.js';
import { metadataSettingsRoutes } from '../metadata/metadata.routes.js';
import { organizerConfigRoutes } from '../organizer/organizer.routes.js';
import { onboardingRoutes } from '../onboarding/onboarding.routes.js';
import { subtitleAutomationRoutes } from '../subtitles/subtitles.routes.js';
import { jobsPlugin } from '../jobs/jobs.plugin.js';
import { downloadersRoutes } from '../downloaders/downloaders.routes.js';
import { downloadsRoutes } from '../downloads/downloads.routes.js';
import { activityRoutes } from '../activity/activity.routes.js';
import { libraryRoutes } from '../library/library.routes.js';
import { wantedRoutes } from '../wanted/wanted.routes.js';
import { calendarRoutes } from '../calendar/calendar.routes.js';
import { authRoutes } from '../auth/auth.routes.js';
import { pluginsRoutes } from '../plugins/plugins.routes.js';
import { backupsRoutes } from '../backups/backups.routes.js';

/** Registers every domain's routes, each as an encapsulated plugin. */
export async function registerDomainRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  void ctx;
  // (route registrations)
  await app.register(async (i) => indexersRoutes(i, ctx));
  await app.register(async (i) => qualityRoutes(i, ctx));
  await app.register(async (i) => verifyRoutes(i, ctx));
  await app.register(async (i) => metadataSettingsRoutes(i, ctx));
  await app.register(async (i) => organizerConfigRoutes(i, ctx));
  await app.register(async (i) => onboardingRoutes(i, ctx));
  await app.register(async (i) => subtitleAutomationRoutes(i, ctx));
  await app.register(async (i) => { await jobsPlugin(i, ctx); });
  await app.register(async (i) => downloadersRoutes(i, ctx));
  await app.register(async (i) => downloadsRoutes(i, ctx));
  await app.register(async (i) => activityRoutes(i, ctx));
  await app.register(async (i) => libraryRoutes(i, ctx));
  await app.register(async (i) => wantedRoutes(i, ctx));
  await app.register(async (i) => calendarRoutes(i, ctx));
  await app.register(async (i) => authRoutes(i, ctx));
  await app.register(async (i) => pluginsRoutes(i, ctx));
  await app.register(async (i) => backupsRoutes(i, ctx));
}

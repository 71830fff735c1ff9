import type { FastifyInstance } from 'fastify';
import { authenticate, type RequestAuthenticator, requireUser } from '../http/auth.js';
import { parseInput } from '../http/errors.js';
import type { ScannerService } from '../media/scanner.service.js';
import type { OnboardingService } from './onboarding.service.js';
import { ONBOARDING_STATUS, onboardingSetupBody } from './onboarding.types.js';

export interface OnboardingRoutesDeps {
  onboarding: OnboardingService;
  /** The library scanner: POST /scan queues a scan of the configured folders; GET /status reports it. */
  scanner: Pick<ScannerService, 'startConfigured' | 'status'>;
  auth: RequestAuthenticator;
}

/**
 * Onboarding (API.md §14; legacy had no auth at all).
 * - GET /check-setup stays PUBLIC on purpose: the UI asks it before anyone can log in (to choose
 *   between the first-run wizard and the login page) and it reveals one boolean only.
 * - POST /setup and /scan write `settings.json`: admin.
 * - GET /status: any user.
 * - GET /folders (new, any user): `{ok:true,folders,setupCompleted,lastScanDate}`, the media
 *   folders POST /setup saved (the web app's settings page reads them).
 * Legacy /scan only recorded `lastScanDate`; here it also queues a library scan of every media
 * folder (the accessible ones; none, or a scan already running, is fine: "Scan started" either way), and /status reports it.
 * The browse/open-explorer/pick-folder routes (shell commands on the server) are not served.
 */
export async function onboardingRoutes(app: FastifyInstance, deps: OnboardingRoutesDeps): Promise<void> {
  const service = deps.onboarding;
  app.get('/api/onboarding/check-setup', async () => ({ setupCompleted: await service.setupCompleted() }));
  app.post('/api/onboarding/setup', { preHandler: authenticate(deps.auth, 'admin') }, async (request) => {
    await service.setup(parseInput(onboardingSetupBody, request.body), requireUser(request).id);
    return { success: true, message: 'Folders saved' };
  });
  app.post('/api/onboarding/scan', { preHandler: authenticate(deps.auth, 'admin') }, async (request) => {
    await service.markScanned(requireUser(request).id);
    await deps.scanner.startConfigured();
    return { success: true, message: 'Scan started' };
  });
  app.get('/api/onboarding/folders', { preHandler: authenticate(deps.auth, 'user') }, async () => {
    const s = await service.appSettings();
    return { ok: true, folders: s.mediaFolders, setupCompleted: s.setupCompleted === true, lastScanDate: s.lastScanDate ?? null };
  });
  app.get('/api/onboarding/status', { preHandler: authenticate(deps.auth, 'user') }, async () => {
    const p = deps.scanner.status();
    if (p.status !== 'scanning') return { ...ONBOARDING_STATUS };
    return { scanning: true, progress: p.totalFiles > 0 ? Math.floor((p.scannedFiles / p.totalFiles) * 100) : 0, currentFile: p.currentPath || null };
  });
}

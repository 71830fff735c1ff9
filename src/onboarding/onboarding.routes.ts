import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../app.js';
import { authenticate } from '../http/auth.js';
import { parseInput } from '../http/errors.js';
import { onboardingServiceFor } from './onboarding.service.js';
import { ONBOARDING_STATUS, onboardingSetupBody } from './onboarding.types.js';

/**
 * Onboarding (API.md §14; legacy had no auth at all).
 * - GET /check-setup stays PUBLIC on purpose: the UI asks it before anyone can log in (to choose
 *   between the first-run wizard and the login page) and it reveals one boolean only.
 * - POST /setup and /scan write `settings.json`: admin.
 * - GET /status: any user.
 * The browse/open-explorer/pick-folder routes (shell commands on the server) are not served.
 */
export async function onboardingRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const service = onboardingServiceFor(ctx);
  app.get('/api/onboarding/check-setup', async () => ({ setupCompleted: await service.setupCompleted() }));
  app.post('/api/onboarding/setup', { preHandler: authenticate(ctx, 'admin') }, async (request) => {
    await service.setup(parseInput(onboardingSetupBody, request.body));
    return { success: true, message: 'Folders saved' };
  });
  app.post('/api/onboarding/scan', { preHandler: authenticate(ctx, 'admin') }, async () => {
    await service.markScanned();
    return { success: true, message: 'Scan started' };
  });
  app.get('/api/onboarding/status', { preHandler: authenticate(ctx, 'user') }, async () => ({ ...ONBOARDING_STATUS }));
}

import type { FastifyInstance } from 'fastify';
import { authenticate, type RequestAuthenticator, requireUser } from '../http/auth.js';
import { parseInput } from '../http/errors.js';
import type { SubtitleAutomationConfigService } from './subtitles.service.js';
import { subtitleAutomationConfigBody } from './subtitles.types.js';

export interface SubtitleAutomationRoutesDeps {
  subtitleAutomation: SubtitleAutomationConfigService;
  auth: RequestAuthenticator;
}

/** Subtitle automation configuration (API.md §15, config routes only; legacy had no auth). */
export async function subtitleAutomationRoutes(app: FastifyInstance, deps: SubtitleAutomationRoutesDeps): Promise<void> {
  const service = deps.subtitleAutomation;
  app.get('/api/subtitles/automation/config', { preHandler: authenticate(deps.auth, 'user') }, async () => ({ ok: true, config: await service.get() }));
  app.post('/api/subtitles/automation/config', { preHandler: authenticate(deps.auth, 'admin') }, async (request) => {
    const config = await service.save(parseInput(subtitleAutomationConfigBody, request.body), requireUser(request).id);
    return { ok: true, config, message: 'Configuration saved' };
  });
}

import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../app.js';
import { authenticate } from '../http/auth.js';
import { parseInput } from '../http/errors.js';
import { subtitleAutomationConfigServiceFor } from './subtitles.service.js';
import { subtitleAutomationConfigBody } from './subtitles.types.js';

/** Subtitle automation configuration (API.md §15, config routes only; legacy had no auth). */
export async function subtitleAutomationRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const service = subtitleAutomationConfigServiceFor(ctx);
  app.get('/api/subtitles/automation/config', { preHandler: authenticate(ctx, 'user') }, async () => ({ ok: true, config: await service.get() }));
  app.post('/api/subtitles/automation/config', { preHandler: authenticate(ctx, 'admin') }, async (request) => {
    const config = await service.save(parseInput(subtitleAutomationConfigBody, request.body));
    return { ok: true, config, message: 'Configuration saved' };
  });
}

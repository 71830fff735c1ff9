import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../app.js';
import { authenticate } from '../http/auth.js';
import { parseInput } from '../http/errors.js';
import { organizerConfigServiceFor } from './organizer.service.js';
import { organizerConfigBody } from './organizer.types.js';

/** Organizer configuration (API.md §13, config routes only): read by users, written by admins. */
export async function organizerConfigRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const service = organizerConfigServiceFor(ctx);
  app.get('/api/organizer/config', { preHandler: authenticate(ctx, 'user') }, async () => ({ ok: true, ...(await service.get()) }));
  app.post('/api/organizer/config', { preHandler: authenticate(ctx, 'admin') }, async (request) => {
    const config = await service.save(parseInput(organizerConfigBody, request.body));
    return { ok: true, config };
  });
}

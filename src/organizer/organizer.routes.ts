import type { FastifyInstance } from 'fastify';
import { authenticate, type RequestAuthenticator, requireUser } from '../http/auth.js';
import { parseInput } from '../http/errors.js';
import type { OrganizerConfigService } from './organizer.service.js';
import { organizerConfigBody } from './organizer.types.js';

export interface OrganizerConfigRoutesDeps {
  organizerConfig: OrganizerConfigService;
  auth: RequestAuthenticator;
}

/** Organizer configuration (API.md §13, config routes only): read by users, written by admins. */
export async function organizerConfigRoutes(app: FastifyInstance, deps: OrganizerConfigRoutesDeps): Promise<void> {
  const service = deps.organizerConfig;
  app.get('/api/organizer/config', { preHandler: authenticate(deps.auth, 'user') }, async () => ({ ok: true, ...(await service.get()) }));
  app.post('/api/organizer/config', { preHandler: authenticate(deps.auth, 'admin') }, async (request) => {
    const config = await service.save(parseInput(organizerConfigBody, request.body), requireUser(request).id);
    return { ok: true, config };
  });
}

import type { FastifyInstance } from 'fastify';
import { authenticate, type RequestAuthenticator } from '../http/auth.js';
import { parseInput } from '../http/errors.js';
import type { ActivityService } from './activity.service.js';
import { activityActionBody } from './activity.types.js';

export interface ActivityRoutesDeps {
  activity: ActivityService;
  auth: RequestAuthenticator;
}

/** The activity page (API.md §6). Legacy had no auth here; every route now needs a user token. */
export async function activityRoutes(app: FastifyInstance, deps: ActivityRoutesDeps): Promise<void> {
  const service = deps.activity;
  const user = { preHandler: authenticate(deps.auth, 'user') };

  app.get('/api/activity/queue', user, async () => ({ ok: true, items: await service.queue() }));
  app.get('/api/activity/history', user, async () => ({ ok: true, items: await service.history() }));
  app.get('/api/activity/live', user, async () => ({ ok: true, items: await service.live() }));
  app.post('/api/activity/action', user, async (request) => {
    await service.action(parseInput(activityActionBody, request.body));
    return { ok: true };
  });
}

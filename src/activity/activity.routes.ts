import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../app.js';
import { authenticate } from '../http/auth.js';
import { parseInput } from '../http/errors.js';
import { createActivityService } from './activity.service.js';
import { activityActionBody } from './activity.types.js';

/** The activity page (API.md §6). Legacy had no auth here; every route now needs a user token. */
export async function activityRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const service = createActivityService({ downloaders: ctx.stores.downloaders, grabs: ctx.stores.grabs });
  const user = { preHandler: authenticate(ctx, 'user') };

  app.get('/api/activity/queue', user, async () => ({ ok: true, items: await service.queue() }));
  app.get('/api/activity/history', user, async () => ({ ok: true, items: await service.history() }));
  app.get('/api/activity/live', user, async () => ({ ok: true, items: await service.live() }));
  app.post('/api/activity/action', user, async (request) => {
    await service.action(parseInput(activityActionBody, request.body));
    return { ok: true };
  });
}

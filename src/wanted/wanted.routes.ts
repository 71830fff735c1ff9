import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../app.js';
import { authenticate } from '../http/auth.js';
import { parseInput } from '../http/errors.js';
import { Invalid } from '../errors.js';
import { createWantedService } from './wanted.service.js';
import { addWantedBody, scanWantedBody } from './wanted.types.js';

export async function wantedRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const service = createWantedService({ wanted: ctx.stores.wanted, now: ctx.now });
  const user = { preHandler: authenticate(ctx, 'user') };

  app.get('/api/wanted', user, async () => ({ ok: true, items: await service.list() }));

  app.post('/api/wanted', user, async (request) => {
    const parsed = addWantedBody.safeParse(request.body ?? {});
    if (!parsed.success) throw new Invalid('missing_params'); // the legacy code clients match on
    return { ok: true, items: await service.add(parsed.data) };
  });

  app.delete<{ Params: { kind: string; id: string } }>('/api/wanted/:kind/:id', user, async (request) => {
    return { ok: true, items: await service.remove(request.params.kind, request.params.id) };
  });

  // Legacy limit: 10 scans a minute (applies when the global rate limiter is on).
  app.post('/api/wanted/scan', { ...user, config: { rateLimit: { max: 10, timeWindow: 60_000 } } }, async (request) => {
    parseInput(scanWantedBody, request.body ?? undefined); // `enqueue` is accepted; nothing is grabbed
    return { ok: true, ...(await service.scan()) };
  });
}

import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../app.js';
import { authenticate } from '../http/auth.js';
import { parseInput } from '../http/errors.js';
import { createQualityService } from './quality.service.js';
import { bulkSaveProfilesBody, newProfileBody, patchProfileBody, saveQualityMapBody } from './quality.types.js';

/**
 * Quality (API.md §7): the legacy per-kind map and the named profiles, with the legacy bodies.
 * Reads need a user, writes an admin. Not found is 404 `{ok:false,error:"Profile not found"}`
 * (legacy answered 200), bad input 400 naming the field (legacy: 500 from zod).
 */
export async function qualityRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const service = createQualityService({ quality: ctx.stores.quality, now: ctx.now });
  const user = { preHandler: authenticate(ctx, 'user') };
  const admin = { preHandler: authenticate(ctx, 'admin') };
  type IdParams = { Params: { id: string } };

  app.get('/api/settings/quality', user, async () => ({ ok: true, profiles: await service.getMap() }));

  app.post('/api/settings/quality', admin, async (request) => {
    const body = parseInput(saveQualityMapBody, request.body);
    return { ok: true, profiles: await service.saveMap(body.profiles) };
  });

  app.get('/api/settings/quality-profiles', user, async () => ({ ok: true, profiles: await service.list() }));

  app.post('/api/settings/quality-profiles', admin, async (request) => {
    const body = parseInput(bulkSaveProfilesBody, request.body);
    return { ok: true, profiles: await service.bulkSave(body) };
  });

  app.post('/api/settings/quality-profiles/new', admin, async (request) => {
    const body = parseInput(newProfileBody, request.body);
    return { ok: true, profile: await service.create(body) };
  });

  app.post('/api/settings/quality-profiles/reset', admin, async () => ({ ok: true, profiles: await service.reset() }));

  app.get<IdParams>('/api/settings/quality-profiles/:id', user, async (request) => ({ ok: true, profile: await service.get(request.params.id) }));

  app.patch<IdParams>('/api/settings/quality-profiles/:id', admin, async (request) => {
    const patch = parseInput(patchProfileBody, request.body);
    return { ok: true, profile: await service.patch(request.params.id, patch) };
  });

  app.delete<IdParams>('/api/settings/quality-profiles/:id', admin, async (request) => ({ ok: true, profile: await service.remove(request.params.id) }));
}

import type { FastifyInstance } from 'fastify';
import { authenticate, type RequestAuthenticator, requireUser } from '../http/auth.js';
import { parseInput } from '../http/errors.js';
import type { QualityService } from './quality.service.js';
import { bulkSaveProfilesBody, newProfileBody, patchProfileBody, saveQualityMapBody } from './quality.types.js';

export interface QualityRoutesDeps {
  quality: QualityService;
  auth: RequestAuthenticator;
}

/**
 * Quality (API.md §7): the legacy per-kind map and the named profiles, with the legacy bodies.
 * Reads need a user, writes an admin. Not found is 404 `{ok:false,error:"Profile not found"}`
 * (legacy answered 200), bad input 400 naming the field (legacy: 500 from zod).
 */
export async function qualityRoutes(app: FastifyInstance, deps: QualityRoutesDeps): Promise<void> {
  const service = deps.quality;
  const user = { preHandler: authenticate(deps.auth, 'user') };
  const admin = { preHandler: authenticate(deps.auth, 'admin') };
  type IdParams = { Params: { id: string } };

  app.get('/api/settings/quality', user, async () => ({ ok: true, profiles: await service.getMap() }));

  app.post('/api/settings/quality', admin, async (request) => {
    const body = parseInput(saveQualityMapBody, request.body);
    return { ok: true, profiles: await service.saveMap(body.profiles, requireUser(request).id) };
  });

  app.get('/api/settings/quality-profiles', user, async () => ({ ok: true, profiles: await service.list() }));

  app.post('/api/settings/quality-profiles', admin, async (request) => {
    const body = parseInput(bulkSaveProfilesBody, request.body);
    return { ok: true, profiles: await service.bulkSave(body, requireUser(request).id) };
  });

  app.post('/api/settings/quality-profiles/new', admin, async (request) => {
    const body = parseInput(newProfileBody, request.body);
    return { ok: true, profile: await service.create(body, requireUser(request).id) };
  });

  app.post('/api/settings/quality-profiles/reset', admin, async (request) => ({ ok: true, profiles: await service.reset(requireUser(request).id) }));

  app.get<IdParams>('/api/settings/quality-profiles/:id', user, async (request) => ({ ok: true, profile: await service.get(request.params.id) }));

  app.patch<IdParams>('/api/settings/quality-profiles/:id', admin, async (request) => {
    const patch = parseInput(patchProfileBody, request.body);
    return { ok: true, profile: await service.patch(request.params.id, patch, requireUser(request).id) };
  });

  app.delete<IdParams>('/api/settings/quality-profiles/:id', admin, async (request) => ({
    ok: true,
    profile: await service.remove(request.params.id, requireUser(request).id),
  }));
}

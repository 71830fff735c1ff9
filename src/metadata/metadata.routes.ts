import type { FastifyInstance } from 'fastify';
import { authenticate, type RequestAuthenticator, requireUser } from '../http/auth.js';
import { parseInput } from '../http/errors.js';
import type { MetadataSettingsService } from './metadata.service.js';
import { metadataSettingsBody } from './metadata.types.js';

export interface MetadataSettingsRoutesDeps {
  metadataSettings: MetadataSettingsService;
  auth: RequestAuthenticator;
}

/** Metadata provider settings (API.md §10, settings routes only). The TMDB key is never returned. */
export async function metadataSettingsRoutes(app: FastifyInstance, deps: MetadataSettingsRoutesDeps): Promise<void> {
  const service = deps.metadataSettings;
  app.get('/api/metadata/settings', { preHandler: authenticate(deps.auth, 'user') }, async () => service.view());
  app.post('/api/metadata/settings', { preHandler: authenticate(deps.auth, 'admin') }, async (request) => {
    const view = await service.save(parseInput(metadataSettingsBody, request.body), requireUser(request).id);
    return { ok: true, ...view };
  });
}

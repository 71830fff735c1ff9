import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../app.js';
import { authenticate } from '../http/auth.js';
import { parseInput } from '../http/errors.js';
import { metadataSettingsServiceFor } from './metadata.service.js';
import { metadataSettingsBody } from './metadata.types.js';

/** Metadata provider settings (API.md §10, settings routes only). The TMDB key is never returned. */
export async function metadataSettingsRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const service = metadataSettingsServiceFor(ctx);
  app.get('/api/metadata/settings', { preHandler: authenticate(ctx, 'user') }, async () => service.view());
  app.post('/api/metadata/settings', { preHandler: authenticate(ctx, 'admin') }, async (request) => {
    const view = await service.save(parseInput(metadataSettingsBody, request.body));
    return { ok: true, ...view };
  });
}

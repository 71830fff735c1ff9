import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../app.js';
import { authenticate } from '../http/auth.js';
import { parseDocumentInput, parseInput } from '../http/errors.js';
import { createDownloadersService } from './downloaders.service.js';
import { saveDownloadersBody, testDownloaderBody } from './downloaders.types.js';

function isSettingsProblem(error: unknown): boolean {
  return typeof error === 'string' && /^(missing_baseUrl|missing_apiKey|invalid_baseUrl)\b/.test(error);
}

/**
 * Download-client settings (API.md §3). Legacy had no auth here (anyone could read which secrets
 * exist and replace them); now reading needs a user and writing or probing needs an admin.
 */
export async function downloadersRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const service = createDownloadersService({ downloaders: ctx.stores.downloaders });
  const user = { preHandler: authenticate(ctx, 'user') };
  const admin = { preHandler: authenticate(ctx, 'admin') };

  // Bare DownloadersView (no `ok`), as legacy.
  app.get('/api/settings/downloaders', user, async () => service.view());

  app.post('/api/settings/downloaders', admin, async (request) => {
    const body = parseDocumentInput(saveDownloadersBody, request.body);
    return { ok: true, downloaders: await service.save(body) };
  });

  // The legacy bodies with real statuses (README "Real statuses"): a bad `client` or settings
  // that cannot be tried (no baseUrl, no SAB apiKey, a baseUrl that is not http(s)) is 400; a
  // probe that reached no client or was refused by it is 502 `{ok:false,error[,status]}`.
  app.post('/api/settings/downloaders/test', admin, async (request, reply) => {
    const result = await service.test(parseInput(testDownloaderBody, request.body));
    if (!result.ok) reply.status(isSettingsProblem(result.error) ? 400 : 502);
    return result;
  });
}

import type { FastifyInstance } from 'fastify';
import { authenticate, type RequestAuthenticator, requireUser } from '../http/auth.js';
import { parseDocumentInput, parseInput } from '../http/errors.js';
import type { DownloadersService } from './downloaders.service.js';
import { saveDownloadersBody, testDownloaderBody } from './downloaders.types.js';

function isSettingsProblem(error: unknown): boolean {
  return typeof error === 'string' && /^(missing_baseUrl|missing_apiKey|invalid_baseUrl)\b/.test(error);
}

export interface DownloadersRoutesDeps {
  downloaders: DownloadersService;
  auth: RequestAuthenticator;
}

/**
 * Download-client settings (API.md §3). Legacy had no auth here (anyone could read which secrets
 * exist and replace them); now reading needs a user and writing or probing needs an admin.
 */
export async function downloadersRoutes(app: FastifyInstance, deps: DownloadersRoutesDeps): Promise<void> {
  const service = deps.downloaders;
  const user = { preHandler: authenticate(deps.auth, 'user') };
  const admin = { preHandler: authenticate(deps.auth, 'admin') };

  // Bare DownloadersView (no `ok`), as legacy.
  app.get('/api/settings/downloaders', user, async () => service.view());

  app.post('/api/settings/downloaders', admin, async (request) => {
    const body = parseDocumentInput(saveDownloadersBody, request.body);
    return { ok: true, downloaders: await service.save(body, requireUser(request).id) };
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

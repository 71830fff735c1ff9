import type { FastifyInstance } from 'fastify';
import { authenticate, type RequestAuthenticator } from '../http/auth.js';
import { parseDocumentInput, parseInput } from '../http/errors.js';
import type { DownloadersService } from './downloaders.service.js';
import { saveDownloadersBody, testDownloaderBody } from './downloaders.types.js';

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
    return { ok: true, downloaders: await service.save(body) };
  });

  // A failed probe is the test's answer (200 {ok:false,error}); only a bad `client` is a 400.
  app.post('/api/settings/downloaders/test', admin, async (request) => service.test(parseInput(testDownloaderBody, request.body)));
}

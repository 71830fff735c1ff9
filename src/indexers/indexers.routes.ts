import type { FastifyInstance } from 'fastify';
import { authenticate, type RequestAuthenticator, requireUser } from '../http/auth.js';
import { parseInput } from '../http/errors.js';
import type { IndexersService } from './indexers.service.js';
import { createIndexerBody, patchIndexerBody, saveJackettBody, saveProwlarrBody, searchBody, testSourceBody } from './indexers.types.js';

export interface IndexersRoutesDeps {
  indexers: IndexersService;
  auth: RequestAuthenticator;
}

/**
 * Indexers and search (API.md §4). Reads and search need a user; every write, test and sync an
 * admin. Bodies keep the legacy shapes; statuses are real: bad input 400 naming the field
 * (legacy: 500 from zod, e.g. a 1-char `q`), unknown id 404 `not_found`, a source that is not
 * configured 400, a source that fails during sync 502. A failed connection test is the test's
 * answer: 200 `{ok:false,error}`. No response ever holds an apiKey.
 */
export async function indexersRoutes(app: FastifyInstance, deps: IndexersRoutesDeps): Promise<void> {
  const service = deps.indexers;
  const user = { preHandler: authenticate(deps.auth, 'user') };
  const admin = { preHandler: authenticate(deps.auth, 'admin') };
  type IdParams = { Params: { id: string } };

  app.get('/api/indexers', user, async () => service.view());

  app.post('/api/indexers/prowlarr', admin, async (request) => {
    const body = parseInput(saveProwlarrBody, request.body);
    return { ok: true, prowlarr: await service.saveSource('prowlarr', body, requireUser(request).id) };
  });

  app.post('/api/indexers/jackett', admin, async (request) => {
    const body = parseInput(saveJackettBody, request.body);
    return { ok: true, jackett: await service.saveSource('jackett', body, requireUser(request).id) };
  });

  app.post('/api/indexers/prowlarr/test', admin, async (request) => service.test('prowlarr', parseInput(testSourceBody, request.body)));
  app.post('/api/indexers/jackett/test', admin, async (request) => service.test('jackett', parseInput(testSourceBody, request.body)));

  app.post('/api/indexers/prowlarr/sync', admin, async (request) => service.sync('prowlarr', requireUser(request).id));
  app.post('/api/indexers/jackett/sync', admin, async (request) => service.sync('jackett', requireUser(request).id));

  app.post('/api/indexers/search', user, async (request) => service.search(parseInput(searchBody, request.body)));

  app.post('/api/indexers', admin, async (request) => {
    const body = parseInput(createIndexerBody, request.body);
    return { ok: true, indexer: await service.create(body, requireUser(request).id) };
  });

  app.patch<IdParams>('/api/indexers/:id', admin, async (request) => {
    const patch = parseInput(patchIndexerBody, request.body);
    return { ok: true, indexer: await service.patch(request.params.id, patch, requireUser(request).id) };
  });

  app.delete<IdParams>('/api/indexers/:id', admin, async (request) => ({
    ok: true,
    indexer: await service.remove(request.params.id, requireUser(request).id),
  }));
}

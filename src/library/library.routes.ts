import type { FastifyInstance } from 'fastify';
import { authenticate, type RequestAuthenticator, requireUser } from '../http/auth.js';
import { parseInput } from '../http/errors.js';
import { sendJsonList } from '../http/json-list.js';
import type { LibraryService } from './library.service.js';
import { artworkBody, createLibraryItemBody, LIBRARY_PAGE_PARAMS, libraryListQuery, patchLibraryItemBody } from './library.types.js';

type IdParams = { Params: { id: string } };

export interface LibraryRoutesDeps {
  library: LibraryService;
  auth: RequestAuthenticator;
}

export async function libraryRoutes(app: FastifyInstance, deps: LibraryRoutesDeps): Promise<void> {
  const service = deps.library;
  const user = { preHandler: authenticate(deps.auth, 'user') };
  const admin = { preHandler: authenticate(deps.auth, 'admin') };

  // No paging parameter: the legacy `{items}` (all, insertion order). Any of q/kind/sort/limit/
  // cursor: one keyset page `{items,total,nextCursor}`.
  // No response schema: items carry any legacy keys, and fast-json-stringify with
  // `additionalProperties` is twice as slow as JSON.stringify for a page (measured).
  app.get('/api/library', user, async (request, reply) => {
    const query = (request.query ?? {}) as Record<string, unknown>;
    if (!LIBRARY_PAGE_PARAMS.some((k) => Object.hasOwn(query, k))) return sendJsonList(reply, '{"items":', service.allBatches());
    const picked = Object.fromEntries(LIBRARY_PAGE_PARAMS.filter((k) => Object.hasOwn(query, k)).map((k) => [k, query[k]]));
    return service.page(parseInput(libraryListQuery, picked));
  });

  app.get<IdParams>('/api/library/:id', user, async (request) => {
    return { ok: true, item: await service.get(request.params.id) };
  });

  app.post('/api/library', admin, async (request) => {
    return { ok: true, item: await service.create(parseInput(createLibraryItemBody, request.body), requireUser(request).id) };
  });

  app.post('/api/library/artwork', admin, async (request) => {
    return { ok: true, item: await service.setArtwork(parseInput(artworkBody, request.body), requireUser(request).id) };
  });

  app.patch<IdParams>('/api/library/:id', admin, async (request) => {
    return { ok: true, item: await service.patch(request.params.id, parseInput(patchLibraryItemBody, request.body), requireUser(request).id) };
  });

  app.delete<IdParams>('/api/library/:id', admin, async (request) => {
    return { ok: true, item: await service.remove(request.params.id, requireUser(request).id) };
  });
}

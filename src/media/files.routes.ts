import { createReadStream } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { NotFound } from '../errors.js';
import { authenticate, type RequestAuthenticator } from '../http/auth.js';
import { parseInput } from '../http/errors.js';
import type { ArtworkStore } from './artwork.store.js';
import type { FilesService } from './files.service.js';
import { pathNotAllowed } from './path-guard.js';

const text = () => z.string({ error: 'must be a string' }).max(4096, { message: 'at most 4096 characters' });

export const browseQuery = z.object({
  root: text().optional(),
  rel: text().optional(),
  limit: z.coerce
    .number({ error: 'must be a number' })
    .int({ message: 'must be an integer' })
    .min(1, { message: 'at least 1' })
    .max(5000, { message: 'at most 5000' })
    .default(1000),
  cursor: text().optional(),
});

const artworkKind = z.enum(['poster', 'background', 'banner', 'season'], { message: 'must be one of poster, background, banner, season' });

/** POST /api/files/artwork/assign (legacy body). */
export const assignBody = z.object({
  root: text().min(1, { message: 'required' }),
  rel: text().min(1, { message: 'required' }),
  kind: artworkKind,
  season: z.number({ error: 'must be a number' }).int().min(0, { message: '0 to 99' }).max(99, { message: '0 to 99' }).optional(),
  overwrite: z.boolean({ error: 'must be true or false' }).optional(),
});

/** POST /api/files/artwork/item. */
export const itemArtworkBody = z.object({
  root: text().min(1, { message: 'required' }),
  rel: text().min(1, { message: 'required' }),
  itemId: text().min(1, { message: 'required' }),
  kind: z.enum(['poster', 'background'], { message: 'must be poster or background' }),
});

export interface FilesRoutesDeps {
  files: FilesService;
  artwork: ArtworkStore;
  auth: RequestAuthenticator;
}

/**
 * The file browser and artwork (API.md §11). Legacy had no auth here; browsing needs a user and
 * writing needs an admin. Every `(root, rel)` goes through the shared root guard (403
 * `path_not_allowed`). GET /api/artwork/:file is public (an <img> cannot send a bearer token):
 * names are content hashes, cached for a year.
 */
export async function filesRoutes(app: FastifyInstance, deps: FilesRoutesDeps): Promise<void> {
  const user = { preHandler: authenticate(deps.auth, 'user') };
  const admin = { preHandler: authenticate(deps.auth, 'admin') };

  app.get('/api/files/browse', user, async (request) => deps.files.browse(parseInput(browseQuery, request.query)));

  app.post('/api/files/artwork/assign', admin, async (request) => {
    const body = parseInput(assignBody, request.body);
    return { ok: true, ...(await deps.files.assign(body)) };
  });

  app.post('/api/files/artwork/item', admin, async (request) => {
    const body = parseInput(itemArtworkBody, request.body);
    return { ok: true, ...(await deps.files.setItemArtwork(body)) };
  });

  app.get<{ Params: { file: string } }>('/api/artwork/:file', async (request, reply) => {
    const name = request.params.file;
    if (/[/\\\0]|\.\./.test(name)) throw pathNotAllowed('file: an artwork file name, not a path');
    const found = await deps.artwork.find(name);
    if (!found) throw new NotFound('not_found', { message: 'file: no such artwork' });
    const etag = `"${name.slice(0, 64)}"`;
    reply.header('cache-control', 'public, max-age=31536000, immutable');
    reply.header('etag', etag);
    reply.header('last-modified', found.mtime.toUTCString());
    reply.header('x-content-type-options', 'nosniff');
    if (request.headers['if-none-match'] === etag) return reply.status(304).send();
    reply.type(found.contentType);
    reply.header('content-length', found.size);
    return reply.send(createReadStream(found.path));
  });
}

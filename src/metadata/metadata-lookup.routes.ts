import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { Invalid } from '../errors.js';
import { authenticate, type RequestAuthenticator } from '../http/auth.js';
import { parseInput } from '../http/errors.js';
import type { MetadataLookupService } from './metadata-lookup.service.js';

const query = z.string({ error: 'must be a string' }).trim().min(1, { message: 'must not be empty' }).max(200, { message: 'at most 200 characters' });
const year = z.number({ error: 'must be a number' }).int({ message: 'must be a whole year' }).min(1800).max(2200).optional();
const numericId = z
  .string()
  .regex(/^\d{1,10}$/, { message: 'must be a numeric id' })
  .transform(Number);

export const searchBody = z.object({ query, year });
export const musicSearchBody = z.object({
  query,
  type: z.enum(['artist', 'album'], { message: 'must be artist or album' }),
  artistName: z.string({ error: 'must be a string' }).max(200, { message: 'at most 200 characters' }).optional(),
});
export const bookSearchBody = z.object({ query, author: z.string({ error: 'must be a string' }).max(200).optional() });
export const applyBody = z.object({
  itemId: z.string({ error: 'must be a string' }).min(1, { message: 'required' }).max(200),
  provider: z.enum(['tmdb', 'musicbrainz', 'openlibrary'], { message: 'must be tmdb, musicbrainz or openlibrary' }),
  id: z.union([z.string(), z.number()], { error: 'must be a string or a number' }).transform(String),
});
const MBID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const OLWORK = /^OL\d{1,12}W$/;

/** Refines `applyBody`: the id must have the provider's form. */
function checkApplyId(b: z.infer<typeof applyBody>): z.infer<typeof applyBody> {
  const ok = b.provider === 'tmdb' ? /^\d{1,10}$/.test(b.id) : b.provider === 'musicbrainz' ? MBID.test(b.id) : OLWORK.test(b.id);
  if (!ok) throw new Invalid(`id: not a ${b.provider} id`);
  return b;
}

export interface MetadataLookupRoutesDeps {
  metadata: MetadataLookupService;
  auth: RequestAuthenticator;
}

/**
 * The metadata lookups (API.md §10): TMDB searches and details (409 "TMDB API key not configured"),
 * MusicBrainz (409 "MusicBrainz is disabled"), and, new, Open Library books and applying an entry
 * to a library item. A service failure is 502 with a safe message; its 404 stays 404.
 */
export async function metadataLookupRoutes(app: FastifyInstance, deps: MetadataLookupRoutesDeps): Promise<void> {
  const m = deps.metadata;
  const user = { preHandler: authenticate(deps.auth, 'user') };
  const admin = { preHandler: authenticate(deps.auth, 'admin') };
  const param = <T>(schema: z.ZodType<T>, v: unknown) => parseInput(schema, v);

  app.post('/api/metadata/search/movie', user, async (request) => {
    const b = parseInput(searchBody, request.body);
    return { ok: true, results: await m.searchMovie(b.query, b.year) };
  });
  app.get<{ Params: { id: string } }>('/api/metadata/movie/:id', user, async (request) => {
    return { ok: true, movie: await m.movie(param(z.object({ id: numericId }), request.params).id) };
  });
  app.post('/api/metadata/search/tv', user, async (request) => {
    const b = parseInput(searchBody, request.body);
    return { ok: true, results: await m.searchTv(b.query, b.year) };
  });
  app.get('/api/metadata/tv/:id', user, async (request) => {
    return { ok: true, ...(await m.tv(param(z.object({ id: numericId }), request.params).id)) };
  });
  app.get('/api/metadata/tv/:id/season/:seasonNumber', user, async (request) => {
    const p = param(z.object({ id: numericId, seasonNumber: numericId }), request.params);
    return { ok: true, ...(await m.season(p.id, p.seasonNumber)) };
  });
  app.post('/api/metadata/search/music', user, async (request) => {
    const b = parseInput(musicSearchBody, request.body);
    return { ok: true, type: b.type, results: await m.searchMusic(b.query, b.type, b.artistName || undefined) };
  });
  app.get('/api/metadata/music/release/:id', user, async (request) => {
    const p = param(z.object({ id: z.string().regex(MBID, { message: 'must be a MusicBrainz id (MBID)' }) }), request.params);
    return { ok: true, ...(await m.release(p.id.toLowerCase())) };
  });
  app.post('/api/metadata/search/book', user, async (request) => {
    const b = parseInput(bookSearchBody, request.body);
    return { ok: true, results: await m.searchBooks(b.query, b.author || undefined) };
  });
  app.get('/api/metadata/book/:id', user, async (request) => {
    const p = param(z.object({ id: z.string().regex(OLWORK, { message: 'must be an Open Library work id (OL…W)' }) }), request.params);
    return { ok: true, book: await m.book(p.id) };
  });
  app.post('/api/metadata/apply', admin, async (request) => {
    const b = checkApplyId(parseInput(applyBody, request.body));
    return { ok: true, item: await m.apply(b) };
  });
}

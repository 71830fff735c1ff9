import { createHash } from 'node:crypto';
import { AppError, NotFound, UpstreamError } from '../errors.js';
import { ClientError } from '../http-client/http.js';
import type { LibraryStore } from '../library/library.store.js';
import type { LibraryItem } from '../library/library.types.js';
import { describeRequest } from '../metadata-clients/fetch-json.js';
import { createMusicBrainzClient } from '../metadata-clients/musicbrainz.js';
import { createOpenLibraryClient } from '../metadata-clients/openlibrary.js';
import { createTmdbClient, type TmdbClient } from '../metadata-clients/tmdb.js';
import type { MetadataSettingsService } from './metadata.service.js';
import type { MetadataCacheSql } from './metadata-cache.sql.js';

export interface MetadataLookupConfig {
  tmdbUrl: string;
  tmdbImageUrl: string;
  musicBrainzUrl: string;
  openLibraryUrl: string;
  metadataCacheHours: number;
  metadataTimeoutMs: number;
  /** MusicBrainz politeness (tests shorten it); default 1000 ms. */
  musicBrainzIntervalMs?: number;
}

export interface MetadataLookupDeps {
  settings: Pick<MetadataSettingsService, 'providerConfig'>;
  cache: MetadataCacheSql;
  library: Pick<LibraryStore, 'getById' | 'patch'>;
  config: MetadataLookupConfig;
  now: () => Date;
}

export type MetadataProvider = 'tmdb' | 'musicbrainz' | 'openlibrary';

/** A precondition the admin must fix (legacy answered these strings with ok:false). */
const unavailable = (code: string) => new AppError(409, code);

/** A client failure as the API answers it: the service's 404 stays 404, the rest is 502 with a safe message. */
function upstream(provider: MetadataProvider, err: unknown): never {
  if (err instanceof ClientError) {
    if (err.status === 404) throw new NotFound('not_found', { message: `${provider}: no such entry` });
    throw new UpstreamError(`${provider}: ${err.message}`);
  }
  throw err;
}

/**
 * Searches and details from TMDB, MusicBrainz and Open Library, each answer cached in the database
 * until it expires (MEDIAOS_METADATA_CACHE_HOURS), and a chosen entry applied to a library item.
 */
export function createMetadataLookupService(deps: MetadataLookupDeps) {
  const c = deps.config;
  const musicbrainz = createMusicBrainzClient({
    baseUrl: c.musicBrainzUrl,
    timeoutMs: c.metadataTimeoutMs,
    ...(c.musicBrainzIntervalMs !== undefined ? { minIntervalMs: c.musicBrainzIntervalMs } : {}),
  });
  const openlibrary = createOpenLibraryClient({ baseUrl: c.openLibraryUrl, timeoutMs: c.metadataTimeoutMs });

  /** The answer for `request` from the cache, or fetched and stored. The key never holds a secret. */
  async function cached<T>(provider: MetadataProvider, request: string, fetch: () => Promise<T>): Promise<T> {
    const key = `${provider}:${createHash('sha256').update(request).digest('hex')}`;
    const now = deps.now();
    if (c.metadataCacheHours > 0) {
      const hit = await deps.cache.get(key, now.toISOString());
      if (hit !== undefined) return hit as T;
    }
    let value: T;
    try {
      value = await fetch();
    } catch (err) {
      upstream(provider, err);
    }
    if (c.metadataCacheHours > 0) {
      const expiresAt = new Date(now.getTime() + c.metadataCacheHours * 3_600_000).toISOString();
      await deps.cache.put({ key, provider, request, value, fetchedAt: now.toISOString(), expiresAt });
    }
    return value;
  }

  async function tmdb(): Promise<{ client: TmdbClient; tag: string }> {
    const cfg = (await deps.settings.providerConfig()).tmdb;
    if (!cfg.apiKey) throw unavailable('TMDB API key not configured');
    const client = createTmdbClient({
      baseUrl: c.tmdbUrl,
      imageUrl: c.tmdbImageUrl,
      apiKey: cfg.apiKey,
      language: cfg.language,
      includeAdult: cfg.includeAdult,
      timeoutMs: c.metadataTimeoutMs,
    });
    return { client, tag: `language=${cfg.language}&adult=${cfg.includeAdult}` };
  }

  async function musicBrainzOn(): Promise<void> {
    if (!(await deps.settings.providerConfig()).musicbrainz.enabled) throw unavailable('MusicBrainz is disabled');
  }

  const lookup = {
    async searchMovie(query: string, year?: number) {
      const { client, tag } = await tmdb();
      return cached('tmdb', `${describeRequest({ path: '/search/movie', query: { query, year } })}#${tag}`, () => client.searchMovie(query, year));
    },
    async movie(id: number) {
      const { client, tag } = await tmdb();
      return cached('tmdb', `/movie/${id}#${tag}`, () => client.movie(id));
    },
    async searchTv(query: string, year?: number) {
      const { client, tag } = await tmdb();
      return cached('tmdb', `${describeRequest({ path: '/search/tv', query: { query, year } })}#${tag}`, () => client.searchTv(query, year));
    },
    async tv(id: number) {
      const { client, tag } = await tmdb();
      return cached('tmdb', `/tv/${id}#${tag}`, () => client.tv(id));
    },
    async season(id: number, seasonNumber: number) {
      const { client, tag } = await tmdb();
      return cached('tmdb', `/tv/${id}/season/${seasonNumber}#${tag}`, () => client.season(id, seasonNumber));
    },
    async searchMusic(query: string, type: 'artist' | 'album', artistName?: string) {
      await musicBrainzOn();
      if (type === 'artist') return cached('musicbrainz', describeRequest({ path: '/artist', query: { query } }), () => musicbrainz.searchArtists(query));
      return cached('musicbrainz', describeRequest({ path: '/release-group', query: { query, artistName } }), () =>
        musicbrainz.searchAlbums(query, artistName),
      );
    },
    async release(id: string) {
      await musicBrainzOn();
      return cached('musicbrainz', `/release/${id}`, () => musicbrainz.release(id));
    },
    async searchBooks(query: string, author?: string) {
      return cached('openlibrary', describeRequest({ path: '/search.json', query: { q: query, author } }), () => openlibrary.searchBooks(query, author));
    },
    async book(id: string) {
      return cached('openlibrary', `/works/${id}`, () => openlibrary.work(id));
    },
  };

  /** What an entry sets on an item: year, artwork URLs (only where the item has none) and `metadata.<provider>`. */
  async function entryFor(provider: MetadataProvider, id: string, item: LibraryItem) {
    if (provider === 'tmdb') {
      const n = Number(id);
      if (item.kind === 'series') {
        const { show } = await lookup.tv(n);
        return {
          year: show.year,
          poster: show.posterUrl,
          background: show.backdropUrl,
          meta: { tmdbId: show.id, title: show.name, overview: show.overview, genres: show.genres },
        };
      }
      const m = await lookup.movie(n);
      return {
        year: m.year,
        poster: m.posterUrl,
        background: m.backdropUrl,
        meta: { tmdbId: m.id, imdbId: m.imdbId, title: m.title, overview: m.overview, genres: m.genres },
      };
    }
    if (provider === 'musicbrainz') {
      const { release } = await lookup.release(id);
      return {
        year: release.year,
        poster: release.coverArtUrl,
        background: null,
        meta: { musicbrainzId: release.id, title: release.title, artist: release.artist },
      };
    }
    const w = await lookup.book(id);
    return { year: null, poster: w.coverUrl, background: null, meta: { openLibraryId: w.id, title: w.title, overview: w.description, subjects: w.subjects } };
  }

  return {
    ...lookup,
    /** Applies a provider entry to a library item; the previous metadata keys are kept. */
    async apply(body: { itemId: string; provider: MetadataProvider; id: string }): Promise<LibraryItem> {
      const item = await deps.library.getById(body.itemId);
      if (!item) throw new NotFound('not_found', { message: 'itemId: no library item has this id' });
      const e = await entryFor(body.provider, body.id, item);
      const metadata = { ...(item.metadata ?? {}), [body.provider]: { ...e.meta, appliedAt: deps.now().toISOString() } };
      const patch: Parameters<typeof deps.library.patch>[1] = { metadata };
      if (e.year !== null) patch.year = e.year;
      if (e.poster && !item.posterUrl) patch.posterUrl = e.poster;
      if (e.background && !item.backgroundUrl) patch.backgroundUrl = e.background;
      const r = await deps.library.patch(item.id, patch, deps.now().toISOString());
      if (r.status !== 'updated') throw new NotFound('not_found', { message: 'itemId: no library item has this id' });
      return r.item;
    },
    /** Housekeeping: drops expired answers. */
    purgeExpired: () => deps.cache.purgeExpired(deps.now().toISOString()),
  };
}
export type MetadataLookupService = ReturnType<typeof createMetadataLookupService>;

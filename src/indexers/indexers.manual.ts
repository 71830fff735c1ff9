import type { RawHit, SourceSettings } from '../indexer-clients/hits.js';
import { itemsToHits, type SearchParams, torznabCaps, torznabItems } from '../indexer-clients/newznab.js';
import type { IndexerCaps, SearchFunction } from '../indexer-clients/torznab.js';
import { redactManualLink } from './indexers.links.js';
import type { IndexerConfig, IndexerPatch, SearchBody } from './indexers.types.js';

/**
 * Searching one manual Torznab/Newznab indexer: caps read once and cached in its row, the search
 * function its caps allow for the kind (`t=movie` for movies, `tvsearch` with season/ep, `music`,
 * `book`, else `search`), its own categories and timeout. Links never carry its key.
 */

const KIND_FUNCTIONS: [SearchFunction, string[]][] = [
  ['movie', ['movie', 'movies', 'film', 'films']],
  ['tvsearch', ['tv', 'series', 'show', 'shows', 'episode', 'episodes']],
  ['music', ['music', 'album', 'albums', 'artist', 'artists', 'audio']],
  ['book', ['book', 'books', 'ebook', 'ebooks', 'audiobook', 'audiobooks']],
];

/** The search function a wanted kind calls for (`search` when the kind is unknown). */
export function searchFunctionFor(kind: string | undefined): SearchFunction {
  const k = (kind ?? '').trim().toLowerCase();
  for (const [fn, kinds] of KIND_FUNCTIONS) if (kinds.includes(k)) return fn;
  return 'search';
}

/** Ids a wanted item may carry; sent where the caps list them (`imdbid` without its "tt", as Newznab expects). */
export interface SearchIds {
  imdbId?: string;
  tmdbId?: number;
  tvdbId?: number;
}

/** What one indexer is asked: a search (`q` plus what narrows it), or its RSS feed (`q` empty: `t=search` without `q`, newest first). */
export type IndexerQuery = SearchBody & SearchIds;

/** The function and parameters the caps allow: a function without `q` support falls back to `search`. */
export function searchRequest(
  caps: IndexerCaps | undefined,
  body: IndexerQuery,
  categories: readonly number[] | undefined,
): { fn: SearchFunction; params: SearchParams } {
  if (body.q === '') return { fn: 'search', params: categories && categories.length > 0 ? { cat: categories.join(',') } : {} };
  let fn = searchFunctionFor(body.kind);
  if (fn !== 'search' && !(caps?.searching[fn] ?? []).includes('q')) fn = 'search';
  const supported = caps?.searching[fn] ?? ['q'];
  const params: SearchParams = { q: body.q };
  if (body.imdbId !== undefined && supported.includes('imdbid')) params.imdbid = body.imdbId.replace(/^tt/, '');
  if (body.tmdbId !== undefined && supported.includes('tmdbid')) params.tmdbid = String(body.tmdbId);
  if (body.tvdbId !== undefined && supported.includes('tvdbid')) params.tvdbid = String(body.tvdbId);
  if (fn === 'tvsearch' && body.season !== undefined && supported.includes('season')) params.season = String(body.season);
  if (fn === 'tvsearch' && body.episode !== undefined && supported.includes('ep')) params.ep = String(body.episode);
  if (body.year !== undefined && supported.includes('year')) params.year = String(body.year);
  if (categories && categories.length > 0) params.cat = categories.join(',');
  return { fn, params };
}

/** A manual entry that can be searched: enabled, with a URL. */
export function isSearchable(ix: IndexerConfig): boolean {
  return ix.type === 'manual' && ix.enabled === true && typeof ix.baseUrl === 'string' && ix.baseUrl.trim() !== '';
}

export function manualSettings(ix: IndexerConfig, defaultTimeoutMs: number | undefined): SourceSettings {
  const own = typeof ix.timeoutSeconds === 'number' && ix.timeoutSeconds > 0 ? ix.timeoutSeconds * 1000 : undefined;
  return { baseUrl: ix.baseUrl as string, apiKey: typeof ix.apiKey === 'string' ? ix.apiKey : '', timeoutMs: own ?? defaultTimeoutMs };
}

/** Searches one indexer (caps first when not cached); throws ClientError on any failure. */
export async function searchManual(
  ix: IndexerConfig,
  body: IndexerQuery,
  deps: { defaultTimeoutMs?: number; patch: (id: string, patch: IndexerPatch) => Promise<unknown> },
): Promise<RawHit[]> {
  const s = manualSettings(ix, deps.defaultTimeoutMs);
  let caps = ix.caps;
  if (caps === undefined) {
    caps = await torznabCaps(s);
    await deps.patch(ix.id, { caps });
  }
  const { fn, params } = searchRequest(caps, body, Array.isArray(ix.categories) ? ix.categories : undefined);
  const hits = itemsToHits(await torznabItems(s, fn, params), ix.protocol === 'usenet' ? 'usenet' : 'torrent', ix.name);
  return hits.map((h) => ({ ...h, link: redactManualLink(h.link, ix.id, s.apiKey) }));
}

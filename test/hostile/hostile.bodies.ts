import type { RouteDef } from './hostile.helpers.js';

/**
 * Hostile JSON bodies, as raw text (some cannot be produced by JSON.stringify: 1e309, lone
 * surrogates written as escapes, `__proto__` keys).
 */

const nest = (depth: number, open: string, close: string, leaf = '1') => open.repeat(depth) + leaf + close.repeat(depth);

/** Whole bodies that are not the object a route expects. */
export const TOP_LEVEL_BODIES: [string, string][] = [
  ['empty array', '[]'],
  ['array of objects', '[{"kind":"movie","title":"x"}]'],
  ['string', '"hello"'],
  ['number', '42'],
  ['null', 'null'],
  ['__proto__ key', '{"__proto__":{"polluted":"yes","isAdmin":true}}'],
  ['nested __proto__ key', '{"a":{"b":{"__proto__":{"polluted":"yes"}}}}'],
  ['constructor.prototype', '{"constructor":{"prototype":{"polluted":"yes"}}}'],
  ['prototype key', '{"prototype":{"polluted":"yes"}}'],
  ['object depth 1000', nest(1000, '{"a":', '}')],
  ['array depth 1000', nest(1000, '[', ']')],
  ['object depth 5000', nest(5000, '{"a":', '}')],
  ['100 KB key', `{"${'k'.repeat(100_000)}":1}`],
  ['10k keys', `{${Array.from({ length: 10_000 }, (_, i) => `"k${i}":${i}`).join(',')}}`],
  ['duplicate keys', '{"kind":"movie","kind":"series","title":"a","title":"b"}'],
];

/** Values put in place of each leaf of a route's valid body, as raw JSON fragments. */
export const HOSTILE_VALUES: [string, string][] = [
  ['100 KB string', JSON.stringify('A'.repeat(100_000))],
  ['NUL byte', '"a\\u0000b"'],
  ['lone high surrogate', '"x\\ud800y"'],
  ['lone low surrogate', '"\\udfff"'],
  ['1e309', '1e309'],
  ['-0', '-0'],
  ['1e-400', '1e-400'],
  ['2^53+1', '9007199254740993'],
  ['NaN string', '"NaN"'],
  ['null', 'null'],
  ['empty array', '[]'],
  ['object', '{"$gt":""}'],
  ['sql', `"' OR 1=1 --"`],
  ['path traversal', '"../../../../etc/passwd"'],
  ['html', '"<script>alert(1)</script>"'],
  ['rtl + emoji', '"\\u202e\\ud83c\\udfac\\u0301"'],
  ['deep value', nest(1000, '{"a":', '}')],
];

/** A valid body per write route, so the hostile values reach the services, not only zod. */
export const BASE_BODIES: Record<string, unknown> = {
  'POST /api/auth/register': { email: 'x@example.test', password: 'Another#Pass-2024' },
  'POST /api/auth/login': { email: 'nobody@example.test', password: 'wrong' },
  'POST /api/auth/refresh': { refreshToken: 'not-a-token' },
  'POST /api/auth/logout': { refreshToken: 'not-a-token' },
  'POST /api/library': { kind: 'movie', title: 'Hostile Movie', posterUrl: 'https://img.example/p.jpg' },
  'POST /api/library/artwork': { title: 'Hostile Movie', tab: 'poster', url: 'https://img.example/q.jpg' },
  'PATCH /api/library/:id': { title: 'Renamed', posterUrl: null },
  'POST /api/wanted': { id: 'w1', title: 'Wanted One', kind: 'movie' },
  'POST /api/wanted/scan': { enqueue: true },
  'POST /api/settings/downloaders': {
    qbittorrent: { enabled: true, baseUrl: 'http://127.0.0.1:9', username: 'u', password: 'p', timeoutMs: 1000, category: 'c' },
    nzbget: { enabled: false, baseUrl: 'http://127.0.0.1:9', username: 'u', password: 'p' },
    sabnzbd: { enabled: false, baseUrl: 'http://127.0.0.1:9', apiKey: 'k', category: 'c' },
  },
  'POST /api/settings/downloaders/test': { client: 'qbittorrent', settings: { baseUrl: 'http://127.0.0.1:9', username: 'u', password: 'p', timeoutMs: 500 } },
  'POST /api/downloads/grab': { kind: 'movie', id: 'g1', title: 'Grab', link: 'magnet:?xt=urn:btih:abc', protocol: 'torrent' },
  'POST /api/activity/action': { client: 'qbittorrent', op: 'pause', id: 'abc' },
  'POST /api/verify/check': { kind: 'movie', id: 'v1', title: 'Some.Movie.1080p', phase: 'all', path: '/nonexistent/hostile.mkv' },
  'POST /api/verify/jobs': { kind: 'movie', id: 'v2', title: 'Some.Movie.720p' },
  'POST /api/settings/verify': { minDurationSec: 60, allowedContainers: ['mkv'], minBitrateKbpsByHeight: { '1080': 1000 } },
  'POST /api/metadata/settings': { tmdb: { apiKey: 'tmdb-base-key', language: 'en-US', includeAdult: false }, musicbrainz: { enabled: true } },
  'POST /api/organizer/config': {
    destinations: { movies: '/media/movies' },
    defaultOperation: 'copy',
    conflictResolution: 'rename',
    cleanupEmptyFolders: false,
    namingConfig: { movies: { folderFormat: '{Movie.CleanTitle}', fileFormat: '{Movie.CleanTitle}' } },
  },
  'POST /api/onboarding/setup': { folders: [{ path: '/media/movies', type: 'movies' }] },
  'POST /api/subtitles/automation/config': { enabled: true, preferredLanguages: ['en'], whisperModel: 'base', maxSyncOffsetMs: 100, extra: 'x' },
  'POST /api/indexers': { name: 'Manual', type: 'torrent', url: 'https://indexer.example' },
  'PATCH /api/indexers/:id': { enabled: false, name: 'Renamed', priority: 5 },
  'POST /api/indexers/prowlarr': { enabled: false, baseUrl: 'http://127.0.0.1:9', apiKey: 'k', syncEnabled: false },
  'POST /api/indexers/jackett': { enabled: false, baseUrl: 'http://127.0.0.1:9', apiKey: 'k' },
  'POST /api/indexers/search': { q: 'some movie', protocol: 'any', minSeeders: 0 },
  'POST /api/settings/quality': { profiles: { movie: { allowed: ['1080p'], cutoff: '1080p' } } },
};

export function baseBody(r: RouteDef): unknown {
  return BASE_BODIES[`${r.method} ${r.url}`] ?? {};
}

const MARK = '\u0001HOSTILE\u0001';

/** Paths (keys) to every leaf of a JSON value. */
function leaves(v: unknown, path: (string | number)[] = []): (string | number)[][] {
  if (Array.isArray(v)) return v.length ? v.flatMap((x, i) => leaves(x, [...path, i])) : [path];
  if (v && typeof v === 'object') {
    const keys = Object.keys(v);
    return keys.length ? keys.flatMap((k) => leaves((v as Record<string, unknown>)[k], [...path, k])) : [path];
  }
  return [path];
}

function setAt(v: unknown, path: (string | number)[], value: unknown): unknown {
  if (!path.length) return value;
  const copy = (Array.isArray(v) ? [...v] : { ...(v as object) }) as Record<string | number, unknown>;
  copy[path[0]] = setAt((v as Record<string | number, unknown>)[path[0]], path.slice(1), value);
  return copy;
}

/** Every (leaf, hostile value) combination of a body, as raw JSON text. */
export function mutations(body: unknown): [string, string][] {
  const out: [string, string][] = [];
  const marker = JSON.stringify(MARK);
  for (const path of leaves(body)) {
    if (!path.length) continue;
    const text = JSON.stringify(setAt(body, path, MARK));
    for (const [name, fragment] of HOSTILE_VALUES) out.push([`${path.join('.')}=${name}`, text.replace(marker, () => fragment)]);
  }
  // An extra unknown key holding each value, and the valid body with a `__proto__` key added.
  if (body && typeof body === 'object' && !Array.isArray(body)) {
    const text = JSON.stringify(body);
    const add = (member: string) => (text === '{}' ? `{${member}}` : text.replace(/\}$/, () => `,${member}}`));
    for (const [name, fragment] of HOSTILE_VALUES) out.push([`extra=${name}`, add(`"zz_extra":${fragment}`)]);
    out.push(['body+__proto__', add('"__proto__":{"polluted":"yes","role":"admin"}')]);
    out.push(['body+constructor', add('"constructor":{"prototype":{"polluted":"yes"}}')]);
  }
  return out;
}

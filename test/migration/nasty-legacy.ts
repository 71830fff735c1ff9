/**
 * A seeded, deterministic generator of "realistic but nasty" legacy config/ directories: the data
 * a real MediaOS v0.3 install holds (FORMATS.md: ids, both kind vocabularies, encrypted and
 * plaintext secrets, unknown keys) written the ways real files end up on disk (BOM, CRLF,
 * minified, Python's ensure_ascii, hand edits), plus the hostile values a lossless importer must
 * not lose (lone surrogates, NUL, numbers JSON.stringify cannot write back, duplicate keys, ...).
 *
 * `canonicalJson` is the test's own oracle for "equal as JSON values": it reads text without
 * JavaScript numbers (every literal kept as an exact decimal, -0 distinct from 0), objects with
 * last-wins duplicate keys (as JSON.parse), strings exactly (UTF-16 code units), at any depth.
 */
import { isUtf8 } from 'node:buffer';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { prng } from '../../bench/generate-legacy.js';
import { FIXTURE_DIR } from './helpers.js';

// ---- seeded randomness ----

export type Rng = () => number;

/** The benchmark generator's mulberry32: the same seed gives the same directory. */
export const rngFrom: (seed: number) => Rng = prng;
const int = (rng: Rng, lo: number, hi: number) => lo + Math.floor(rng() * (hi - lo + 1));
export const pick = <T>(rng: Rng, list: readonly T[]): T => list[Math.floor(rng() * list.length)]!;
const base36 = (rng: Rng, n: number) => Array.from({ length: n }, () => int(rng, 0, 35).toString(36)).join('');

// ---- writing JSON the ways files end up on disk ----

/** Emitted as this exact JSON text (numbers JSON.stringify cannot write, hand-made escapes). */
export class RawJson {
  constructor(readonly text: string) {}
}
/** An object whose members are written in this order, duplicates included. */
export class DupKeys {
  constructor(readonly entries: [string, unknown][]) {}
}

export interface Style {
  /** 0 = minified. */
  indent: number | '\t';
  eol: '\n' | '\r\n';
  bom: boolean;
  trailingNewline: boolean;
  /** Python's json.dump default: every non-ASCII character as a \u escape. */
  asciiOnly: boolean;
  /** ", " and ": " separators in minified output (Python's default). */
  spaced: boolean;
}

/** What MediaOS itself writes: JSON.stringify(v, null, 2), no trailing newline. */
export const LEGACY_STYLE: Style = { indent: 2, eol: '\n', bom: false, trailingNewline: false, asciiOnly: false, spaced: false };

function str(s: string, style: Style): string {
  const t = JSON.stringify(s);
  return style.asciiOnly ? t.replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`) : t;
}

export function writeJson(value: unknown, style: Style = LEGACY_STYLE): string {
  const unit = style.indent === '\t' ? '\t' : ' '.repeat(style.indent);
  const nl = unit === '' ? '' : style.eol;
  const colon = unit === '' && !style.spaced ? ':' : ': ';
  const comma = unit === '' && style.spaced ? ', ' : ',';
  const emit = (v: unknown, pad: string): string => {
    if (v instanceof RawJson) return v.text;
    if (typeof v === 'string') return str(v, style);
    if (v === null || typeof v === 'number' || typeof v === 'boolean') return JSON.stringify(v);
    const inner = pad + unit;
    const members: [string, unknown][] | undefined = v instanceof DupKeys ? v.entries : Array.isArray(v) ? undefined : Object.entries(v as object);
    if (members === undefined) {
      const a = v as unknown[];
      if (a.length === 0) return '[]';
      return `[${nl}${a.map((e) => inner + emit(e, inner)).join(comma + nl)}${nl}${pad}]`;
    }
    if (members.length === 0) return '{}';
    return `{${nl}${members.map(([k, e]) => `${inner}${str(k, style)}${colon}${emit(e, inner)}`).join(comma + nl)}${nl}${pad}}`;
  };
  return (style.bom ? '\ufeff' : '') + emit(value, '') + (style.trailingNewline ? style.eol : '');
}

/** A plain object with an own `__proto__` (or any) key, as JSON.parse would build it. */
export function own(entries: [string, unknown][]): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  for (const [k, v] of entries) Object.defineProperty(o, k, { value: v, writable: true, enumerable: true, configurable: true });
  return o;
}

// ---- a realistic legacy directory ----

export type LegacyDir = Record<string, unknown>;
export const LEGACY_FILE_NAMES = [
  'users.json',
  'library.json',
  'wanted.json',
  'downloaders.json',
  'indexers.json',
  'quality.json',
  'quality-profiles.json',
  'grabs.json',
  'verify.json',
  'verify-results.json',
  'settings.json',
  'metadata.json',
  'organizer.json',
  'subtitle-automation.json',
  'monitor.json',
] as const;

const TITLES = [
  'Heat',
  'The Wire',
  'Amélie',
  'Björk - Homogenic',
  'Stanisław Lem - Solaris',
  '千と千尋の神隠し',
  'Léon: The Professional',
  'Crouching Tiger, Hidden Dragon',
  '  Padded Title  ',
  'Ну, погоди!',
  '🎬 Reel Stories',
  'Ωmega "Quoted" \\ Backslash',
  'Tab\there',
  'Line\nBreak',
  'Straße',
  'İstanbul Hatırası',
  'ﬁnal ligature',
  'Zoë & Chloë',
  '東京物語',
  'Cidade de Deus',
  'Das Boot',
  '8½',
  'Se7en',
  'M*A*S*H',
  '!Women Art Revolution',
  '[REC]',
  '¿Qué?',
];
const KINDS = ['movie', 'series', 'music', 'book'] as const;
const PLURAL: Record<string, string> = { movie: 'movies', series: 'series', music: 'music', book: 'books' };
const HASH =
  'abcdef0123456789abcdef0123456789:9e259be7160edd3974b79560e838f1562be0927dc4d8681aa9aaa6e559f2caefe23fd8a82818ecaf4377014f2f6bd65392563141fd16fdc13a5f7b2341e06a54';

const fixture = (name: string) => JSON.parse(readFileSync(join(FIXTURE_DIR, name), 'utf8')) as Record<string, unknown>;
const iso = (ms: number) => new Date(ms).toISOString();

export interface Item {
  id: string;
  kind: string;
  title: string;
  [k: string]: unknown;
}

/** Library ids as legacy makes them: base36(Date.now()) + up to 6 random base36 chars. */
export function libraryId(rng: Rng, ms: number): string {
  return ms.toString(36) + base36(rng, int(rng, 2, 6));
}

/** Every legacy file of a plausible install (secrets: the fixture's ciphertexts under LEGACY_KEY, and plaintext). */
export function realisticDir(rng: Rng, size = 24): LegacyDir {
  const t0 = Date.UTC(2024, 10, 30) + int(rng, 0, 1e9);
  const users: Record<string, unknown> = {};
  for (let u = 0; u < int(rng, 1, 4); u++) {
    const ms = t0 + u * 86_400_000;
    const id = `user_${ms}_${base36(rng, 9)}`;
    const user: Record<string, unknown> = {
      id,
      email: `${pick(rng, ['Owner', 'kid', 'Guest.User', 'älice'])}${u}@Example.org`,
      passwordHash: HASH,
      role: u === 0 ? 'admin' : 'user',
      createdAt: iso(ms),
      updatedAt: iso(ms),
    };
    if (rng() < 0.7) user.lastLoginAt = iso(ms + int(rng, 1000, 9e8));
    users[id] = user;
  }
  const items: Item[] = [];
  const seen = new Set<string>();
  for (let i = 0; items.length < size; i++) {
    const kind = pick(rng, KINDS);
    const title = rng() < 0.8 ? pick(rng, TITLES) : `${pick(rng, TITLES)} ${int(rng, 2, 9)}`;
    if (seen.has(`${kind}\u0000${title.toLowerCase()}`)) continue; // legacy keeps (kind, lower(title)) unique
    seen.add(`${kind}\u0000${title.toLowerCase()}`);
    const ms = t0 + i * 3_600_000;
    const item: Item = { id: rng() < 0.9 ? libraryId(rng, ms) : `custom-${base36(rng, 5)}`, kind, title };
    if (rng() < 0.5) item.posterUrl = `https://image.tmdb.org/t/p/w500/${base36(rng, 12)}.jpg`;
    if (rng() < 0.6) item.year = int(rng, 1920, 2025);
    if (rng() < 0.6) item.quality = pick(rng, ['1080p', '720p', '2160p', '480p', '576p']);
    if (rng() < 0.3) item.source = pick(rng, ['BluRay', 'WEB-DL', 'HDTV']);
    if (rng() < 0.5) item.filePath = `/media/${PLURAL[kind]}/${title}/${title}.mkv`;
    if (rng() < 0.5) item.fileSize = int(rng, 1, 60_000) * 1_048_576 + int(rng, 0, 1_048_575);
    if (rng() < 0.5)
      item.metadata = {
        originalFilename: `${title}.mkv`,
        ...(kind === 'series' ? { season: int(rng, 1, 9), episode: int(rng, 1, 24), episodeTitle: '' } : {}),
      };
    if (rng() < 0.1) item.path = `/media/${kind}/${title}`; // scanner-era unknown key
    items.push(item);
  }
  const wanted = items
    .filter(() => rng() < 0.3)
    .map((it, i) => ({
      id: it.id,
      title: it.title,
      kind: rng() < 0.5 ? PLURAL[it.kind] : it.kind,
      addedAt: iso(t0 + i * 60_000),
      ...(rng() < 0.4 ? { lastScan: { at: iso(t0 + i * 60_000 + 5000), found: int(rng, 0, 5), grabbed: int(rng, 0, 1) } } : {}),
    }));
  const grabs: Record<string, unknown> = {};
  const results: Record<string, unknown> = {};
  for (const it of items.filter(() => rng() < 0.35)) {
    const kind = rng() < 0.5 ? PLURAL[it.kind]! : it.kind;
    const torrent = rng() < 0.6;
    grabs[`${kind}:${it.id}`] = {
      kind,
      id: it.id,
      title: `${it.title}.1080p.WEB-DL`,
      link: torrent ? `magnet:?xt=urn:btih:${base36(rng, 40)}` : null,
      protocol: torrent ? 'torrent' : 'usenet',
      client: torrent ? 'qbittorrent' : 'sabnzbd',
      ok: rng() < 0.8,
      ...(rng() < 0.8 ? { status: pick(rng, [200, 'uploaded', 'stored', 403] as const) } : {}),
      at: iso(t0 + int(rng, 0, 1e8)),
      ...(torrent ? {} : { category: 'tv' }),
      ...(!torrent && rng() < 0.3
        ? { nzbUpload: { filename: `${it.id}.nzb`, mimetype: 'application/x-nzb', base64: Buffer.from(`<nzb>${it.title}</nzb>`).toString('base64'), size: 11 } }
        : {}),
    };
    if (rng() < 0.7) {
      results[`${kind}:${it.id}`] = {
        phase: pick(rng, ['all', 'downloader', 'arr', 'player']),
        issues: rng() < 0.5 ? [] : [{ kind: 'encoding_low_bitrate', severity: 'warn', message: '900kbps < 1500kbps for 720p' }],
        analyzedAt: iso(t0 + int(rng, 0, 1e8)),
        topSeverity: pick(rng, ['none', 'warn', 'error']),
        kind,
        id: it.id,
        title: it.title,
        ...(rng() < 0.3 ? { path: `/downloads/${it.id}.mkv` } : {}),
      };
    }
  }
  const indexers = fixture('indexers.json');
  (indexers.indexers as unknown[]).push(
    ...Array.from({ length: int(rng, 0, 3) }, () => ({
      id: base36(rng, 11),
      name: `Manual ${base36(rng, 3)}`,
      type: 'manual',
      protocol: pick(rng, ['torrent', 'usenet']),
      enabled: true,
      baseUrl: `https://${base36(rng, 6)}.example`,
    })),
  );
  return {
    'users.json': users,
    'library.json': { items },
    'wanted.json': { items: wanted },
    'downloaders.json': fixture('downloaders.json'),
    'indexers.json': indexers,
    'quality.json': fixture('quality.json'),
    'quality-profiles.json': fixture('quality-profiles.json'),
    'grabs.json': grabs,
    'verify.json': fixture('verify.json'),
    'verify-results.json': results,
    'settings.json': fixture('settings.json'),
    'metadata.json': fixture('metadata.json'),
    'organizer.json': fixture('organizer.json'),
    'subtitle-automation.json': fixture('subtitle-automation.json'),
    'monitor.json': fixture('monitor.json'),
  };
}

// ---- building blocks of the cases ----

export interface NastyCase {
  name: string;
  /** File name -> bytes (names that are not legacy files are extra files in the directory). */
  files: Record<string, Buffer>;
  /** Extra subdirectories, name -> their files. */
  subdirs?: Record<string, Record<string, Buffer>>;
  args?: string[];
  code: 0 | 2 | 3 | 'any';
  /** exit 2: what stderr must say. */
  err?: RegExp;
  quarantined?: string[];
}

/** `file<TAB>locator` lines as `mediaos import --report` lists them. */
export const q = (file: string, ...locators: string[]) => locators.map((l) => `${file}\t${l || '(whole file)'}`);
export const items = (dir: LegacyDir) => (dir['library.json'] as { items: Item[] }).items;
export const usersOf = (dir: LegacyDir) => dir['users.json'] as Record<string, Record<string, unknown>>;
export const firstUser = (dir: LegacyDir) => Object.values(usersOf(dir))[0]!;
export const grabsOf = (dir: LegacyDir) => dir['grabs.json'] as Record<string, unknown>;
export const wantedOf = (dir: LegacyDir) => (dir['wanted.json'] as { items: Record<string, unknown>[] }).items;
export const resultsOf = (dir: LegacyDir) => dir['verify-results.json'] as Record<string, unknown>;
export const grab = (kind: string, id: string, extra: Record<string, unknown> = {}) => ({
  kind,
  id,
  title: `${id}.1080p`,
  link: null,
  protocol: 'usenet',
  client: 'sabnzbd',
  ok: true,
  status: 'uploaded',
  at: '2025-06-01T12:00:00.000Z',
  ...extra,
});
export const result = (kind: string, id: string, extra: Record<string, unknown> = {}) => ({
  phase: 'all',
  issues: [],
  analyzedAt: '2025-06-01T13:00:00.000Z',
  topSeverity: 'none',
  kind,
  id,
  title: id,
  ...extra,
});
export const wantedItem = (kind: string, id: string, extra: Record<string, unknown> = {}) => ({
  id,
  title: id,
  kind,
  addedAt: '2025-06-01T12:10:00.000Z',
  ...extra,
});
/** Appends library items; returns the locator `/items/<n>` of each. */
export function addItems(dir: LegacyDir, ...add: Item[]): string[] {
  const list = items(dir);
  return add.map((it) => (list.push(it), `/items/${list.length - 1}`));
}
export function addWanted(dir: LegacyDir, ...add: Record<string, unknown>[]): string[] {
  const list = wantedOf(dir);
  return add.map((it) => (list.push(it), `/items/${list.length - 1}`));
}

/** The ways a file may be laid out on disk. */
export const styles = (rng: Rng): Style[] => [
  LEGACY_STYLE,
  { ...LEGACY_STYLE, indent: 0 },
  { ...LEGACY_STYLE, indent: 0, spaced: true, trailingNewline: true },
  { ...LEGACY_STYLE, indent: '\t', trailingNewline: rng() < 0.5 },
  { ...LEGACY_STYLE, indent: 4, eol: '\r\n' },
  { ...LEGACY_STYLE, bom: true, eol: '\r\n', trailingNewline: true },
];

/** Ways one record goes bad in a random mix. */
export const TROUBLE: ((rng: Rng, v: Record<string, unknown>) => void)[] = [
  (_, v) => Object.defineProperty(v, '__proto__', { value: { x: 1 }, enumerable: true, writable: true, configurable: true }),
  (rng, v) => (v.title = `${String(v.title)} ${pick(rng, ['\ud800', '\u0000', '\ud83c\udfac', 'é'.normalize('NFD')])}`),
  (rng, v) => (v.title = String(v.title).toUpperCase() + (rng() < 0.5 ? '' : ' ')),
  (rng, v) => (v[pick(rng, ['year', 'fileSize', 'size', 'count'])] = new RawJson(pick(rng, ['1e400', '-0', '12345678901234567890', '1.0', '1E2', '0.5']))),
  (rng, v) => (v[pick(rng, ['title', 'kind', 'id', 'posterUrl', 'at', 'addedAt'])] = null),
  (rng, v) => (v.kind = pick(rng, ['movies', 'books', 'anime', '', 'Movie'])),
  (rng, v) => (v.nested = { a: [1, { b: [] }], '': null, [pick(rng, ['constructor', 'toString', 'k'])]: 'v' }),
  (rng, v) => (v.id = `${String(v.id)}${pick(rng, [':x', '/y', '%20', ' ', '~1'])}`),
];

/** The directory's files as bytes (`style` per file, LEGACY_STYLE by default). */
export function render(dir: LegacyDir, style: Style | ((file: string) => Style) = LEGACY_STYLE): Record<string, Buffer> {
  const out: Record<string, Buffer> = {};
  for (const [file, value] of Object.entries(dir)) {
    if (value instanceof Buffer) out[file] = value;
    else out[file] = Buffer.from(writeJson(value, typeof style === 'function' ? style(file) : style), 'utf8');
  }
  return out;
}

// ---- the oracle: exact JSON values ----

/**
 * The canonical text of a JSON value, with no JavaScript number or recursion in between: object
 * members sorted by key (the last of a duplicated key wins, as in JSON.parse), every number as
 * its exact decimal (`#<sign>0.<digits>e<exp>`, -0 distinct from 0), every string as
 * JSON.stringify writes it after `mapString` (code unit for code unit). Two texts are equal as
 * JSON values iff their canonical texts are equal. Iterative: 20000 levels deep is fine.
 */
export function canonicalJson(text: string, mapString: (s: string) => string = (s) => s): string {
  type Frame = { obj: true; members: Map<string, string>; key?: string } | { obj: false; items: string[] };
  const stack: Frame[] = [];
  let i = 0;
  let result: string | undefined;
  const fail = (): never => {
    throw new SyntaxError(`canonicalJson: invalid JSON at ${i}`);
  };
  const ws = () => {
    while (i < text.length && ' \t\r\n'.includes(text[i]!)) i++;
  };
  const string = (): string => {
    const start = i;
    for (i++; text[i] !== '"'; i += text[i] === '\\' ? 2 : 1) if (i >= text.length) fail();
    i++;
    return JSON.parse(text.slice(start, i)) as string;
  };
  let afterValue = false; // a value just ended inside a container: ',' or the closing bracket must follow
  const put = (v: string) => {
    const top = stack.at(-1);
    if (!top) result = v;
    else if (top.obj) top.members.set(top.key!, v);
    else top.items.push(v);
    afterValue = top !== undefined;
  };
  while (result === undefined) {
    ws();
    const top = stack.at(-1);
    const c = text[i];
    if (afterValue && c === ',') {
      i++;
      afterValue = false;
      if (top?.obj) top.key = undefined;
      continue;
    }
    if (c === '}' || c === ']') {
      const open = stack.pop();
      if (!open || open.obj !== (c === '}')) fail();
      i++;
      if (open!.obj)
        put(
          `{${[...open!.members.entries()]
            .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
            .map(([k, v]) => `${JSON.stringify(k)}:${v}`)
            .join(',')}}`,
        );
      else put(`[${open!.items.join(',')}]`);
      continue;
    }
    if (afterValue) fail();
    if (top?.obj && top.key === undefined) {
      if (c !== '"') fail();
      top.key = string();
      ws();
      if (text[i++] !== ':') fail();
      continue;
    }
    if (c === '{' || c === '[') {
      stack.push(c === '{' ? { obj: true, members: new Map() } : { obj: false, items: [] });
      i++;
      continue;
    }
    if (c === '"') {
      put(JSON.stringify(mapString(string())));
      continue;
    }
    const word = (['true', 'false', 'null'] as const).find((w) => text.startsWith(w, i));
    if (word) {
      i += word.length;
      put(word);
      continue;
    }
    const m = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(text.slice(i, i + 400)) ?? fail();
    i += m[0].length;
    put(`#${exactDecimal(m[0])}`);
  }
  ws();
  if (i !== text.length) fail();
  return result!;
}

/** `-1.50e2` -> `-0.15e3`: sign, significant digits, exponent (BigInt: any literal). */
export function exactDecimal(literal: string): string {
  const m = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/.exec(literal)!;
  const all = m[2]! + (m[3] ?? '');
  const digits = all.replace(/^0+/, '').replace(/0+$/, '');
  if (digits === '') return `${m[1]}0`;
  const lead = all.length - all.replace(/^0+/, '').length;
  return `${m[1]}0.${digits}e${BigInt(m[4] ?? 0) + BigInt(m[2]!.length) - BigInt(lead)}`;
}

/** The canonical JSON text of a file's bytes (UTF-8, an optional BOM), or its bytes when it is not JSON. */
export function fileValue(bytes: Buffer, mapString?: (s: string) => string): string {
  if (!isUtf8(bytes)) return `bytes:${bytes.toString('base64')}`;
  try {
    return canonicalJson(bytes.toString('utf8').replace(/^\ufeff/, ''), mapString);
  } catch {
    return `bytes:${bytes.toString('base64')}`;
  }
}

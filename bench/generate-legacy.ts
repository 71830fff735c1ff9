// Generates a realistic legacy MediaOS config/ directory (FORMATS.md) for benchmarks and tests.
//   npx tsx bench/generate-legacy.ts --items 100000 --out /tmp/x/config [--seed 1]
// Deterministic for a given (items, seed). Every large file is streamed to disk record by record
// (library.json, grabs.json, verify-results.json, wanted.json), so 1M items need no more memory
// than 1k. The keyed files come in the proportions legacy users who grab have: per 1M library
// items ~109k grabs, ~79k verify results and ~52k wanted items.
import { createWriteStream } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { serializeLegacyJson } from '../src/legacy/serialize-json.js';
import { JsonArrayFileWriter, JsonMapWriter } from './lib/json-writers.js';

export interface GenerateLegacyOptions {
  dir: string;
  items: number;
  seed?: number;
  /**
   * Grabs of items no longer in the library (legacy keeps them): a grabs.json of any size without
   * a library to match (the bounded-memory import test uses ~240k of them: ~100 MB).
   */
  extraGrabs?: number;
  /** Called every ~10% of items with (done, total). */
  onProgress?: (done: number, total: number) => void;
}

/** FORMATS.md §2.1 test vector: password `Example#Pass1`. */
export const TEST_PASSWORD = 'Example#Pass1';
export const TEST_PASSWORD_HASH =
  'abcdef0123456789abcdef0123456789:9e259be7160edd3974b79560e838f1562be0927dc4d8681aa9aaa6e559f2caefe23fd8a82818ecaf4377014f2f6bd65392563141fd16fdc13a5f7b2341e06a54';

type Kind = 'movie' | 'series' | 'music' | 'book';
const PLURAL: Record<Kind, string> = { movie: 'movies', series: 'series', music: 'music', book: 'books' };
const BASE_MS = Date.UTC(2024, 0, 1); // ids and timestamps start here; 1 item per ~second
/** Shares of library items with a wanted entry, a grab and a verify result (per 1M: ~52k, ~109k, ~79k). */
const WANTED_SHARE = 0.052;
const GRABS_SHARE = 0.109;
const VERIFY_SHARE = 0.079;

// Title parts. Words hold no spaces and every list is unique case-insensitively, so a title
// spells out its slot indices: distinct indices -> distinct lower-cased titles.
const ADJ = [
  'Silent',
  'Broken',
  'Golden',
  'Hidden',
  'Last',
  'Lost',
  'Midnight',
  'Crimson',
  'Electric',
  'Frozen',
  'Wild',
  'Quiet',
  'Distant',
  'Burning',
  'Velvet',
  'Paper',
  'Iron',
  'Glass',
  'Neon',
  'Hollow',
  'Savage',
  'Gentle',
  'Eternal',
  'Forgotten',
  'Restless',
  'Brave',
  'Little',
  'Secret',
  'Northern',
  'Southern',
  "Amélie's",
  'Café',
  'Bitter',
  'Sweet',
  'Wandering',
  'Fading',
  'Señor',
  'Lonely',
  'Naïve',
  'Strange',
];
const NOUN = [
  'River',
  'Empire',
  'Garden',
  'Harbor',
  'Kingdom',
  'Mirror',
  'Orchard',
  'Station',
  'Frontier',
  'Lighthouse',
  'Symphony',
  'Machine',
  'Horizon',
  'Voyage',
  'Island',
  'Promise',
  'Shadow',
  'Winter',
  'Summer',
  'Thunder',
  'Signal',
  'Compass',
  'Archive',
  'Citadel',
  'Canyon',
  'Meadow',
  'Façade',
  'Piñata',
  'Fjörd',
  'Zoë',
  'Résumé',
  'Re\u0301sume\u0301' /* NFD twin: a different string, kept distinct */,
  'Déjà-vu',
  'Society',
  'Odyssey',
  'Paradox',
  'Carnival',
  'Requiem',
  'Lullaby',
  'Mirage',
];
const SUFFIX = ['', ' Returns', ' Rising', ': Origins', ' Reloaded', ' in Paris', ' at Dawn', ': The Beginning', ' Forever', ' Redux', ' of the North', ' 🎬'];
const ARTISTS = [
  'Björk',
  'Mötley Crüe',
  'Sigur Rós',
  'Motörhead',
  'Beyoncé',
  'Daft Punk',
  'The Beatles',
  'Céline Dion',
  'Queensrÿche',
  'Blue Öyster Cult',
  'Hüsker Dü',
  'Röyksopp',
  'José González',
  'Kraftwerk',
  'Miles Davis',
  'Nina Simone',
  'Radiohead',
  'Portishead',
  'Massive Attack',
  'Stereolab',
];
const AUTHORS = [
  'Gabriel García Márquez',
  'Albert Camus',
  'Haruki Murakami',
  'Umberto Eco',
  'Ursula K. Le Guin',
  'Jorge Luis Borges',
  'Italo Calvino',
  'Toni Morrison',
  'Octavia E. Butler',
  'Stanisław Lem',
  'Halldór Laxness',
  'Selma Lagerlöf',
  'Émile Zola',
  'Isabel Allende',
];
const QUALITIES = ['1080p', '720p', '2160p', '480p', '576p'];
const SOURCES = ['BluRay', 'WEB-DL', 'WEBRip', 'HDTV', 'DVD'];
const CODECS = ['x264', 'x265', 'HEVC', 'AV1'];

/** mulberry32: tiny, fast, deterministic; plenty for test data (the nasty-dir tests use it too). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

/** Maps the k-th title of a kind to a unique title: a seeded permutation of slot combinations. */
class TitleMaker {
  private readonly cap: number;
  private readonly stride: number;
  private readonly offset: number;

  constructor(
    private readonly slots: string[][],
    private readonly render: (parts: string[]) => string,
    rand: () => number,
  ) {
    this.cap = slots.reduce((n, s) => n * s.length, 1);
    let stride = 7919 + Math.floor(rand() * 10_000);
    while (gcd(stride, this.cap) !== 1) stride++;
    this.stride = stride;
    this.offset = Math.floor(rand() * this.cap);
  }

  title(k: number): string {
    let p = ((k % this.cap) * this.stride + this.offset) % this.cap;
    const parts = this.slots.map((slot) => {
      const word = slot[p % slot.length]!;
      p = Math.floor(p / slot.length);
      return word;
    });
    const round = Math.floor(k / this.cap);
    return this.render(parts) + (round > 0 ? ` (Part ${round + 1})` : '');
  }
}

function base36Random(rand: () => number, len: number): string {
  let s = '';
  for (let i = 0; i < len; i++) s += Math.floor(rand() * 36).toString(36);
  return s;
}

function hex(rand: () => number, len: number): string {
  let s = '';
  for (let i = 0; i < len; i++) s += Math.floor(rand() * 16).toString(16);
  return s;
}

const pick = <T>(rand: () => number, list: readonly T[]): T => list[Math.floor(rand() * list.length)]!;
const iso = (ms: number): string => new Date(ms).toISOString();
const fileSafe = (title: string): string => title.replace(/[^\p{L}\p{N}]+/gu, '.').replace(/^\.|\.$/g, '');

interface Sampled {
  id: string;
  kind: Kind;
  title: string;
  at: number;
}

function makeItem(rand: () => number, i: number, kind: Kind, title: string, ms: number): Record<string, unknown> {
  // legacy ids: base36(Date.now()) + up to 6 base36 chars; a few client-sent ids (FORMATS §0.4)
  const id = rand() < 0.002 ? `custom-${i.toString(36)}` : ms.toString(36) + base36Random(rand, rand() < 0.05 ? 5 : 6);
  const item: Record<string, unknown> = { id, kind, title };
  if (rand() < 0.4) item.posterUrl = `https://image.tmdb.org/t/p/w500/${base36Random(rand, 12)}.jpg`;
  if (rand() < 0.05) item.backgroundUrl = `https://image.tmdb.org/t/p/original/${base36Random(rand, 12)}.jpg`;
  const year = 1950 + Math.floor(rand() * 75);
  if (kind !== 'music' && rand() < 0.7) item.year = year;
  const quality = pick(rand, QUALITIES);
  const source = pick(rand, SOURCES);
  const codec = pick(rand, CODECS);
  if (kind === 'movie' || kind === 'series') {
    if (rand() < 0.6) item.quality = quality;
    if (rand() < 0.5) item.source = source;
  }
  if (rand() < 0.55) {
    const safe = fileSafe(title);
    let file: string;
    let metadata: Record<string, unknown>;
    if (kind === 'movie') {
      file = `${safe}.${year}.${quality}.${source}.${codec}.mkv`;
      item.filePath = `/media/movies/${title} (${year})/${file}`;
      metadata = { originalFilename: file, codec };
    } else if (kind === 'series') {
      const season = 1 + Math.floor(rand() * 8);
      const episode = 1 + Math.floor(rand() * 22);
      const tag = `S${String(season).padStart(2, '0')}E${String(episode).padStart(2, '0')}`;
      file = `${safe}.${tag}.${quality}.${source}.mkv`;
      item.filePath = `/media/tv/${title}/Season ${season}/${file}`;
      metadata = { originalFilename: file, season, episode, episodeTitle: rand() < 0.3 ? '' : pick(rand, NOUN) };
    } else if (kind === 'music') {
      const [artist, album] = title.split(' - ');
      const track = 1 + Math.floor(rand() * 14);
      file = `${String(track).padStart(2, '0')} - ${album}.flac`;
      item.filePath = `/media/music/${artist}/${album}/${file}`;
      metadata = { originalFilename: file, artist, album, track };
    } else {
      const [author] = title.split(' - ');
      file = `${safe}.epub`;
      item.filePath = `/media/books/${author}/${file}`;
      metadata = { originalFilename: file, author };
    }
    item.fileSize = Math.floor((kind === 'music' ? 2e7 : kind === 'book' ? 2e6 : 7e8) * (1 + rand() * 40));
    if (rand() < 0.1) {
      // added via scanner import: the client-sent `parsed` object merged in, plus importedAt
      metadata = { type: kind, title, extension: file.slice(file.lastIndexOf('.')), ...metadata, importedAt: iso(ms + 5000) };
    }
    item.metadata = metadata;
  }
  if (rand() < 0.005) item.path = item.filePath ?? `/media/unknown/${i}`; // unknown key, must survive import
  return item;
}

/** Writes library.json as JSON.stringify({items}, null, 2) would, without holding the array. */
async function writeLibrary(opts: GenerateLegacyOptions, rand: () => number, sample: (s: Sampled) => Promise<void>): Promise<void> {
  const out = createWriteStream(join(opts.dir, 'library.json'));
  const done = new Promise<void>((resolve, reject) => {
    out.on('finish', resolve);
    out.on('error', reject);
  });
  const makers: Record<Kind, TitleMaker> = {
    movie: new TitleMaker([ADJ, NOUN, SUFFIX], ([a, n, s]) => `${a} ${n}${s}`, rand),
    series: new TitleMaker([ADJ, NOUN, SUFFIX], ([a, n, s]) => `${a} ${n}${s}`, rand),
    music: new TitleMaker([ARTISTS, ADJ, NOUN], ([who, a, n]) => `${who} - ${a} ${n}`, rand),
    book: new TitleMaker([AUTHORS, ADJ, NOUN], ([who, a, n]) => `${who} - ${a} ${n}`, rand),
  };
  const perKind: Record<Kind, number> = { movie: 0, series: 0, music: 0, book: 0 };
  const step = Math.max(1, Math.ceil(opts.items / 10));
  let buf = opts.items === 0 ? '{\n  "items": []' : '{\n  "items": [';
  for (let i = 0; i < opts.items; i++) {
    const r = rand();
    const kind: Kind = r < 0.45 ? 'movie' : r < 0.65 ? 'series' : r < 0.9 ? 'music' : 'book';
    const title = makers[kind].title(perKind[kind]++);
    const ms = BASE_MS + i * 1000 + Math.floor(rand() * 1000);
    const item = makeItem(rand, i, kind, title, ms);
    await sample({ id: item.id as string, kind, title, at: ms });
    buf += (i === 0 ? '\n    ' : ',\n    ') + JSON.stringify(item, null, 2).replace(/\n/g, '\n    ');
    if (buf.length >= 1 << 20) {
      const flushed = out.write(buf);
      buf = '';
      if (!flushed) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
    }
    if ((i + 1) % step === 0) opts.onProgress?.(i + 1, opts.items);
  }
  out.end(buf + (opts.items === 0 ? '\n}' : '\n  ]\n}'));
  await done;
}

export async function generateLegacyDir(opts: GenerateLegacyOptions): Promise<void> {
  if (!Number.isInteger(opts.items) || opts.items < 0) throw new Error('items must be a non-negative integer');
  const rand = prng(opts.seed ?? 1);
  await mkdir(opts.dir, { recursive: true });

  // The keyed files, written as the library is: each item is wanted, grabbed and verified with
  // the proportions above (independently, as users do).
  const wantedOut = new JsonArrayFileWriter(join(opts.dir, 'wanted.json'), 'items');
  const grabsOut = new JsonMapWriter(join(opts.dir, 'grabs.json'));
  const verifyOut = new JsonMapWriter(join(opts.dir, 'verify-results.json'));
  const kindKey = (s: Sampled): string => (rand() < 0.7 ? PLURAL[s.kind] : s.kind); // UI mostly sends plural
  const grab = (s: Sampled, kind: string): Record<string, unknown> => {
    const torrent = rand() < 0.6;
    const client = torrent ? 'qbittorrent' : pick(rand, ['sabnzbd', 'nzbget']);
    const g: Record<string, unknown> = {
      kind,
      id: s.id,
      title: `${fileSafe(s.title)}.${pick(rand, QUALITIES)}.${pick(rand, SOURCES)}`,
      link: torrent ? `magnet:?xt=urn:btih:${hex(rand, 40)}` : `https://nzb.example/get/${hex(rand, 16)}.nzb`,
      protocol: torrent ? 'torrent' : 'usenet',
      client,
      ok: rand() < 0.9,
      status: 200,
      at: iso(s.at + 3_600_000),
    };
    if (client === 'sabnzbd') g.category = 'tv';
    return g;
  };
  await writeLibrary(opts, rand, async (s) => {
    if (rand() < WANTED_SHARE) {
      const w: Record<string, unknown> = { id: s.id, title: s.title, kind: kindKey(s), addedAt: iso(s.at + 60_000) };
      if (rand() < 0.5) w.lastScan = { at: iso(s.at + 900_000), found: Math.floor(rand() * 5), grabbed: Math.floor(rand() * 2) };
      await wantedOut.add(w);
    }
    if (rand() < GRABS_SHARE) {
      const kind = kindKey(s);
      await grabsOut.add(`${kind}:${s.id}`, grab(s, kind));
    }
    if (rand() < VERIFY_SHARE) {
      const kind = kindKey(s);
      const issues = rand() < 0.5 ? [] : [{ kind: 'encoding_low_bitrate', severity: 'warn', message: '900kbps < 1500kbps for 720p' }];
      await verifyOut.add(`${kind}:${s.id}`, {
        phase: 'all',
        issues,
        analyzedAt: iso(s.at + 7_200_000),
        topSeverity: issues.length ? 'warn' : 'none',
        kind,
        id: s.id,
        title: s.title,
      });
    }
  });
  for (let k = 0; k < (opts.extraGrabs ?? 0); k++) {
    // ids of a later time than any library item: items removed since they were grabbed
    const at = BASE_MS + (opts.items + k) * 1000;
    const s: Sampled = { id: `${at.toString(36)}${base36Random(rand, 6)}`, kind: 'movie', title: `Removed Film ${k}`, at };
    await grabsOut.add(`movies:${s.id}`, grab(s, 'movies'));
  }
  // the odd ones FORMATS §3.8 describes: an empty key and a stored NZB upload
  await grabsOut.add(':', {
    kind: '',
    id: '',
    title: 'Manual.Upload',
    link: null,
    protocol: 'usenet',
    client: 'usenet',
    ok: false,
    status: 'stored',
    at: iso(BASE_MS),
    nzbUpload: { filename: 'rel.nzb', mimetype: 'application/x-nzb', base64: 'PG56Yi8+', size: 6 },
  });
  await Promise.all([wantedOut.close(), grabsOut.close(), verifyOut.close()]);

  const userA = `user_${BASE_MS - 86_400_000}_${base36Random(rand, 9)}`;
  const userB = `user_${BASE_MS - 3_600_000}_${base36Random(rand, 9)}`;
  const users = {
    [userA]: {
      id: userA,
      email: 'Owner@Example.org',
      passwordHash: TEST_PASSWORD_HASH,
      role: 'admin',
      createdAt: iso(BASE_MS - 86_400_000),
      updatedAt: iso(BASE_MS - 86_400_000),
      lastLoginAt: iso(BASE_MS + 120_000),
    },
    [userB]: {
      id: userB,
      email: 'viewer@example.org',
      passwordHash: TEST_PASSWORD_HASH,
      role: 'user',
      createdAt: iso(BASE_MS - 3_600_000),
      updatedAt: iso(BASE_MS - 3_600_000),
    },
  };
  const quality = { movie: { allowed: ['1080p', '2160p'], cutoff: '2160p' }, series: { allowed: ['720p', '1080p'], cutoff: '1080p' } };
  const profile = (id: string, name: string, upgradeAllowed: boolean, cutoff: string, allowed: string[], preferred: string[]) => ({
    id,
    name,
    upgradeAllowed,
    cutoff,
    qualities: ['2160p', '1080p', '720p', '480p'].map((q) => ({ quality: q, allowed: allowed.includes(q), preferred: preferred.includes(q) })),
  });
  const qualityProfiles = {
    profiles: [
      profile('hd-1080p', 'HD-1080p', true, '1080p', ['1080p', '720p'], ['1080p']),
      profile('ultra-hd', 'Ultra HD / 4K', true, '2160p', ['2160p', '1080p', '720p', '480p'], ['2160p']),
      { ...profile(`${(BASE_MS + 5000).toString(36)}${base36Random(rand, 4)}`, 'Kids 720p', true, '720p', ['720p'], ['720p']), maxSize: 4000 },
    ],
  };
  const downloaders = {
    // plaintext secrets, as written before v0.3.2 (FORMATS §2.2): no key needed
    qbittorrent: { enabled: true, baseUrl: 'http://qbittorrent:8080', username: 'admin', password: 'adminadmin', timeoutMs: 5000, category: 'mediaos' },
    nzbget: { enabled: false, baseUrl: 'http://nzbget:6789', username: 'nzbget', password: 'tegbzn6789' },
    sabnzbd: { enabled: true, baseUrl: 'http://sabnzbd:8080', apiKey: hex(rand, 32), category: 'tv' },
  };
  const indexers = {
    prowlarr: { enabled: true, baseUrl: 'http://prowlarr:9696', syncEnabled: true },
    indexers: [
      { id: base36Random(rand, 11), name: 'My NZB', type: 'manual', protocol: 'usenet', enabled: true, baseUrl: 'https://nzb.example', priority: 10 },
      ...Array.from({ length: 5 }, (_, k) => ({
        id: `prowlarr-${k + 1}`,
        name: `Indexer ${k + 1}`,
        type: 'prowlarr',
        protocol: k % 2 ? 'usenet' : 'torrent',
        enabled: k !== 3,
        priority: 25,
      })),
    ],
  };
  const files: Record<string, unknown> = {
    'users.json': users,
    'quality.json': quality,
    'quality-profiles.json': qualityProfiles,
    'downloaders.json': downloaders,
    'indexers.json': indexers,
    'verify.json': { minDurationSec: 300, minBitrateKbpsByHeight: { '480': 600, '720': 1500, '1080': 2500 }, allowedContainers: ['mkv', 'mp4'] },
    'settings.json': {
      setupCompleted: true,
      mediaFolders: [
        { path: '/media/movies', type: 'movies', enabled: true },
        { path: '/media/tv', type: 'series', enabled: true },
      ],
      lastScanDate: iso(BASE_MS + 600_000),
    },
    'metadata.json': { tmdb: { language: 'en-GB', includeAdult: false }, musicbrainz: { enabled: true } },
    'organizer.json': {
      destinations: { movies: '/media/movies', series: '/media/tv' },
      defaultOperation: 'copy',
      conflictResolution: 'skip',
      cleanupEmptyFolders: true,
      namingConfig: {
        series: {
          folderFormat: '{Series.CleanTitle}',
          seasonFolderFormat: 'Season {Season:00}',
          fileFormat: '{Series.CleanTitle} - S{Season:00}E{Episode:00} - {Episode.Title}{Quality}{Extension}',
        },
        movies: { folderFormat: '{Movie.CleanTitle} ({Year})', fileFormat: '{Movie.CleanTitle} ({Year}){Quality}{Extension}' },
        music: { artistFolderFormat: '{Artist.CleanName}', albumFolderFormat: '{Album.CleanName}', fileFormat: '{Track:00} - {Title}{Extension}' },
        books: { authorFolderFormat: '{Author.CleanName}', fileFormat: '{Title.CleanTitle}{Extension}' },
      },
    },
    'subtitle-automation.json': {
      enabled: true,
      autoSyncOnDownload: true,
      autoGenerateWhenMissing: false,
      preferredLanguages: ['en', 'es'],
      whisperModel: 'base',
      maxSyncOffsetMs: 5000,
      scanScheduleHours: 24,
    },
    'monitor.json': { sab: { done: Array.from({ length: 20 }, () => `SABnzbd_nzo_${base36Random(rand, 8)}`) } },
  };
  for (const [name, value] of Object.entries(files)) await writeFile(join(opts.dir, name), serializeLegacyJson(value));
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { items: { type: 'string' }, out: { type: 'string' }, seed: { type: 'string' } } });
  const items = Number(values.items);
  if (!values.out || !Number.isInteger(items) || items < 0) {
    console.error('usage: npx tsx bench/generate-legacy.ts --items N --out DIR [--seed S]');
    process.exit(2);
  }
  const started = performance.now();
  await generateLegacyDir({
    dir: values.out,
    items,
    seed: values.seed === undefined ? 1 : Number(values.seed),
    onProgress:
      items >= 50_000
        ? (done, total) => console.error(`library.json: ${done}/${total} items (${((performance.now() - started) / 1000).toFixed(1)} s)`)
        : undefined,
  });
  console.log(`wrote ${items} items to ${values.out} in ${((performance.now() - started) / 1000).toFixed(2)} s`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}

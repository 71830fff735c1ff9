import { basename, extname, relative, sep } from 'node:path';
import { parseQuality, parseSeason, parseTitleAndYear, parseVideoCodec } from '@ctrl/video-filename-parser';
import { type ParsedRelease, parseRelease } from '../automation/release-parse.js';
import type { MediaRootKind } from '../settings/media-roots.js';
import type { ItemKey, ParsedMedia } from './media.types.js';

/**
 * File names to library items: videos through the release parser (automation/release-parse.ts),
 * music and books by folder layout (`Artist/Album/01 Track.flac`, `Artist - Album/...`,
 * `Author - Title.epub`). Grouping follows the legacy merge: a movie per title, a series per
 * show (its seasons' files), an album titled "<artist> - <album>", a book "<author> - <title>".
 */
export const MEDIA_EXTENSIONS: Readonly<Record<MediaRootKind, ReadonlySet<string>>> = {
  movie: new Set(['mkv', 'mp4', 'm4v', 'avi', 'mov', 'wmv', 'ts', 'm2ts', 'webm', 'mpg', 'mpeg']),
  series: new Set(['mkv', 'mp4', 'm4v', 'avi', 'mov', 'wmv', 'ts', 'm2ts', 'webm', 'mpg', 'mpeg']),
  music: new Set(['flac', 'mp3', 'm4a', 'aac', 'ogg', 'opus', 'wav', 'alac', 'wma', 'aiff']),
  book: new Set(['epub', 'pdf', 'mobi', 'azw3', 'cbz', 'cbr', 'm4b']),
};

const YEAR = /[([]((?:19|20)\d\d)[)\]]/;

function extensionOf(name: string): string {
  return extname(name).slice(1).toLowerCase();
}

function stem(name: string): string {
  const ext = extname(name);
  return ext ? name.slice(0, -ext.length) : name;
}

/** "Abbey Road (1969)" -> { text: "Abbey Road", year: 1969 }. */
function splitYear(text: string): { text: string; year?: number } {
  const m = YEAR.exec(text);
  if (!m) return { text: text.trim() };
  const cleaned = text.replace(m[0], ' ').replace(/\s+/g, ' ').trim();
  return { text: cleaned, year: Number(m[1]) };
}

/** "Artist - Album" -> ["Artist", "Album"]. */
function splitDash(text: string): [string, string] | undefined {
  const i = text.indexOf(' - ');
  return i > 0 ? [text.slice(0, i).trim(), text.slice(i + 3).trim()] : undefined;
}

function sample(name: string): boolean {
  return /(^|[^a-z0-9])sample([^a-z0-9]|$)/i.test(name);
}

/** Folder names repeat for every file inside: their parse is kept (bounded: cleared when full). */
const folderCache = new Map<string, ParsedRelease>();
const FOLDER_CACHE_MAX = 10_000;

function folderParse(name: string): ParsedRelease {
  let r = folderCache.get(name);
  if (r === undefined) {
    if (folderCache.size >= FOLDER_CACHE_MAX) folderCache.clear();
    r = parseRelease(name);
    folderCache.set(name, r);
  }
  return r;
}

/** What a media file's name tells: the members of ParsedRelease the scanner keeps. */
export type FileNameFacts = Pick<ParsedRelease, 'title' | 'year' | 'quality' | 'sources' | 'codec' | 'seasons' | 'episodes'>;

/**
 * The same answer as parseRelease (automation/release-parse.ts) for the members the scanner
 * keeps, from only the parser's rules that give them: title and year (or the series title with
 * season and episodes), resolution and sources, video codec. parseRelease also reads edition,
 * group, languages and audio, each another pass of large expressions (its edition rule parses
 * the title a second time): skipped here, a file name costs about a third
 * (test/media/media.parse.test.ts holds the two to the same answers).
 */
export function fileNameFacts(name: string, series: boolean): FileNameFacts {
  const isTv = series || /\bS\d{1,3}E\d{1,4}\b/i.test(name) || /\bS\d{1,3}\b/i.test(name);
  // The season rules throw on a date in the future ("Show.2999.01.01"): read as a movie then, one odd name never fails a scan.
  let season: ReturnType<typeof parseSeason> = null;
  try {
    if (isTv) season = parseSeason(name);
  } catch {
    season = null;
  }
  const tvTitle = season?.seriesTitle ?? '';
  const out: FileNameFacts = { title: '', seasons: [], episodes: [], sources: [] };
  if (season !== null && tvTitle.trim() !== '') {
    out.title = tvTitle;
    out.seasons = Array.isArray(season.seasons) ? season.seasons : [];
    out.episodes = Array.isArray(season.episodeNumbers) ? season.episodeNumbers : [];
  } else {
    const t = parseTitleAndYear(name);
    out.title = t.title;
    const year = t.year === null || t.year === undefined ? undefined : Number(t.year);
    if (year !== undefined && Number.isInteger(year)) out.year = year;
  }
  const q = parseQuality(name);
  out.sources = (q.sources ?? []).map((x) => String(x).toLowerCase());
  const resolution = q.resolution ? String(q.resolution).toLowerCase() : undefined;
  const quality = resolution ?? (out.sources.includes('dvd') ? '480p' : undefined);
  if (quality !== undefined) out.quality = quality;
  const codec = parseVideoCodec(name).codec;
  if (codec) out.codec = String(codec);
  return out;
}

function video(kind: 'movie' | 'series', file: string, dirs: string[]): { parsed: ParsedMedia; item: ItemKey } | undefined {
  const name = basename(file);
  const r = fileNameFacts(stem(name), kind === 'series');
  const parsed: ParsedMedia = { type: kind, title: r.title, extension: extensionOf(name), originalFilename: name };
  if (r.year !== undefined) parsed.year = r.year;
  if (r.quality !== undefined) parsed.quality = r.quality;
  if (r.sources[0] !== undefined) parsed.source = r.sources[0];
  if (r.codec !== undefined) parsed.codec = r.codec;
  if (kind === 'series') {
    if (r.seasons[0] !== undefined) parsed.season = r.seasons[0];
    if (r.episodes[0] !== undefined) parsed.episode = r.episodes[0];
    // The show is the first folder under the root when there is one ("Show (2019)/Season 01/...").
    const show = dirs[0] !== undefined ? folderParse(dirs[0]) : undefined;
    const title = show && show.title.trim() !== '' ? show.title : r.title;
    if (title.trim() === '') return undefined;
    parsed.title = title;
    const year = show?.year ?? r.year;
    return { parsed, item: year !== undefined ? { kind, title, year } : { kind, title } };
  }
  // A movie without a year in its file name takes title and year from its folder ("Heat (1995)/Heat.mkv").
  if (parsed.year === undefined || parsed.title.trim() === '') {
    const folder = dirs.length > 0 ? folderParse(dirs[dirs.length - 1]!) : undefined;
    if (folder && folder.title.trim() !== '' && folder.year !== undefined) {
      parsed.title = folder.title;
      parsed.year = folder.year;
    }
  }
  if (parsed.title.trim() === '') return undefined;
  return { parsed, item: parsed.year !== undefined ? { kind, title: parsed.title, year: parsed.year } : { kind, title: parsed.title } };
}

function music(file: string, dirs: string[]): { parsed: ParsedMedia; item: ItemKey } | undefined {
  const name = basename(file);
  const ext = extensionOf(name);
  let artist: string | undefined;
  let album: string | undefined;
  const last = dirs[dirs.length - 1];
  if (dirs.length >= 2) {
    artist = dirs[dirs.length - 2];
    album = last;
  } else if (last !== undefined) {
    const split = splitDash(last);
    if (split) [artist, album] = split;
    else album = last;
  }
  const tm = /^(\d{1,3})[\s._-]+(?:-\s*)?(.*)$/.exec(stem(name));
  const trackTitle = (tm ? tm[2]! : stem(name)).trim();
  const albumYear = album !== undefined ? splitYear(album) : undefined;
  const albumTitle = albumYear?.text || trackTitle;
  if (albumTitle === '') return undefined;
  const parsed: ParsedMedia = { type: 'music', title: trackTitle || albumTitle, quality: ext.toUpperCase(), extension: ext, originalFilename: name };
  if (artist !== undefined) parsed.artist = artist;
  if (albumYear?.text) parsed.album = albumYear.text;
  if (albumYear?.year !== undefined) parsed.year = albumYear.year;
  if (tm) parsed.track = Number(tm[1]);
  const title = artist !== undefined ? `${artist} - ${albumTitle}` : albumTitle;
  return { parsed, item: parsed.year !== undefined ? { kind: 'music', title, year: parsed.year } : { kind: 'music', title } };
}

function book(file: string, dirs: string[]): { parsed: ParsedMedia; item: ItemKey } | undefined {
  const name = basename(file);
  const ext = extensionOf(name);
  const { text, year } = splitYear(stem(name).replace(/[._]+/g, ' '));
  const split = splitDash(text);
  const author = split?.[0] ?? dirs[dirs.length - 1];
  const bookTitle = (split?.[1] ?? text).trim();
  if (bookTitle === '') return undefined;
  const parsed: ParsedMedia = { type: 'book', title: bookTitle, quality: ext.toUpperCase(), extension: ext, originalFilename: name };
  if (author !== undefined) parsed.author = author;
  if (year !== undefined) parsed.year = year;
  const title = author !== undefined ? `${author} - ${bookTitle}` : bookTitle;
  return { parsed, item: year !== undefined ? { kind: 'book', title, year } : { kind: 'book', title } };
}

/**
 * The parse of `file` (absolute, inside `root`) for a root of `kind`, or undefined when the file
 * is not media of that kind (other extension, a sample, no title to be found).
 */
export function parseMediaFile(kind: MediaRootKind, root: string, file: string): { parsed: ParsedMedia; item: ItemKey } | undefined {
  const name = basename(file);
  if (!MEDIA_EXTENSIONS[kind].has(extensionOf(name)) || name.startsWith('.')) return undefined;
  if ((kind === 'movie' || kind === 'series') && sample(name)) return undefined;
  const dirs = relative(root, file).split(sep).slice(0, -1);
  if (kind === 'music') return music(file, dirs);
  if (kind === 'book') return book(file, dirs);
  return video(kind, file, dirs);
}

/** One key per item: kind, lower-cased title, year. */
export function itemKeyString(k: ItemKey): string {
  return `${k.kind}\u0000${k.title.toLowerCase()}\u0000${k.year ?? ''}`;
}

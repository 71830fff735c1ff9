/**
 * The naming templates of `organizer.json` (FORMATS.md §3.13) rendered for one file: tokens are
 * `{Name}`, `{Scope.Name}` and `{Name:00}` (zero-padded to the pattern's width), matched without
 * regard to case. A token without a value renders empty, and what that leaves behind (`()`, `[]`,
 * a dangling ` - `) is tidied. Every rendered segment is one safe path segment: no separators, no
 * characters that Windows or SMB shares refuse, never `.` or `..`.
 */
import type { ParsedMedia } from '../media/media.types.js';
import { defaultNamingConfig, type NamingConfig } from './organizer.types.js';

export type NamingKind = 'movie' | 'series' | 'music' | 'book';

/** What a template can name: the parse of a file (or the sample of POST /api/organizer/test-naming). */
export interface NamingInput {
  title: string;
  year?: number;
  quality?: string;
  season?: number;
  episode?: number;
  episodeTitle?: string;
  artist?: string;
  album?: string;
  track?: number;
  author?: string;
  /** With or without the dot. */
  extension?: string;
}

export interface RenderedName {
  folders: string[];
  filename: string;
}

const ILLEGAL = /[\\/:*?"<>|\u0000-\u001f]/g;

/** A title fit for a file name: illegal characters dropped, spaces collapsed. */
export function cleanName(text: string): string {
  return text.replace(ILLEGAL, ' ').replace(/\s+/g, ' ').trim();
}

function tokenValues(kind: NamingKind, input: NamingInput): Map<string, string | number | undefined> {
  const clean = cleanName(input.title);
  const ext = input.extension === undefined || input.extension === '' ? '' : input.extension.startsWith('.') ? input.extension : `.${input.extension}`;
  const values: [string, string | number | undefined][] = [
    ['title', input.title],
    ['title.cleantitle', clean],
    ['title.cleanname', clean],
    ['year', input.year],
    ['quality', input.quality ? ` [${input.quality}]` : undefined],
    ['extension', ext],
    ['season', input.season],
    ['episode', input.episode],
    ['episode.title', input.episodeTitle],
    ['track', input.track],
    ['artist.name', input.artist],
    ['artist.cleanname', input.artist === undefined ? undefined : cleanName(input.artist)],
    ['album.name', input.album],
    ['album.cleanname', input.album === undefined ? undefined : cleanName(input.album)],
    ['author.name', input.author],
    ['author.cleanname', input.author === undefined ? undefined : cleanName(input.author)],
  ];
  const scope = kind === 'movie' ? 'movie' : kind === 'series' ? 'series' : undefined;
  if (scope) values.push([`${scope}.title`, input.title], [`${scope}.cleantitle`, clean]);
  return new Map(values);
}

function pad(value: string | number, pattern: string | undefined): string {
  if (pattern === undefined || typeof value !== 'number') return String(value);
  return /^0+$/.test(pattern) ? String(value).padStart(pattern.length, '0') : String(value);
}

/** Marks where a token had no value, so the separators around it can go too. */
const EMPTY = '\u0000';

/** Renders one template; unknown tokens and tokens without a value become empty. */
export function renderTemplate(template: string, kind: NamingKind, input: NamingInput): string {
  const values = tokenValues(kind, input);
  const raw = template.replace(/\{([A-Za-z.]+)(?::([^}]*))?\}/g, (_m, name: string, fmt: string | undefined) => {
    const v = values.get(name.toLowerCase());
    return v === undefined || v === '' ? EMPTY : pad(v, fmt);
  });
  return tidy(raw);
}

/** Removes what empty tokens leave behind: `()`, `[]` and a ` - ` next to them. */
function tidy(text: string): string {
  return text
    .replace(/\(\s*\u0000*\s*\)|\[\s*\u0000*\s*\]/g, EMPTY)
    .replace(/\s*-\s*\u0000+/g, EMPTY)
    .replace(/\u0000+\s*-\s*/g, EMPTY)
    .replace(/\s*\u0000+\s*(?=\.[A-Za-z0-9]+$)/, '')
    .replace(/\u0000/g, '')
    .replace(/\s+/g, ' ')
    .trim();
}

/** One safe path segment, or undefined when nothing is left. */
function segment(text: string): string | undefined {
  const s = cleanName(text)
    .replace(/^\.+$/, '')
    .replace(/[. ]+$/, '');
  return s === '' ? undefined : s;
}

function templates(kind: NamingKind, config: unknown): { folders: string[]; file: string } {
  const fallback = defaultNamingConfig();
  const given = (config !== null && typeof config === 'object' ? config : {}) as Partial<NamingConfig>;
  const pick = <K extends 'series' | 'movies' | 'music' | 'books'>(key: K): NamingConfig[K] => {
    const g = given[key];
    return { ...fallback[key], ...(g !== null && typeof g === 'object' ? (g as object) : {}) } as NamingConfig[K];
  };
  if (kind === 'series') {
    const c = pick('series');
    return { folders: [c.folderFormat, c.seasonFolderFormat], file: c.fileFormat };
  }
  if (kind === 'movie') {
    const c = pick('movies');
    return { folders: [c.folderFormat], file: c.fileFormat };
  }
  if (kind === 'music') {
    const c = pick('music');
    return { folders: [c.artistFolderFormat, c.albumFolderFormat], file: c.fileFormat };
  }
  const c = pick('books');
  return { folders: [c.authorFolderFormat], file: c.fileFormat };
}

/** The folders (relative to the destination root) and the file name for one file. */
export function renderName(kind: NamingKind, input: NamingInput, namingConfig: unknown): RenderedName {
  const t = templates(kind, namingConfig);
  const folders: string[] = [];
  for (const f of t.folders) {
    const s = segment(renderTemplate(String(f ?? ''), kind, input));
    if (s !== undefined) folders.push(s);
  }
  const fallbackName = `${segment(input.title) ?? 'Untitled'}${input.extension ? (input.extension.startsWith('.') ? input.extension : `.${input.extension}`) : ''}`;
  const filename = segment(renderTemplate(String(t.file ?? ''), kind, input)) ?? fallbackName;
  return { folders, filename };
}

/** A scanned file's parse as naming input. */
export function namingInputOf(parsed: ParsedMedia): NamingInput {
  const input: NamingInput = { title: parsed.title, extension: parsed.extension };
  for (const k of ['year', 'quality', 'season', 'episode', 'episodeTitle', 'artist', 'album', 'track', 'author'] as const) {
    const v = parsed[k];
    if (v !== undefined) (input as unknown as Record<string, unknown>)[k] = v;
  }
  return input;
}

/**
 * Subtitle files: parse, convert SRT <-> WebVTT and shift timing with the `subtitle` library.
 * Files are read up to MAX_BYTES and written only where nothing exists yet (never overwritten).
 */
import { open, readFile, stat } from 'node:fs/promises';
import { extname } from 'node:path';
import { type NodeCue, type NodeList, parseSync, stringifySync } from 'subtitle';
import { Duplicate, Invalid } from '../errors.js';

export type SubtitleFormat = 'srt' | 'vtt';
const MAX_BYTES = 10 * 1024 * 1024;

export interface SubtitleEntry {
  index: number;
  start: number;
  end: number;
  text: string;
}

/** `srt` or `vtt` from a file name, else undefined. */
export function formatOf(path: string): SubtitleFormat | undefined {
  const ext = extname(path).toLowerCase();
  return ext === '.srt' ? 'srt' : ext === '.vtt' ? 'vtt' : undefined;
}

/** The cues of a subtitle file (SRT or WebVTT). */
export async function readCues(path: string, field: string): Promise<NodeCue[]> {
  const st = await stat(path).catch(() => undefined);
  if (!st?.isFile()) throw new Invalid('File not found', { message: `${field}: no such file` });
  if (st.size > MAX_BYTES) throw new Invalid('File too large', { message: `${field}: a subtitle file may hold at most ${MAX_BYTES} bytes` });
  if (formatOf(path) === undefined) throw new Invalid('Unsupported subtitle format', { message: `${field}: only .srt and .vtt files are read` });
  let nodes: NodeList;
  try {
    nodes = parseSync((await readFile(path, 'utf8')).replace(/^\uFEFF/, ''));
  } catch (err) {
    throw new Invalid('Subtitle file could not be parsed', { message: `${field}: ${err instanceof Error ? err.message : String(err)}` });
  }
  return nodes.filter((n): n is NodeCue => n.type === 'cue');
}

export function entriesOf(cues: readonly NodeCue[]): SubtitleEntry[] {
  return cues.map((c, i) => ({ index: i + 1, start: c.data.start, end: c.data.end, text: c.data.text }));
}

/** Cues moved by `offsetMs` (none starts before 0: a cue pushed below 0 is clamped). */
export function shiftCues(cues: readonly NodeCue[], offsetMs: number): NodeCue[] {
  return cues.map((c) => ({
    type: 'cue',
    data: { ...c.data, start: Math.max(0, c.data.start + offsetMs), end: Math.max(0, c.data.end + offsetMs) },
  }));
}

export function render(cues: readonly NodeCue[], format: SubtitleFormat): string {
  return stringifySync([...cues], { format: format === 'srt' ? 'SRT' : 'WebVTT' });
}

/** Writes a new file; an existing one is never replaced (409 naming it). */
export async function writeNew(path: string, text: string): Promise<void> {
  let fh: Awaited<ReturnType<typeof open>>;
  try {
    fh = await open(path, 'wx');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST')
      throw new Duplicate('Output file exists', { message: `output exists and is never overwritten: ${path}` });
    throw err;
  }
  try {
    await fh.writeFile(text, 'utf8');
  } finally {
    await fh.close();
  }
}

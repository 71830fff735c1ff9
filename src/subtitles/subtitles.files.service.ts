/**
 * The subtitle tools (API.md §15): embedded tracks (ffprobe), extraction (ffmpeg), parse, SRT <->
 * WebVTT conversion, timing shift, and OpenSubtitles search. Every path a client names must
 * resolve inside a media folder (403 `path_not_allowed`); outputs never replace a file.
 */
import { stat } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import { Duplicate, Forbidden, Invalid } from '../errors.js';
import { ffprobe, runTool } from '../media/ffprobe.js';
import { loadMediaRoots, resolveInsideRoots } from '../settings/media-roots.js';
import type { SettingsDocumentStore } from '../settings/settings.store.js';
import { asDocument } from '../settings/settings.types.js';
import type { OpenSubtitlesClient, SubtitleSearch } from './opensubtitles.client.js';
import { entriesOf, formatOf, readCues, render, type SubtitleFormat, shiftCues, writeNew } from './subtitle-files.js';

export const PATH_NOT_ALLOWED = 'path_not_allowed';
const TEXT_CODECS = new Set(['subrip', 'srt', 'ass', 'ssa', 'webvtt', 'mov_text', 'text']);

export interface SubtitleFilesDeps {
  settings: Pick<SettingsDocumentStore, 'get'>;
  openSubtitles: OpenSubtitlesClient;
}

function stemOf(path: string): string {
  return basename(path, extname(path));
}

export function createSubtitleFiles(deps: SubtitleFilesDeps) {
  /** The resolved path of `path` (field `field`) inside a media folder, else 400/403. */
  async function inside(path: unknown, field: string): Promise<string> {
    if (typeof path !== 'string' || path === '') throw new Invalid(`${field} is required`);
    const real = await resolveInsideRoots(path, await loadMediaRoots(deps.settings));
    if (real === undefined) throw new Forbidden(PATH_NOT_ALLOWED, { message: `${field} must be inside a media folder (settings.json mediaFolders)` });
    return real;
  }

  async function existingFile(path: unknown, field: string): Promise<string> {
    const real = await inside(path, field);
    if (!(await stat(real).catch(() => undefined))?.isFile()) throw new Invalid('File not found', { message: `${field}: no such file` });
    return real;
  }

  async function output(given: unknown, fallback: string, field = 'outputPath'): Promise<string> {
    return given === undefined ? inside(fallback, field) : inside(given, field);
  }

  async function subtitleTracks(video: string) {
    const probed = await ffprobe(video);
    if (!probed.ok) throw new Invalid(probed.missing ? 'ffprobe is not installed' : 'Video could not be read', { message: probed.message });
    return probed.info.streams
      .filter((s) => s.type === 'subtitle')
      .map((s) => ({
        index: s.index,
        codec: s.codec ?? 'unknown',
        language: s.language ?? 'und',
        ...(s.title ? { title: s.title } : {}),
        forced: s.forced,
        default: s.default,
        textBased: TEXT_CODECS.has(s.codec ?? ''),
      }));
  }

  return {
    inside,
    existingFile,

    async tracks(path: unknown) {
      const tracks = await subtitleTracks(await existingFile(path, 'path'));
      return { tracks, hasEmbedded: tracks.length > 0 };
    },

    /** One embedded text track to `.srt` (default) or `.vtt` beside the video or at `outputPath`. */
    async extract(body: { videoPath?: unknown; trackIndex?: number; outputPath?: unknown }) {
      const video = await existingFile(body.videoPath, 'videoPath');
      if (body.trackIndex === undefined) throw new Invalid('trackIndex is required');
      const track = (await subtitleTracks(video)).find((t) => t.index === body.trackIndex);
      if (!track) throw new Invalid('Track not found', { message: `trackIndex: the video has no subtitle stream ${body.trackIndex}` });
      if (!track.textBased) throw new Invalid('Bitmap subtitles cannot be extracted as text', { message: `trackIndex: ${track.codec} is an image format` });
      const out = await output(body.outputPath, join(dirname(video), `${stemOf(video)}.${track.language}.${track.index}.srt`));
      const format = formatOf(out);
      if (format === undefined) throw new Invalid('outputPath must end in .srt or .vtt');
      if ((await stat(out).catch(() => undefined)) !== undefined)
        throw new Duplicate('Output file exists', { message: `output exists and is never overwritten: ${out}` });
      const r = await runTool(
        'ffmpeg',
        ['-nostdin', '-n', '-v', 'error', '-i', video, '-map', `0:${track.index}`, '-c:s', format === 'srt' ? 'srt' : 'webvtt', out],
        {
          timeoutMs: 10 * 60_000,
        },
      );
      if (r.missing) throw new Invalid('ffmpeg is not installed', { message: 'Debian: apt-get install ffmpeg' });
      if (!r.ok) throw new Invalid('Extraction failed', { message: r.stderr.trim().split('\n')[0] ?? 'ffmpeg failed' });
      return { ok: true, outputPath: out, trackIndex: track.index, language: track.language, format };
    },

    async parse(path: unknown) {
      const cues = await readCues(await existingFile(path, 'path'), 'path');
      const entries = entriesOf(cues);
      return { entries, count: entries.length, duration: entries.reduce((m, e) => Math.max(m, e.end), 0) };
    },

    async convert(body: { inputPath?: unknown; outputFormat?: SubtitleFormat; outputPath?: unknown }) {
      const input = await existingFile(body.inputPath, 'inputPath');
      if (body.outputFormat === undefined) throw new Invalid('outputFormat is required');
      const cues = await readCues(input, 'inputPath');
      const out = await output(body.outputPath, join(dirname(input), `${stemOf(input)}.${body.outputFormat}`));
      if (formatOf(out) !== body.outputFormat) throw new Invalid(`outputPath must end in .${body.outputFormat}`);
      await writeNew(out, render(cues, body.outputFormat));
      return { outputPath: out, entriesConverted: cues.length };
    },

    /** Every cue moved by offsetMs; by default into `<name>.adjusted.<ext>` (legacy). */
    async shift(body: { subtitlePath?: unknown; offsetMs?: number; outputPath?: unknown }) {
      const input = await existingFile(body.subtitlePath, 'subtitlePath');
      if (body.offsetMs === undefined) throw new Invalid('offsetMs is required');
      const cues = await readCues(input, 'subtitlePath');
      const format = formatOf(input) as SubtitleFormat;
      const out = await output(body.outputPath, join(dirname(input), `${stemOf(input)}.adjusted.${format}`));
      const outFormat = formatOf(out);
      if (outFormat === undefined) throw new Invalid('outputPath must end in .srt or .vtt');
      await writeNew(out, render(shiftCues(cues, body.offsetMs), outFormat));
      return { outputPath: out, entriesAdjusted: cues.length };
    },

    /** OpenSubtitles search with `settings.json` `openSubtitlesApiKey`. */
    async search(q: SubtitleSearch) {
      if (q.imdbId === undefined && q.title === undefined) throw new Invalid('imdbId or title is required');
      const key = asDocument(await deps.settings.get('settings')).openSubtitlesApiKey;
      if (typeof key !== 'string' || key === '') return { ok: false, error: 'OpenSubtitles API key not configured (settings.json openSubtitlesApiKey)' };
      return { ok: true, results: await deps.openSubtitles.search(key, q) };
    },
  };
}
export type SubtitleFiles = ReturnType<typeof createSubtitleFiles>;

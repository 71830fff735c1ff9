/**
 * The one adapter for Debian's ffmpeg tools: `ffprobe` (what a media file holds) and `ffmpeg`
 * (decode checks, subtitle extraction). Programs run with execFile (no shell) and `--` before a
 * path; a missing program is reported as such (`missing`), never replaced by made-up numbers.
 */
import { execFile } from 'node:child_process';

export interface ToolRun {
  /** The program is not installed. */
  missing: boolean;
  /** Exit code 0 (and not killed). */
  ok: boolean;
  stdout: string;
  stderr: string;
}

/** Runs `program args` without a shell; never rejects. */
export function runTool(
  program: string,
  args: readonly string[],
  opts: { timeoutMs?: number; signal?: AbortSignal; maxBuffer?: number } = {},
): Promise<ToolRun> {
  return new Promise((resolve) => {
    execFile(
      program,
      args,
      { timeout: opts.timeoutMs ?? 60_000, maxBuffer: opts.maxBuffer ?? 16 * 1024 * 1024, windowsHide: true, signal: opts.signal },
      (err, stdout, stderr) => {
        const code = (err as NodeJS.ErrnoException | null)?.code;
        resolve({ missing: code === 'ENOENT', ok: err === null, stdout: String(stdout ?? ''), stderr: String(stderr ?? '') });
      },
    );
  });
}

/** True when `program -version` runs. */
export async function toolAvailable(program: string): Promise<boolean> {
  return (await runTool(program, ['-version'], { timeoutMs: 10_000 })).ok;
}

export interface ProbeStream {
  /** ffprobe's stream index (what `-map 0:N` takes). */
  index: number;
  type: string;
  codec?: string;
  width?: number;
  height?: number;
  bitrateKbps?: number;
  frameRate?: number;
  channels?: number;
  language?: string;
  title?: string;
  forced: boolean;
  default: boolean;
}

export interface ProbeInfo {
  /** ffprobe's format name, e.g. `matroska,webm`. */
  container?: string;
  durationSec?: number;
  bitrateKbps?: number;
  sizeBytes?: number;
  streams: ProbeStream[];
}

export type ProbeAnswer = { ok: true; info: ProbeInfo } | { ok: false; missing: boolean; message: string };

interface RawStream {
  index?: number;
  codec_type?: string;
  codec_name?: string;
  width?: number;
  height?: number;
  bit_rate?: string;
  r_frame_rate?: string;
  channels?: number;
  tags?: Record<string, string>;
  disposition?: { forced?: number; default?: number };
}

interface RawProbe {
  format?: { format_name?: string; duration?: string; bit_rate?: string; size?: string };
  streams?: RawStream[];
}

function num(v: unknown): number | undefined {
  const n = Number(v);
  return v === undefined || v === null || v === '' || !Number.isFinite(n) ? undefined : n;
}

function stream(s: RawStream, i: number): ProbeStream {
  const out: ProbeStream = { index: s.index ?? i, type: s.codec_type ?? 'unknown', forced: s.disposition?.forced === 1, default: s.disposition?.default === 1 };
  if (s.codec_name) out.codec = s.codec_name;
  if (typeof s.width === 'number') out.width = s.width;
  if (typeof s.height === 'number') out.height = s.height;
  const br = num(s.bit_rate);
  if (br !== undefined) out.bitrateKbps = Math.round(br / 1000);
  if (typeof s.r_frame_rate === 'string') {
    const [a, b] = s.r_frame_rate.split('/').map(Number);
    const fps = b ? a! / b : a;
    if (fps !== undefined && Number.isFinite(fps) && fps > 0) out.frameRate = Math.round(fps * 1000) / 1000;
  }
  if (typeof s.channels === 'number') out.channels = s.channels;
  const lang = s.tags?.language;
  if (lang) out.language = lang;
  if (s.tags?.title) out.title = s.tags.title;
  return out;
}

/** Parses `ffprobe -print_format json -show_format -show_streams` output. */
export function parseProbe(json: string): ProbeInfo {
  const raw = JSON.parse(json || '{}') as RawProbe;
  const info: ProbeInfo = { streams: (Array.isArray(raw.streams) ? raw.streams : []).map(stream) };
  if (raw.format?.format_name) info.container = raw.format.format_name;
  const d = num(raw.format?.duration);
  if (d !== undefined) info.durationSec = Math.round(d * 1000) / 1000;
  const br = num(raw.format?.bit_rate);
  if (br !== undefined) info.bitrateKbps = Math.round(br / 1000);
  const size = num(raw.format?.size);
  if (size !== undefined) info.sizeBytes = size;
  return info;
}

/** What ffprobe reports about `path` (the caller has checked the path). */
export async function ffprobe(path: string, signal?: AbortSignal): Promise<ProbeAnswer> {
  const r = await runTool('ffprobe', ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', '--', path], { signal });
  if (r.missing) return { ok: false, missing: true, message: 'ffprobe is not installed (Debian: apt-get install ffmpeg)' };
  if (!r.ok) return { ok: false, missing: false, message: `ffprobe could not read the file${r.stderr.trim() ? `: ${r.stderr.trim().split('\n')[0]}` : ''}` };
  try {
    return { ok: true, info: parseProbe(r.stdout) };
  } catch {
    return { ok: false, missing: false, message: 'ffprobe output could not be parsed' };
  }
}

/**
 * Decodes the whole file and reports what ffmpeg complained about (empty: it decoded cleanly).
 * `undefined` when ffmpeg is not installed.
 */
export async function decodeErrors(path: string, signal?: AbortSignal, timeoutMs = 300_000): Promise<string[] | undefined> {
  const r = await runTool('ffmpeg', ['-nostdin', '-v', 'error', '-i', path, '-f', 'null', '-'], { signal, timeoutMs });
  if (r.missing) return undefined;
  const lines = r.stderr
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
  if (!r.ok && lines.length === 0) lines.push('ffmpeg could not decode the file');
  return lines.slice(0, 20);
}

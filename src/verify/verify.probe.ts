import { stat } from 'node:fs/promises';
import { runTool } from '../media/ffprobe.js';
import type { ProbeMetadata } from './verify.rules.js';
import type { VerifyIssue } from './verify.types.js';

export interface ProbeResult {
  metadata?: ProbeMetadata;
  /** Why the file could not be analysed (the result carries it as an issue). */
  issues: VerifyIssue[];
}

export type Probe = (req: { title: string; path?: string }, signal?: AbortSignal) => Promise<ProbeResult>;

/**
 * THE LEGACY STUB, kept on purpose: without a file path the legacy app analysed no media at all,
 * it derived "metadata" from the title (a resolution guess with a fixed low bitrate, container
 * mkv, duration 45 s). Results of /api/verify/check without a path are therefore not about any
 * real file; clients depend on their shape (and on the short_duration warning it always gives).
 */
export function titleStubMetadata(title: string): ProbeMetadata {
  const t = title.toLowerCase();
  const md: ProbeMetadata = { container: 'mkv', durationSec: 45 };
  if (t.includes('2160p')) md.video = { height: 2160, bitrateKbps: 6000 };
  else if (t.includes('1080p')) md.video = { height: 1080, bitrateKbps: 1800 };
  else if (t.includes('720p')) md.video = { height: 720, bitrateKbps: 900 };
  else if (t) md.video = { height: 480, bitrateKbps: 600 };
  return md;
}

interface FfprobeOutput {
  format?: { format_name?: string; duration?: string };
  streams?: {
    codec_type?: string;
    codec_name?: string;
    width?: number;
    height?: number;
    bit_rate?: string;
    r_frame_rate?: string;
    channels?: number;
    tags?: { language?: string };
    disposition?: { forced?: number };
  }[];
}

function fromFfprobe(info: FfprobeOutput): ProbeMetadata {
  const md: ProbeMetadata = {};
  const streams = Array.isArray(info.streams) ? info.streams : [];
  if (info.format?.format_name) md.container = String(info.format.format_name);
  const duration = Math.floor(Number(info.format?.duration));
  if (Number.isFinite(duration)) md.durationSec = duration;
  const v = streams.find((s) => s.codec_type === 'video');
  if (v) {
    const video: NonNullable<ProbeMetadata['video']> = {};
    if (v.codec_name) video.codec = v.codec_name;
    if (typeof v.width === 'number') video.width = v.width;
    if (typeof v.height === 'number') video.height = v.height;
    const kbps = Math.floor(Number(v.bit_rate) / 1000);
    if (Number.isFinite(kbps)) video.bitrateKbps = kbps;
    if (typeof v.r_frame_rate === 'string') {
      const [a, b] = v.r_frame_rate.split('/').map(Number);
      const fps = b ? a / b : a;
      if (Number.isFinite(fps)) video.framerate = fps;
    }
    md.video = video;
  }
  const audio = streams.filter((s) => s.codec_type === 'audio');
  if (audio.length) md.audio = audio.map((a) => ({ codec: a.codec_name, channels: a.channels, language: a.tags?.language }));
  const subs = streams.filter((s) => s.codec_type === 'subtitle');
  if (subs.length) md.subtitles = subs.map((s) => ({ language: s.tags?.language, forced: s.disposition?.forced === 1 }));
  return md;
}

/**
 * With a path: ffprobe the file when ffprobe is installed. No stub fallback (legacy fell back
 * to the title stub and so reported made-up numbers for real files): a file that cannot be
 * probed gives an issue instead and no metadata rule runs.
 */
export const probeMedia: Probe = async (req, signal) => {
  if (!req.path) return { metadata: titleStubMetadata(req.title), issues: [] };
  try {
    if (!(await stat(req.path)).isFile()) return { issues: [{ kind: 'file_not_found', severity: 'error', message: 'Path is not a file' }] };
  } catch {
    return { issues: [{ kind: 'file_not_found', severity: 'error', message: 'File not found' }] };
  }
  const r = await runTool('ffprobe', ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', '--', req.path], { signal });
  if (!r.ok) {
    return r.missing
      ? { issues: [{ kind: 'probe_unavailable', severity: 'warn', message: 'ffprobe is not installed; the file was not analysed' }] }
      : { issues: [{ kind: 'probe_failed', severity: 'warn', message: 'ffprobe could not read the file' }] };
  }
  try {
    return { metadata: fromFfprobe(JSON.parse(r.stdout || '{}') as FfprobeOutput), issues: [] };
  } catch {
    return { issues: [{ kind: 'probe_failed', severity: 'warn', message: 'ffprobe output could not be parsed' }] };
  }
};

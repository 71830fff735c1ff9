/**
 * Content checks (API.md §9 ContentVerifyResult) from what ffprobe found, judged against the
 * request's expectations and the verify settings (`verify.json`: minDurationSec,
 * minBitrateKbpsByHeight, allowedContainers). A check that fails adds an issue and makes the file
 * fail; a check without the data it needs is `skip`, never a guess.
 */
import { z } from 'zod';
import type { ProbeInfo } from '../media/ffprobe.js';
import type { SecurityIssue } from './security.rules.js';
import { containerAllowed, type VerifyThresholds } from './verify.rules.js';

export type CheckState = 'pass' | 'fail' | 'skip';
export type ContentSeverity = 'info' | 'warning' | 'error';

export interface ContentIssue {
  type: string;
  severity: ContentSeverity;
  message: string;
  details?: Record<string, unknown>;
}

export interface ContentMetadata {
  duration?: number;
  width?: number;
  height?: number;
  aspectRatio?: number;
  bitrate?: number;
  codec?: string;
  container?: string;
  audioTracks?: number;
  subtitleTracks?: number;
  fileSize?: number;
  audioCodecs?: string[];
  streams?: { index: number; type: string; codec?: string; language?: string }[];
}

export interface ContentChecks {
  securityCheck: CheckState;
  durationCheck: CheckState;
  aspectRatioCheck: CheckState;
  bitrateCheck: CheckState;
  qualityCheck: CheckState;
  corruptionCheck: CheckState;
}

export interface ContentVerifyResult {
  ok: boolean;
  passed: boolean;
  issues: ContentIssue[];
  securityIssues: SecurityIssue[];
  metadata: ContentMetadata;
  checks: ContentChecks;
  verifiedAt: string;
}

const minutes = z.number({ error: 'must be a number (minutes)' }).min(0, { message: 'must be 0 or more' });

/** The options of a content check (legacy keys); durations are in minutes. */
export const contentOptions = z.object({
  expectedTitle: z.string({ error: 'must be a string' }).optional(),
  expectedQuality: z.enum(['480p', '576p', '720p', '1080p', '2160p'], { message: 'must be one of 480p, 576p, 720p, 1080p, 2160p' }).optional(),
  expectedDurationMin: minutes.optional(),
  expectedDurationMax: minutes.optional(),
  minBitrateKbps: z.number({ error: 'must be a number' }).min(0, { message: 'must be 0 or more' }).optional(),
  checkAspectRatio: z.boolean({ error: 'must be a boolean' }).optional(),
  checkCorruption: z.boolean({ error: 'must be a boolean' }).optional(),
  checkSecurity: z.boolean({ error: 'must be a boolean' }).optional(),
});
export type ContentOptions = z.infer<typeof contentOptions>;

/** Lines of a quality name: 1080p needs a picture of about 1080 lines (or a full-width crop). */
const QUALITY = { '480p': [480, 640], '576p': [576, 720], '720p': [720, 1280], '1080p': [1080, 1920], '2160p': [2160, 3840] } as const;

export function metadataOf(info: ProbeInfo): ContentMetadata {
  const video = info.streams.find((s) => s.type === 'video');
  const md: ContentMetadata = {};
  if (info.durationSec !== undefined) md.duration = info.durationSec;
  if (video?.width !== undefined) md.width = video.width;
  if (video?.height !== undefined) md.height = video.height;
  if (video?.width && video.height) md.aspectRatio = Math.round((video.width / video.height) * 1000) / 1000;
  const bitrate = info.bitrateKbps ?? video?.bitrateKbps;
  if (bitrate !== undefined) md.bitrate = bitrate;
  if (video?.codec) md.codec = video.codec;
  if (info.container) md.container = info.container;
  const audio = info.streams.filter((s) => s.type === 'audio');
  md.audioTracks = audio.length;
  md.subtitleTracks = info.streams.filter((s) => s.type === 'subtitle').length;
  if (info.sizeBytes !== undefined) md.fileSize = info.sizeBytes;
  md.audioCodecs = audio.map((a) => a.codec ?? 'unknown');
  md.streams = info.streams.map((s) => ({
    index: s.index,
    type: s.type,
    ...(s.codec ? { codec: s.codec } : {}),
    ...(s.language ? { language: s.language } : {}),
  }));
  return md;
}

function minBitrateFor(height: number, t: VerifyThresholds): number | undefined {
  let best: [number, number] | undefined;
  for (const [h, kbps] of Object.entries(t.minBitrateKbpsByHeight)) {
    const lines = Number(h);
    if (Number.isFinite(lines) && typeof kbps === 'number' && lines <= height && (!best || lines > best[0])) best = [lines, kbps];
  }
  return best?.[1];
}

/** The checks over a probed file. `decode` holds ffmpeg's decode errors (undefined: not run). */
export function judgeContent(
  info: ProbeInfo,
  opts: ContentOptions,
  t: VerifyThresholds,
  extra: { securityIssues?: SecurityIssue[]; decode?: string[]; verifiedAt: string },
): ContentVerifyResult {
  const md = metadataOf(info);
  const issues: ContentIssue[] = [];
  const checks = noChecksRun();
  const video = info.streams.find((s) => s.type === 'video');
  if (!video && md.audioTracks === 0) issues.push({ type: 'no_media_streams', severity: 'error', message: 'No video or audio stream' });

  if (md.duration !== undefined) {
    const minSec = opts.expectedDurationMin !== undefined ? opts.expectedDurationMin * 60 : t.minDurationSec;
    const maxSec = opts.expectedDurationMax !== undefined ? opts.expectedDurationMax * 60 : undefined;
    checks.durationCheck = 'pass';
    if (md.duration < minSec) {
      checks.durationCheck = 'fail';
      issues.push({
        type: 'duration_too_short',
        severity: 'error',
        message: `Duration ${md.duration}s is below ${minSec}s`,
        details: { duration: md.duration, min: minSec },
      });
    } else if (maxSec !== undefined && md.duration > maxSec) {
      checks.durationCheck = 'fail';
      issues.push({
        type: 'duration_too_long',
        severity: 'error',
        message: `Duration ${md.duration}s is above ${maxSec}s`,
        details: { duration: md.duration, max: maxSec },
      });
    }
  }

  if (video && md.bitrate !== undefined) {
    const min = opts.minBitrateKbps ?? (md.height !== undefined ? minBitrateFor(md.height, t) : undefined);
    if (min !== undefined) {
      checks.bitrateCheck = md.bitrate < min ? 'fail' : 'pass';
      if (md.bitrate < min)
        issues.push({
          type: 'low_bitrate',
          severity: 'warning',
          message: `Bitrate ${md.bitrate}kbps is below ${min}kbps`,
          details: { bitrate: md.bitrate, min },
        });
    }
  }

  if (opts.expectedQuality !== undefined && md.height !== undefined && md.width !== undefined) {
    const [lines, width] = QUALITY[opts.expectedQuality];
    const ok = md.height >= lines * 0.9 || md.width >= width * 0.95;
    checks.qualityCheck = ok ? 'pass' : 'fail';
    if (!ok) issues.push({ type: 'quality_mismatch', severity: 'error', message: `Expected ${opts.expectedQuality}, the picture is ${md.width}x${md.height}` });
  }

  if (opts.checkAspectRatio && md.aspectRatio !== undefined) {
    const ok = md.aspectRatio >= 1.2 && md.aspectRatio <= 2.8;
    checks.aspectRatioCheck = ok ? 'pass' : 'fail';
    if (!ok) issues.push({ type: 'unusual_aspect_ratio', severity: 'warning', message: `Aspect ratio ${md.aspectRatio} is unusual for a film or episode` });
  }

  const allowed = t.allowedContainers.map((c) => c.toLowerCase());
  if (video && md.container && allowed.length > 0 && !containerAllowed(md.container, allowed)) {
    issues.push({ type: 'container_unsupported', severity: 'info', message: `Container ${md.container} is not one of ${allowed.join(', ')}` });
  }

  if (extra.decode !== undefined) {
    checks.corruptionCheck = extra.decode.length === 0 ? 'pass' : 'fail';
    if (extra.decode.length > 0)
      issues.push({ type: 'corruption_detected', severity: 'error', message: 'ffmpeg reported decode errors', details: { errors: extra.decode } });
  }

  const securityIssues = extra.securityIssues ?? [];
  if (extra.securityIssues !== undefined) checks.securityCheck = securityIssues.some((s) => s.severity !== 'warning') ? 'fail' : 'pass';

  const passed = !Object.values(checks).includes('fail') && !issues.some((i) => i.severity === 'error');
  return { ok: true, passed, issues, securityIssues, metadata: md, checks, verifiedAt: extra.verifiedAt };
}

/** Every check at 'skip': what a check that does not run reports. */
function noChecksRun(): ContentChecks {
  return { securityCheck: 'skip', durationCheck: 'skip', aspectRatioCheck: 'skip', bitrateCheck: 'skip', qualityCheck: 'skip', corruptionCheck: 'skip' };
}

/** A file that could not be probed at all: nothing judged, the reason as the one issue. */
export function unreadable(type: string, message: string, verifiedAt: string, securityIssues: SecurityIssue[] = []): ContentVerifyResult {
  const checks = noChecksRun();
  if (securityIssues.length > 0) checks.securityCheck = 'fail';
  return { ok: type !== 'file_not_found', passed: false, issues: [{ type, severity: 'error', message }], securityIssues, metadata: {}, checks, verifiedAt };
}

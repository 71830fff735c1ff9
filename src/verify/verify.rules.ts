import type { VerifyIssue, VerifyOutcome, VerifySettings, VerifyTopSeverity } from './verify.types.js';

/** What a probe found about a media file (the legacy ProbeMetadata shape). */
export interface ProbeMetadata {
  container?: string;
  durationSec?: number;
  video?: { codec?: string; width?: number; height?: number; bitrateKbps?: number; framerate?: number };
  audio?: { codec?: string; channels?: number; language?: string }[];
  subtitles?: { language?: string; forced?: boolean }[];
}

export interface VerifyThresholds {
  minDurationSec: number;
  minBitrateKbpsByHeight: Record<string, number>;
  allowedContainers: string[];
}

const DEFAULT_BITRATES = { '720': 1500, '1080': 2500, '2160': 8000 };
const DEFAULT_CONTAINERS = ['mp4', 'mkv'];

/** `verify.json` -> thresholds, with the legacy defaults for absent keys (FORMATS.md §3.9). */
export function thresholdsFrom(settings: VerifySettings | undefined): VerifyThresholds {
  const s = settings ?? {};
  const bitrates = s.minBitrateKbpsByHeight;
  return {
    minDurationSec: typeof s.minDurationSec === 'number' ? s.minDurationSec : 60,
    minBitrateKbpsByHeight: bitrates && typeof bitrates === 'object' && !Array.isArray(bitrates) ? bitrates : { ...DEFAULT_BITRATES },
    allowedContainers: Array.isArray(s.allowedContainers) ? s.allowedContainers.map(String) : [...DEFAULT_CONTAINERS],
  };
}

/** 'none' < 'info' < 'warn' < 'error'. */
export function topSeverityOf(issues: VerifyIssue[]): VerifyTopSeverity {
  const rank = { none: 0, info: 1, warn: 2, error: 3 } as const;
  let top: VerifyTopSeverity = 'none';
  for (const i of issues) if (rank[i.severity] > rank[top]) top = i.severity;
  return top;
}

/** The legacy title heuristics: "sample" is wrong content; cam/TS rips are low quality. */
export function titleIssues(title: string): VerifyIssue[] {
  const t = title.toLowerCase();
  const out: VerifyIssue[] = [];
  if (t.includes('sample')) out.push({ kind: 'wrong_content', severity: 'error', message: 'Title contains "sample"' });
  if (t.includes('camrip') || t.includes('tsrip')) out.push({ kind: 'encoding_low_quality', severity: 'warn', message: 'Potential cam/TS rip' });
  return out;
}

// ffprobe reports demuxer names ("matroska,webm", "mov,mp4,m4a,3gp,3g2,mj2"); the thresholds
// name file types. Legacy compared the raw string and so flagged every real file; here any of
// the names (with the usual aliases) matching an allowed container passes.
const CONTAINER_ALIASES: Record<string, string> = { matroska: 'mkv', webm: 'webm', mov: 'mov', mpegts: 'ts', avi: 'avi' };

export function containerAllowed(container: string, allowed: string[]): boolean {
  const names = container
    .toLowerCase()
    .split(',')
    .map((n) => n.trim());
  return names.some((n) => allowed.includes(n) || allowed.includes(CONTAINER_ALIASES[n] ?? n));
}

/** The legacy metadata rules: short duration, container, bitrate by height (all `warn`). */
export function metadataIssues(md: ProbeMetadata | undefined, t: VerifyThresholds): VerifyIssue[] {
  const out: VerifyIssue[] = [];
  if (!md) return out;
  const d = md.durationSec ?? 0;
  if (d > 0 && d < t.minDurationSec) out.push({ kind: 'short_duration', severity: 'warn', message: `Duration ${d}s < ${t.minDurationSec}s` });
  const allowed = t.allowedContainers.map((c) => c.toLowerCase());
  if (allowed.length > 0 && md.container && !containerAllowed(md.container, allowed)) {
    out.push({ kind: 'container_unsupported', severity: 'warn', message: `Container ${md.container}` });
  }
  const v = md.video;
  if (v?.height && v.bitrateKbps) {
    const min = t.minBitrateKbpsByHeight[String(v.height)];
    if (typeof min === 'number' && v.bitrateKbps < min) {
      out.push({ kind: 'encoding_low_bitrate', severity: 'warn', message: `${v.bitrateKbps}kbps < ${min}kbps for ${v.height}p` });
    }
  }
  return out;
}

/** Title rules, then probe issues (e.g. ffprobe missing), then the metadata rules. */
export function evaluate(
  input: { phase: string; title: string },
  md: ProbeMetadata | undefined,
  probeIssues: VerifyIssue[],
  settings: VerifySettings | undefined,
  analyzedAt: string,
): VerifyOutcome {
  const issues = [...titleIssues(input.title), ...probeIssues, ...metadataIssues(md, thresholdsFrom(settings))];
  return { phase: input.phase, issues, analyzedAt, topSeverity: topSeverityOf(issues) };
}

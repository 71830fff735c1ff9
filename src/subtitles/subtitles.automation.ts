/**
 * Subtitle automation and the optional tools (API.md §15 sync, generate, automation) on the job
 * queue. A scan (job `subtitle-scan`) lists the scanned videos that lack a subtitle file in a
 * preferred language; `process` queues a sync or a Whisper generation (job `subtitle-automation`)
 * only when that tool is installed; otherwise the answer is `available:false` with how to install.
 */
import { readdir, stat } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import { Invalid, NotFound } from '../errors.js';
import type { JobQueue } from '../jobs/jobs.queue.js';
import type { JobsSql } from '../jobs/jobs.sql.js';
import { type JobRecord, type JobRunContext, PermanentJobError } from '../jobs/jobs.types.js';
import type { MediaFilesSql } from '../media/media-files.sql.js';
import { detectSyncTool, detectWhisper, runSync, runWhisper, type ToolAvailability } from './subtitle-tools.js';
import type { SubtitleFiles } from './subtitles.files.service.js';
import type { SubtitleAutomationConfigService } from './subtitles.service.js';

export const SUBTITLE_SCAN_JOB_TYPE = 'subtitle-scan';
export const SUBTITLE_JOB_TYPE = 'subtitle-automation';
const SIDECAR = new Set(['.srt', '.vtt', '.ass', '.ssa', '.sub']);
const MAX_ISSUES = 500;
const SCAN_WAIT_MS = 30_000;

export interface SubtitleAutomationDeps {
  files: Pick<SubtitleFiles, 'existingFile' | 'inside'>;
  config: Pick<SubtitleAutomationConfigService, 'get'>;
  mediaFiles: Pick<MediaFilesSql, 'list'>;
  jobs: Pick<JobsSql, 'list' | 'countByStatus' | 'deleteFinishedOfType' | 'get'>;
  queue: Pick<JobQueue, 'enqueue' | 'get'>;
  now: () => Date;
  tools?: { whisper: () => Promise<ToolAvailability>; sync: () => Promise<ToolAvailability> };
}

interface ProcessPayload {
  videoPath: string;
  type: 'sync' | 'generate';
  subtitlePath?: string;
  language?: string;
  model?: string;
  outputDir?: string;
  metadata?: Record<string, unknown>;
}

function legacyJob(j: JobRecord) {
  const p = j.payload as ProcessPayload;
  return {
    id: j.id,
    type: p.type,
    videoPath: p.videoPath,
    status: j.status,
    createdAt: j.createdAt,
    updatedAt: j.updatedAt,
    ...(j.result !== undefined ? { result: j.result } : {}),
    ...(j.error ? { error: j.error } : {}),
    ...(p.metadata ? { metadata: p.metadata } : {}),
  };
}

/** Languages of the sidecar subtitles of `video` (`Movie.en.srt` -> en; `Movie.srt` -> ''). */
async function sidecarLanguages(video: string, listing: Map<string, string[]>): Promise<Set<string>> {
  const dir = dirname(video);
  let names = listing.get(dir);
  if (names === undefined) {
    names = await readdir(dir).catch(() => []);
    listing.set(dir, names);
  }
  const stem = basename(video, extname(video));
  const out = new Set<string>();
  for (const n of names) {
    if (!SIDECAR.has(extname(n).toLowerCase()) || !n.startsWith(stem)) continue;
    const middle = n.slice(stem.length, -extname(n).length).replace(/^\./, '');
    out.add(middle.split('.')[0]!.toLowerCase());
  }
  return out;
}

export function createSubtitleAutomation(deps: SubtitleAutomationDeps) {
  const tools = deps.tools ?? { whisper: detectWhisper, sync: detectSyncTool };
  const unavailable = (name: string, t: ToolAvailability) => ({
    ok: false,
    available: false,
    error: `${name} is not installed on the server`,
    installInstructions: t.installInstructions,
  });

  async function lastScan(): Promise<JobRecord | undefined> {
    return (await deps.jobs.list({ type: SUBTITLE_SCAN_JOB_TYPE, status: 'completed', limit: 1 }))[0];
  }

  async function enqueueProcess(payload: ProcessPayload): Promise<string> {
    return deps.queue.enqueue(SUBTITLE_JOB_TYPE, payload, { now: deps.now(), maxAttempts: 1 });
  }

  return {
    async status() {
      const c = await deps.jobs.countByStatus(SUBTITLE_JOB_TYPE);
      const config = await deps.config.get();
      const last = await lastScan();
      const out: Record<string, unknown> = {
        ok: true,
        enabled: config.enabled,
        queuedJobs: c.queued,
        runningJobs: c.running,
        completedJobs: c.completed,
        failedJobs: c.failed,
      };
      if (last) {
        out.lastScanAt = last.updatedAt;
        if (config.enabled && config.scanScheduleHours > 0)
          out.nextScanAt = new Date(Date.parse(last.updatedAt) + config.scanScheduleHours * 3_600_000).toISOString();
      }
      out.whisperAvailable = (await tools.whisper()).available;
      return out;
    },

    async jobs() {
      const jobs = await deps.jobs.list({ type: SUBTITLE_JOB_TYPE, limit: 100 });
      const c = await deps.jobs.countByStatus(SUBTITLE_JOB_TYPE);
      return { jobs: jobs.map(legacyJob), total: c.queued + c.running + c.completed + c.failed };
    },

    async job(id: string) {
      const j = await deps.jobs.get(id);
      if (!j || j.type !== SUBTITLE_JOB_TYPE) throw new NotFound('Job not found');
      return legacyJob(j);
    },

    async clear() {
      const cleared = await deps.jobs.deleteFinishedOfType(SUBTITLE_JOB_TYPE);
      return { cleared, message: `Cleared ${cleared} finished jobs` };
    },

    /** Queues a scan and waits for it (up to SCAN_WAIT_MS); a longer scan answers with its job id. */
    async scan() {
      const jobId = await deps.queue.enqueue(SUBTITLE_SCAN_JOB_TYPE, {}, { now: deps.now(), maxAttempts: 1 });
      const until = Date.now() + SCAN_WAIT_MS;
      while (Date.now() < until) {
        const j = await deps.queue.get(jobId);
        if (j?.status === 'completed') {
          const r = j.result as { scanned: number; issues: unknown[] };
          return { scanned: r.scanned, issues: r.issues, message: `Scanned ${r.scanned} videos, ${r.issues.length} without preferred subtitles`, jobId };
        }
        if (j?.status === 'failed') throw new Invalid('Subtitle scan failed', { message: j.error ?? 'failed' });
        await new Promise((r) => setTimeout(r, 50));
      }
      return { scanned: 0, issues: [], message: 'Scan queued; still running', jobId };
    },

    async process(body: { videoPath?: unknown; type: 'sync' | 'generate'; subtitlePath?: unknown; metadata?: Record<string, unknown> }) {
      const videoPath = await deps.files.existingFile(body.videoPath, 'videoPath');
      const tool = body.type === 'sync' ? await tools.sync() : await tools.whisper();
      if (!tool.available) return unavailable(body.type === 'sync' ? 'A subtitle sync tool' : 'Whisper', tool);
      const payload: ProcessPayload = { videoPath, type: body.type };
      if (body.type === 'sync') payload.subtitlePath = await deps.files.existingFile(body.subtitlePath, 'subtitlePath');
      if (body.metadata) payload.metadata = body.metadata;
      return { ok: true, jobId: await enqueueProcess(payload), message: `${body.type} job queued` };
    },

    /** POST /api/subtitles/sync/detect: whether automatic sync can run here (no offset is guessed). */
    async syncCheck() {
      const t = await tools.sync();
      if (!t.available) return unavailable('A subtitle sync tool', t);
      return { ok: true, available: true, tool: t.tool, message: 'Use POST /api/subtitles/sync/auto to align the subtitle to the audio' };
    },

    async generateCheck() {
      const w = await tools.whisper();
      return { ok: true, ...w, model: (await deps.config.get()).whisperModel };
    },

    async generate(body: { videoPath?: unknown; language?: string; model?: string; outputDir?: unknown }) {
      const videoPath = await deps.files.existingFile(body.videoPath, 'videoPath');
      const w = await tools.whisper();
      if (!w.available) return unavailable('Whisper', w);
      const outputDir = body.outputDir === undefined ? dirname(videoPath) : await deps.files.inside(body.outputDir, 'outputDir');
      const payload: ProcessPayload = { videoPath, type: 'generate', outputDir, model: body.model ?? (await deps.config.get()).whisperModel };
      if (body.language) payload.language = body.language;
      return { ok: true, jobId: await enqueueProcess(payload), message: 'Generation queued' };
    },

    async generateJobs() {
      const jobs = (await deps.jobs.list({ type: SUBTITLE_JOB_TYPE, limit: 100 })).filter((j) => (j.payload as ProcessPayload).type === 'generate');
      return { jobs: jobs.map(legacyJob), activeCount: jobs.filter((j) => j.status === 'queued' || j.status === 'running').length };
    },

    /** Job SUBTITLE_SCAN_JOB_TYPE: videos (movies, series) without a sidecar in a preferred language. */
    async runScan(): Promise<{ scanned: number; issues: { path: string; missingLanguages: string[] }[] }> {
      const preferred = (await deps.config.get()).preferredLanguages.map((l) => String(l).toLowerCase());
      const videos = (await deps.mediaFiles.list({ status: 'present' })).filter((f) => f.kind === 'movie' || f.kind === 'series');
      const listing = new Map<string, string[]>();
      const issues: { path: string; missingLanguages: string[] }[] = [];
      for (const v of videos) {
        const langs = await sidecarLanguages(v.path, listing);
        if (langs.has('')) continue;
        const missing = preferred.filter((l) => !langs.has(l));
        if (missing.length > 0 && issues.length < MAX_ISSUES) issues.push({ path: v.path, missingLanguages: missing });
      }
      return { scanned: videos.length, issues };
    },

    /** Job SUBTITLE_JOB_TYPE: runs the installed tool; writes next to the video, never over a file. */
    async runProcess(payload: unknown, run: JobRunContext): Promise<{ outputPath: string }> {
      const p = payload as ProcessPayload;
      const tool = p.type === 'sync' ? await tools.sync() : await tools.whisper();
      if (!tool.available || !tool.tool) throw new PermanentJobError(`${p.type === 'sync' ? 'sync tool' : 'Whisper'} is not installed`);
      if (p.type === 'sync' && p.subtitlePath) {
        const out = join(dirname(p.subtitlePath), `${basename(p.subtitlePath, extname(p.subtitlePath))}.synced${extname(p.subtitlePath)}`);
        if ((await stat(out).catch(() => undefined)) !== undefined) throw new PermanentJobError(`output exists and is never overwritten: ${out}`);
        await runSync(tool.tool, p.videoPath, p.subtitlePath, out, run.signal);
        return { outputPath: out };
      }
      const dir = p.outputDir ?? dirname(p.videoPath);
      await runWhisper(tool.tool, p.videoPath, dir, { model: p.model ?? 'base', language: p.language }, run.signal);
      return { outputPath: join(dir, `${basename(p.videoPath, extname(p.videoPath))}.srt`) };
    },
  };
}
export type SubtitleAutomation = ReturnType<typeof createSubtitleAutomation>;

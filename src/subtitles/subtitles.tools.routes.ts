import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { authenticate, type RequestAuthenticator } from '../http/auth.js';
import { parseInput } from '../http/errors.js';
import type { SubtitleAutomation } from './subtitles.automation.js';
import type { SubtitleFiles } from './subtitles.files.service.js';

const path = z.unknown().optional();
const int = (min: number) =>
  z
    .number({ error: 'must be a number' })
    .int({ message: 'must be an integer' })
    .min(min, { message: `must be ${min} or more` });
const language = z.string().regex(/^[A-Za-z]{2,3}(-[A-Za-z]{2})?$/, { message: 'must be a language code such as en or pt-BR' });
const tracksQuery = z.object({ path });
const extractBody = z.object({ videoPath: path, trackIndex: int(0).optional(), outputPath: path });
const parseBody = z.object({ path });
const convertBody = z.object({ inputPath: path, outputFormat: z.enum(['srt', 'vtt'], { message: 'must be srt or vtt' }).optional(), outputPath: path });
const shiftBody = z.object({
  subtitlePath: path,
  offsetMs: z.number({ error: 'must be a number (milliseconds)' }).int({ message: 'must be whole milliseconds' }).min(-86_400_000).max(86_400_000).optional(),
  outputPath: path,
});
const syncBody = z.object({ videoPath: path, subtitlePath: path, outputPath: path });
const searchBody = z.object({
  imdbId: z
    .string()
    .regex(/^(tt)?\d{1,10}$/, { message: 'must be an IMDb id such as tt0133093' })
    .optional(),
  title: z.string().min(1, { message: 'must not be empty' }).max(200).optional(),
  season: int(0).optional(),
  episode: int(0).optional(),
  language: language.optional(),
});
const generateBody = z.object({
  videoPath: path,
  language: language.optional(),
  model: z.enum(['tiny', 'base', 'small', 'medium', 'large']).optional(),
  outputDir: path,
});
const processBody = z.object({
  videoPath: path,
  type: z.enum(['sync', 'generate'], { message: 'must be sync or generate' }),
  subtitlePath: path,
  metadata: z.record(z.string(), z.unknown()).optional(),
});
const idParams = z.object({ id: z.string() });

export interface SubtitleToolsRoutesDeps {
  files: SubtitleFiles;
  automation: SubtitleAutomation;
  auth: RequestAuthenticator;
}

/**
 * Subtitle tools and automation (API.md §15). Legacy had no auth: here reads need a user and
 * anything that writes a file or queues work needs an admin. Every path must lie inside a media
 * folder (403 `path_not_allowed`); missing input is 400 `<field> is required`; an output that
 * exists is 409 (never overwritten). Whisper and automatic sync answer `available:false` with
 * `installInstructions` when the tool is not on this machine.
 */
export async function subtitleToolsRoutes(app: FastifyInstance, deps: SubtitleToolsRoutesDeps): Promise<void> {
  const { files, automation } = deps;
  const user = { preHandler: authenticate(deps.auth, 'user') };
  const admin = { preHandler: authenticate(deps.auth, 'admin') };

  app.get('/api/subtitles/tracks', user, async (request) => ({ ok: true, ...(await files.tracks(parseInput(tracksQuery, request.query).path)) }));
  app.post('/api/subtitles/extract', admin, async (request) => files.extract(parseInput(extractBody, request.body)));
  app.post('/api/subtitles/parse', user, async (request) => ({ ok: true, ...(await files.parse(parseInput(parseBody, request.body).path)) }));
  app.post('/api/subtitles/convert', admin, async (request) => ({ ok: true, ...(await files.convert(parseInput(convertBody, request.body))) }));
  app.post('/api/subtitles/sync/manual', admin, async (request) => ({ ok: true, ...(await files.shift(parseInput(shiftBody, request.body))) }));
  app.post('/api/subtitles/sync/detect', user, async (request) => {
    const body = parseInput(syncBody, request.body);
    await files.existingFile(body.videoPath, 'videoPath');
    await files.existingFile(body.subtitlePath, 'subtitlePath');
    return automation.syncCheck();
  });
  app.post('/api/subtitles/sync/auto', admin, async (request) => {
    const body = parseInput(syncBody, request.body);
    return automation.process({ videoPath: body.videoPath, subtitlePath: body.subtitlePath, type: 'sync' });
  });
  app.post('/api/subtitles/search', user, async (request) => files.search(parseInput(searchBody, request.body)));

  app.get('/api/subtitles/generate/check', user, async () => automation.generateCheck());
  app.get('/api/subtitles/generate/jobs', user, async () => ({ ok: true, ...(await automation.generateJobs()) }));
  app.get('/api/subtitles/generate/:id', user, async (request) => {
    const job = await automation.job(parseInput(idParams, request.params).id);
    return { ok: true, jobId: job.id, progress: job.status === 'completed' ? 100 : 0, ...job };
  });
  app.post('/api/subtitles/generate', admin, async (request) => automation.generate(parseInput(generateBody, request.body)));

  app.get('/api/subtitles/automation/status', user, async () => automation.status());
  app.get('/api/subtitles/automation/jobs', user, async () => ({ ok: true, ...(await automation.jobs()) }));
  app.get('/api/subtitles/automation/jobs/:id', user, async (request) => ({ ok: true, job: await automation.job(parseInput(idParams, request.params).id) }));
  app.post('/api/subtitles/automation/scan', admin, async () => ({ ok: true, ...(await automation.scan()) }));
  app.post('/api/subtitles/automation/clear', admin, async () => ({ ok: true, ...(await automation.clear()) }));
  app.post('/api/subtitles/automation/process', admin, async (request) => automation.process(parseInput(processBody, request.body)));
}

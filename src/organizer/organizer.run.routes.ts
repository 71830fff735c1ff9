import { join } from 'node:path/posix';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { authenticate, type RequestAuthenticator, requireUser } from '../http/auth.js';
import { parseInput } from '../http/errors.js';
import { renderName } from './organizer.naming.js';
import type { OrganizerRuns } from './organizer.run.js';
import type { OrganizerConfigService } from './organizer.service.js';
import { organizeBody, testNamingBody, undoBody } from './organizer.types.js';

export interface OrganizerRunRoutesDeps {
  organizer: OrganizerRuns;
  organizerConfig: Pick<OrganizerConfigService, 'get'>;
  auth: RequestAuthenticator;
}

const runParams = z.object({ id: z.string() });
const runsQuery = z.object({ limit: z.coerce.number().int().min(1, { message: 'must be 1 to 200' }).max(200, { message: 'must be 1 to 200' }).optional() });
/** `?limit=&cursor=` on POST /api/organizer/preview: a page of the plan (without them, the whole plan as legacy). */
const PREVIEW_PAGE_DEFAULT = 500;
const previewQuery = z.object({
  limit: z.coerce
    .number()
    .int({ message: 'must be an integer' })
    .min(1, { message: 'must be 1 to 5000' })
    .max(5000, { message: 'must be 1 to 5000' })
    .optional(),
  cursor: z.string().min(1, { message: 'must not be empty' }).max(8192, { message: 'at most 8192 characters' }).optional(),
});
const KIND = { series: 'series', movie: 'movie', music: 'music', book: 'book' } as const;

/**
 * Organizer runs (API.md §13 status/preview/start/stop/test-naming, plus undo and the run list).
 * Legacy answered refusals with 200 `{ok:false,error}`; here the same body comes with a status:
 * 409 "Organization in progress" / "No organization in progress", 400 for bad input or "No
 * scanned items to organize. Run a scan first.", 403 `path_not_allowed` for a destination outside
 * the media folders. Status, preview, runs and test-naming: any user; start, stop, undo: admin.
 */
export async function organizerRunRoutes(app: FastifyInstance, deps: OrganizerRunRoutesDeps): Promise<void> {
  const { organizer } = deps;
  const user = { preHandler: authenticate(deps.auth, 'user') };
  const admin = { preHandler: authenticate(deps.auth, 'admin') };

  app.get('/api/organizer/status', user, async () => ({ ok: true, ...(await organizer.status()) }));
  app.post('/api/organizer/preview', user, async (request) => {
    const q = parseInput(previewQuery, request.query);
    const page =
      q.limit !== undefined || q.cursor !== undefined
        ? { limit: q.limit ?? PREVIEW_PAGE_DEFAULT, ...(q.cursor !== undefined ? { cursor: q.cursor } : {}) }
        : undefined;
    return { ok: true, ...(await organizer.preview(parseInput(organizeBody, request.body), page)) };
  });
  app.post('/api/organizer/start', admin, async (request) => ({
    ok: true,
    ...(await organizer.start(parseInput(organizeBody, request.body), requireUser(request).id)),
  }));
  app.post('/api/organizer/stop', admin, async () => ({ ok: true, ...(await organizer.stop()) }));
  app.post('/api/organizer/undo', admin, async (request) => ({ ok: true, ...(await organizer.undo(parseInput(undoBody, request.body).runId)) }));
  app.get('/api/organizer/runs', user, async (request) => {
    const runs = await organizer.runs(parseInput(runsQuery, request.query).limit);
    return { ok: true, runs, count: runs.length };
  });
  app.get('/api/organizer/runs/:id', user, async (request) => ({ ok: true, run: await organizer.run(parseInput(runParams, request.params).id) }));

  /** Renders the templates for a sample; no file is read or written. */
  app.post('/api/organizer/test-naming', user, async (request) => {
    const body = parseInput(testNamingBody, request.body);
    const namingConfig = body.namingConfig ?? (await deps.organizerConfig.get()).config.namingConfig;
    const sample = { ...body.sampleData, extension: body.sampleData.extension ?? '.mkv' };
    const name = renderName(KIND[body.type], sample, namingConfig);
    const folderPath = join(body.destinationRoot ?? '/media', ...name.folders);
    return { ok: true, input: body, output: { folderPath, filename: name.filename, fullPath: join(folderPath, name.filename) } };
  });
}

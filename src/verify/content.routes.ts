import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { authenticate, type RequestAuthenticator } from '../http/auth.js';
import { parseInput } from '../http/errors.js';
import { decodeCursor, encodeCursor, pagingOf } from '../http/page-query.js';
import type { ContentQueue } from './content.queue.js';
import { contentOptions } from './content.rules.js';
import type { ContentService } from './content.service.js';

const metadata = z.object({ title: z.string().optional(), kind: z.string().optional(), itemId: z.string().optional(), source: z.string().optional() });
const priority = z
  .number({ error: 'must be a number' })
  .int({ message: 'must be an integer' })
  .min(1, { message: 'must be 1 to 10' })
  .max(10, { message: 'must be 1 to 10' });
const flag = z.boolean({ error: 'must be a boolean' });

const contentBody = contentOptions.extend({ path: z.unknown().optional() });
const batchBody = z.object({ paths: z.unknown().optional(), options: contentOptions.optional() });
const folderBody = z.object({ path: z.unknown().optional(), recursive: flag.optional(), options: contentOptions.optional() });
const securityBody = z.object({ path: z.unknown().optional(), recursive: flag.optional() });
const queueBody = z.object({
  path: z.unknown().optional(),
  type: z.enum(['file', 'folder'], { message: 'must be file or folder' }).optional(),
  options: contentOptions.optional(),
  priority: priority.optional(),
  metadata: metadata.optional(),
});
const queueBatchBody = z.object({
  files: z
    .array(z.object({ path: z.unknown().optional(), metadata: metadata.optional() }), { error: 'is required (an array of {path})' })
    .min(1, { message: 'must not be empty' }),
  options: contentOptions.optional(),
  priority: priority.optional(),
});
const idParams = z.object({ id: z.string() });

/** A results cursor: `[checkedAt, path]` of the page's last check. */
const isResultsCursor = (v: unknown): v is [string, string] => Array.isArray(v) && v.length === 2 && typeof v[0] === 'string' && typeof v[1] === 'string';

export interface ContentRoutesDeps {
  content: ContentService;
  contentQueue: ContentQueue;
  auth: RequestAuthenticator;
}

/**
 * Content verification, security scan and queue (API.md §9). Legacy had no auth: here every route
 * needs a user, and every path must lie inside a media folder (403 `path_not_allowed`). Errors as
 * legacy: 400 `Path is required` / `Paths are required` / `Filename is required`, 404 `Job not
 * found`, 400 `Job cannot be cancelled (not queued or not found)`; other bad input is 400 naming the field.
 */
export async function contentRoutes(app: FastifyInstance, deps: ContentRoutesDeps): Promise<void> {
  const { content, contentQueue: queue } = deps;
  const user = { preHandler: authenticate(deps.auth, 'user') };

  app.post('/api/verify/content', user, async (request) => {
    const { path, ...opts } = parseInput(contentBody, request.body);
    return content.content(path, opts);
  });
  app.post('/api/verify/content/quick', user, async (request) => content.quick(parseInput(contentBody, request.body).path));
  app.post('/api/verify/content/batch', user, async (request) => {
    const body = parseInput(batchBody, request.body);
    return { ok: true, ...(await content.batch(body.paths, body.options ?? {})) };
  });
  app.post('/api/verify/content/folder', user, async (request) => {
    const body = parseInput(folderBody, request.body);
    return content.folder(body.path, body.recursive ?? false, body.options ?? {});
  });
  app.post('/api/verify/security', user, async (request) => content.security(parseInput(securityBody, request.body).path));
  app.post('/api/verify/security/folder', user, async (request) => {
    const body = parseInput(securityBody, request.body);
    return content.security(body.path, body.recursive ?? true);
  });
  app.post('/api/verify/security/quick', user, async (request) => content.securityQuick((request.body as { filename?: unknown } | undefined)?.filename));

  app.get('/api/verify/queue', user, async () => ({ ok: true, ...(await queue.status()) }));
  app.post('/api/verify/queue', user, async (request) => ({ ok: true, ...(await queue.add(parseInput(queueBody, request.body))) }));
  app.post('/api/verify/queue/batch', user, async (request) => ({ ok: true, ...(await queue.addBatch(parseInput(queueBatchBody, request.body))) }));
  app.post('/api/verify/queue/clear', user, async () => ({ ok: true, ...(await queue.clear()) }));
  // Whole (legacy: the newest 1,000) without `limit`/`cursor`; with them, one keyset page.
  app.get('/api/verify/queue/results', user, async (request) => {
    const paging = pagingOf(request.query);
    if (!paging) return { ok: true, ...(await queue.results()) };
    const [checkedAt, path] = paging.cursor === undefined ? [] : decodeCursor(paging.cursor, 'the verify results', isResultsCursor);
    const after = checkedAt === undefined || path === undefined ? null : { checkedAt, path };
    const { next, ...page } = await queue.resultsPage(after, paging.limit);
    return { ok: true, ...page, nextCursor: next && encodeCursor([next.checkedAt, next.path]) };
  });
  app.get('/api/verify/queue/:id', user, async (request) => ({ ok: true, job: await queue.job(parseInput(idParams, request.params).id) }));
  app.delete('/api/verify/queue/:id', user, async (request) => ({ ok: true, ...(await queue.cancel(parseInput(idParams, request.params).id)) }));
}

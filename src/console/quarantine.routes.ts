import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { authenticate, type RequestAuthenticator } from '../http/auth.js';
import { parseInput } from '../http/errors.js';
import { pageLimit } from '../http/page-query.js';
import type { QuarantineReview } from '../migration/quarantine.js';

export interface QuarantineRoutesDeps {
  quarantine: QuarantineReview;
  auth: RequestAuthenticator;
}

const listQuery = z.object({
  limit: pageLimit,
  cursor: z.string().max(2000).optional(),
});

const idParams = z.object({ id: z.string().min(1, 'id is required').max(64, 'id is at most 64 characters') });

const previewQuery = z.object({ preview: z.enum(['true', 'false', '1', '0'], { message: 'preview must be true or false' }).optional() });

const admitBody = z.object({
  set: z
    .record(z.string().min(1, 'set: a field name must not be empty').max(200), z.unknown())
    .refine((s) => Object.keys(s).length <= 50, 'set: at most 50 fields')
    .default({}),
  preview: z.boolean({ message: 'preview must be true or false' }).optional(),
});

const dropBody = z.object({ preview: z.boolean({ message: 'preview must be true or false' }).optional() });

const isPreview = (query: unknown, body: { preview?: boolean }) => {
  const q = parseInput(previewQuery, query).preview;
  return body.preview === true || q === 'true' || q === '1';
};

/**
 * Quarantine review (admin): GET /api/system/quarantine (`limit`, `cursor` -> `{ok, items, total,
 * nextCursor?}` in file/locator order), GET /api/system/quarantine/:id (the record, its reason and
 * its raw text, secrets redacted), POST .../:id/admit (`{set:{field:value}, preview?}`) and
 * POST .../:id/drop (`{preview?}`); `?preview=true` or `preview:true` answers what it would do
 * and changes nothing.
 */
export async function quarantineRoutes(app: FastifyInstance, deps: QuarantineRoutesDeps): Promise<void> {
  const admin = { preHandler: authenticate(deps.auth, 'admin') };
  const actor = (request: { user?: { id: string } }) => request.user?.id ?? 'system';

  app.get('/api/system/quarantine', admin, async (request) => {
    const q = parseInput(listQuery, request.query);
    return { ok: true, ...(await deps.quarantine.list({ limit: q.limit, cursor: q.cursor })) };
  });

  app.get('/api/system/quarantine/:id', admin, async (request) => {
    const { id } = parseInput(idParams, request.params);
    return { ok: true, record: await deps.quarantine.show(id) };
  });

  app.post('/api/system/quarantine/:id/admit', admin, async (request) => {
    const { id } = parseInput(idParams, request.params);
    const body = parseInput(admitBody, request.body);
    return { ok: true, ...(await deps.quarantine.admit(id, body.set, actor(request), { preview: isPreview(request.query, body) })) };
  });

  app.post('/api/system/quarantine/:id/drop', admin, async (request) => {
    const { id } = parseInput(idParams, request.params);
    const body = parseInput(dropBody, request.body);
    return { ok: true, ...(await deps.quarantine.drop(id, actor(request), { preview: isPreview(request.query, body) })) };
  });
}

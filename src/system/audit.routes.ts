import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { Invalid } from '../errors.js';
import { authenticate, type RequestAuthenticator } from '../http/auth.js';
import { parseInput } from '../http/errors.js';
import { pageLimit } from '../http/page-query.js';
import { type AuditService, decodeCursor } from './audit.service.js';
import { AUDIT_ENTITIES } from './audit.types.js';

export interface AuditRoutesDeps {
  audit: Pick<AuditService, 'page'>;
  auth: RequestAuthenticator;
}

const isoTime = (field: string) =>
  z
    .string()
    .refine((v) => !Number.isNaN(Date.parse(v)), { message: `${field} must be an ISO-8601 time` })
    .transform((v) => new Date(v).toISOString())
    .optional();

const auditQuery = z.object({
  entity: z.enum(AUDIT_ENTITIES, { message: `entity must be one of ${AUDIT_ENTITIES.join(', ')}` }).optional(),
  user: z.string().min(1, 'user must not be empty').max(200).optional(),
  from: isoTime('from'),
  to: isoTime('to'),
  limit: pageLimit,
  cursor: z.string().max(200).optional(),
});

/**
 * GET /api/system/audit (admin): `{ok:true, items:[{id, at, actor, entity, entityId?, action,
 * before?, after?}], nextCursor?}`, newest first, keyset-paged by (at, id). Filters: `entity`,
 * `user` (a user id, `cli` or `system`), `from`/`to` (ISO; from inclusive, to exclusive), `limit`
 * (1..500, default 100), `cursor` (the previous page's nextCursor). Secrets show as "[redacted]".
 */
export async function auditRoutes(app: FastifyInstance, deps: AuditRoutesDeps): Promise<void> {
  const admin = { preHandler: authenticate(deps.auth, 'admin') };
  app.get('/api/system/audit', admin, async (request) => {
    const q = parseInput(auditQuery, request.query);
    const before = q.cursor === undefined ? undefined : decodeCursor(q.cursor);
    if (q.cursor !== undefined && !before) throw new Invalid('cursor: not a cursor from this endpoint');
    const page = await deps.audit.page({ entity: q.entity, actor: q.user, from: q.from, to: q.to, limit: q.limit, before });
    return { ok: true, ...page };
  });
}

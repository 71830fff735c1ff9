import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { authenticate, type RequestAuthenticator, requireUser } from '../http/auth.js';
import { parseInput } from '../http/errors.js';
import type { UsersService } from './users.service.js';
import { userPatchBodySchema } from './users.types.js';

const userParams = z.object({ id: z.string().min(1) });

export interface UsersRoutesDeps {
  users: UsersService;
  auth: RequestAuthenticator;
}

/**
 * User management (no legacy counterpart):
 * - GET /api/users (admin): `{ok:true,users:UserResponse[]}`.
 * - PATCH /api/users/:id: admin: `{role?,disabled?,email?}`; a user: own `{email}` only (403
 *   otherwise). 404 `not_found`, 409 `Email already exists`, 409 `last_admin` (the last enabled
 *   admin cannot be demoted or disabled), 400 naming an unknown or mistyped key. Disabling
 *   revokes the user's sessions.
 * - DELETE /api/users/:id (admin, new): `{ok:true,user}` (the removed user); its sessions end.
 *   409 `cannot_remove_self`, 409 `last_admin`, 404 `not_found`.
 * - POST /api/users/:id/sessions/revoke (admin, new): `{ok:true,revoked:N}`, every session of the user.
 */
export async function usersRoutes(app: FastifyInstance, deps: UsersRoutesDeps): Promise<void> {
  const { users } = deps;

  app.get('/api/users', { preHandler: authenticate(deps.auth, 'admin') }, async () => ({ ok: true, users: await users.list() }));

  app.patch('/api/users/:id', { preHandler: authenticate(deps.auth, 'user') }, async (request) => {
    const { id } = parseInput(userParams, request.params);
    const changes = parseInput(userPatchBodySchema, request.body);
    const caller = requireUser(request);
    return { ok: true, user: await users.update(id, changes, { id: caller.id, role: caller.role }) };
  });

  app.delete('/api/users/:id', { preHandler: authenticate(deps.auth, 'admin') }, async (request) => {
    const { id } = parseInput(userParams, request.params);
    return { ok: true, user: await users.remove(id, requireUser(request).id) };
  });

  app.post('/api/users/:id/sessions/revoke', { preHandler: authenticate(deps.auth, 'admin') }, async (request) => {
    const { id } = parseInput(userParams, request.params);
    return { ok: true, revoked: await users.revokeSessions(id, requireUser(request).id) };
  });
}

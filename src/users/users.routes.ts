import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { AppContext } from '../app.js';
import { authenticate, requireUser } from '../http/auth.js';
import { parseInput } from '../http/errors.js';
import { createUsersService, type UsersService } from './users.service.js';
import { userPatchBodySchema } from './users.types.js';

const userParams = z.object({ id: z.string().min(1) });

/** The users service on the app's stores (user routes and the password route share it). */
export function usersServiceFor(ctx: AppContext): UsersService {
  return createUsersService({ users: ctx.stores.users, sessions: ctx.stores.sessions, phase: ctx.phase, now: ctx.now });
}

/**
 * User management (no legacy counterpart):
 * - GET /api/users (admin): `{ok:true,users:UserResponse[]}`.
 * - PATCH /api/users/:id: admin: `{role?,disabled?,email?}`; a user: own `{email}` only (403
 *   otherwise). 404 `not_found`, 409 `Email already exists`, 409 `last_admin` (the last enabled
 *   admin cannot be demoted or disabled), 400 naming an unknown or mistyped key. Disabling
 *   revokes the user's sessions.
 */
export async function usersRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const users = usersServiceFor(ctx);

  app.get('/api/users', { preHandler: authenticate(ctx, 'admin') }, async () => ({ ok: true, users: await users.list() }));

  app.patch('/api/users/:id', { preHandler: authenticate(ctx, 'user') }, async (request) => {
    const { id } = parseInput(userParams, request.params);
    const changes = parseInput(userPatchBodySchema, request.body);
    const caller = requireUser(request);
    return { ok: true, user: await users.update(id, changes, { id: caller.id, role: caller.role }) };
  });
}

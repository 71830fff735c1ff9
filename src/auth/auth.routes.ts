import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { authenticate, requireUser } from '../http/auth.js';
import { parseInput } from '../http/errors.js';
import type { UsersService } from '../users/users.service.js';
import { credentialsBodySchema, passwordChangeBodySchema, refreshBodySchema } from '../users/users.types.js';
import { type AuthService, LoginRateLimited } from './auth.service.js';
import type { ClientMeta } from './auth.types.js';

function meta(request: FastifyRequest): ClientMeta {
  const ua = request.headers['user-agent'];
  return { ip: request.ip, userAgent: typeof ua === 'string' ? ua : undefined, log: request.log };
}

export interface AuthRoutesDeps {
  auth: AuthService;
  /** POST /api/auth/password changes the password through the users service. */
  users: Pick<UsersService, 'setPassword'>;
}

/** Legacy auth routes (API.md §1); the logic lives in auth.service.ts. */
export async function authRoutes(app: FastifyInstance, deps: AuthRoutesDeps): Promise<void> {
  const auth = () => deps.auth;

  app.post('/api/auth/register', async (request) => {
    const body = parseInput(credentialsBodySchema, request.body);
    const r = await auth().register(body, request.headers.authorization, meta(request));
    // Created by an admin: the new user only (the admin gets no session of theirs).
    if (r.accessToken === undefined) return { ok: true, user: r.user, isFirstUser: r.isFirstUser };
    return { ok: true, user: r.user, accessToken: r.accessToken, refreshToken: r.refreshToken, isFirstUser: r.isFirstUser };
  });

  app.post('/api/auth/login', async (request, reply: FastifyReply) => {
    const body = parseInput(credentialsBodySchema, request.body);
    try {
      const r = await auth().login(body, meta(request));
      return { ok: true, user: r.user, accessToken: r.accessToken, refreshToken: r.refreshToken };
    } catch (err) {
      if (err instanceof LoginRateLimited) reply.header('retry-after', String(err.retryAfterSec));
      throw err;
    }
  });

  app.post('/api/auth/refresh', async (request) => {
    const body = parseInput(refreshBodySchema, request.body);
    const r = await auth().refresh(body, meta(request));
    return { ok: true, user: r.user, accessToken: r.accessToken, refreshToken: r.refreshToken };
  });

  app.get('/api/auth/me', { preHandler: authenticate(deps.auth, 'user') }, async (request) => {
    return { ok: true, user: await auth().me(requireUser(request).id) };
  });

  /** Own password, with the current one; every other session of the user is revoked. */
  app.post('/api/auth/password', { preHandler: authenticate(deps.auth, 'user') }, async (request) => {
    const caller = requireUser(request);
    const body = parseInput(passwordChangeBodySchema, request.body);
    const user = await deps.users.setPassword(caller.id, body.newPassword, {
      current: body.currentPassword,
      keepSessionId: caller.sessionId,
      requireCurrent: true,
      by: caller.id,
    });
    return { ok: true, user };
  });

  app.post('/api/auth/logout', async (request) => {
    const body = parseInput(refreshBodySchema, request.body);
    await auth().logout(request.headers.authorization, body);
    return { ok: true, message: 'Logged out successfully' };
  });

  app.get('/api/auth/status', async () => auth().status());
}

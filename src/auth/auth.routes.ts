import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { authenticate, requireUser, type RequestAuthenticator } from '../http/auth.js';
import { parseInput } from '../http/errors.js';
import { credentialsBodySchema, refreshBodySchema } from '../users/users.types.js';
import { LoginRateLimited, type AuthService } from './auth.service.js';
import type { ClientMeta } from './auth.types.js';

function meta(request: FastifyRequest): ClientMeta {
  const ua = request.headers['user-agent'];
  return { ip: request.ip, userAgent: typeof ua === 'string' ? ua : undefined, log: request.log };
}

export interface AuthRoutesDeps {
  auth: AuthService;
}

/** Legacy auth routes (API.md §1); the logic lives in auth.service.ts. */
export async function authRoutes(app: FastifyInstance, deps: AuthRoutesDeps): Promise<void> {
  const auth = () => deps.auth;

  app.post('/api/auth/register', async (request) => {
    const body = parseInput(credentialsBodySchema, request.body);
    const r = await auth().register(body, request.headers.authorization, meta(request));
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

  app.post('/api/auth/logout', async (request) => {
    const body = parseInput(refreshBodySchema, request.body);
    await auth().logout(request.headers.authorization, body);
    return { ok: true, message: 'Logged out successfully' };
  });

  app.get('/api/auth/status', async () => auth().status());
}

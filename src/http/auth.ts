import type { FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import type { AppContext } from '../app.js';
import { getAuthService } from '../auth/auth.service.js';
import type { AuthUser } from '../auth/auth.types.js';

export type { AuthUser } from '../auth/auth.types.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by `authenticate` on protected routes. */
    user?: AuthUser;
  }
}

/**
 * preHandler for protected routes: `{ preHandler: authenticate(ctx, 'user' | 'admin') }`.
 * Requires exactly `Authorization: Bearer <access token>` of a live session; the role is read
 * from the users store on every request (never from the token). Failures answer
 * 401 {ok:false,error:"Authentication required"|"Invalid token"|"Token expired"|"User not found"|"Session revoked"}
 * or 403 {ok:false,error:"Insufficient permissions"}.
 */
export function authenticate(ctx: AppContext, role: 'user' | 'admin'): preHandlerAsyncHookHandler {
  return async function authenticateRequest(request: FastifyRequest) {
    request.user = await getAuthService(ctx).authenticateHeader(request.headers.authorization, role);
  };
}

/** The authenticated caller; throws if the route forgot its preHandler (a programming error). */
export function requireUser(request: FastifyRequest): AuthUser {
  if (!request.user) throw new Error('route is missing its authenticate() preHandler');
  return request.user;
}

import type { FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';

/** The caller of an authenticated request (`request.user`). The role is read from the users store on every request. */
export interface AuthUser {
  id: string;
  email: string;
  role: 'admin' | 'user';
  sessionId: string;
}

/** What the hook needs of the auth service (auth/auth.service.ts implements it). */
export interface RequestAuthenticator {
  authenticateHeader(header: string | undefined, role: 'user' | 'admin'): Promise<AuthUser>;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by `authenticate` on protected routes. */
    user?: AuthUser;
  }
}

/**
 * preHandler for protected routes: `{ preHandler: authenticate(auth, 'user' | 'admin') }`.
 * Requires exactly `Authorization: Bearer <access token>` of a live session; the role is read
 * from the users store on every request (never from the token). Failures answer
 * 401 {ok:false,error:"Authentication required"|"Invalid token"|"Token expired"|"User not found"|"Session revoked"}
 * or 403 {ok:false,error:"Insufficient permissions"}.
 */
export function authenticate(auth: RequestAuthenticator, role: 'user' | 'admin'): preHandlerAsyncHookHandler {
  return async function authenticateRequest(request: FastifyRequest) {
    request.user = await auth.authenticateHeader(request.headers.authorization, role);
  };
}

/** The authenticated caller; throws if the route forgot its preHandler (a programming error). */
export function requireUser(request: FastifyRequest): AuthUser {
  if (!request.user) throw new Error('route is missing its authenticate() preHandler');
  return request.user;
}

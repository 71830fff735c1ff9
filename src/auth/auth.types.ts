import type { UserRole } from '../users/users.types.js';

/** The caller of an authenticated request (`request.user`). The role is read from the users store on every request. */
export interface AuthUser {
  id: string;
  email: string;
  role: UserRole;
  sessionId: string;
}

/** Where a login/refresh came from (stored on the session row). */
export interface ClientMeta {
  ip?: string;
  userAgent?: string;
  log?: { warn(obj: object, msg?: string): void; info(obj: object, msg?: string): void };
}

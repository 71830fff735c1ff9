/** The caller of an authenticated request (defined beside the hook that sets it). */
export type { AuthUser } from '../http/auth.js';

/** Where a login/refresh came from (stored on the session row). */
export interface ClientMeta {
  ip?: string;
  userAgent?: string;
  log?: { warn(obj: object, msg?: string): void; info(obj: object, msg?: string): void };
}

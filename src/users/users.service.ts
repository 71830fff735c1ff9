/**
 * User management (issue 12 item 14), shared by the HTTP routes and `mediaos user ...`:
 * - `disabled: true` is kept in the user record (an `extra` key in the database, a plain key in
 *   `users.json`, which the legacy server ignores and keeps), so every phase holds it losslessly.
 *   A disabled user cannot log in or refresh; disabling revokes every session at once.
 * - The last enabled admin can be neither demoted nor disabled (409 `last_admin`).
 * - `updatedAt` changes with the password only (FORMATS §3.1), as in legacy.
 * - A password change needs the current password and revokes the user's other sessions.
 */
import { randomBytes } from 'node:crypto';
import { AppError, Forbidden, Invalid, NotFound, Unauthorized } from '../errors.js';
import { checkPasswordPolicy, hashLegacyPassword, hashPassword, verifyPassword } from '../security/passwords.js';
import type { SessionsStore } from '../sessions/sessions.store.js';
import type { StoragePhase } from '../storage/phase-list.js';
import type { AuditActor, AuditRecorder } from '../system/audit.types.js';
import type { UsersStore } from './users.store.js';
import { isDisabled, toUserResponse, type UserRecord, type UserResponse, type UserRole } from './users.types.js';

/** 409: the change would leave no enabled admin. */
export class LastAdmin extends AppError {
  constructor() {
    super(409, 'last_admin', { message: 'this is the last enabled admin: make another user admin first' });
  }
}

export interface UserChanges {
  role?: UserRole;
  disabled?: boolean;
  email?: string;
}

export interface UsersServiceDeps {
  users: UsersStore;
  sessions: Pick<SessionsStore, 'listForUser' | 'revoke' | 'revokeForUser'>;
  phase: StoragePhase;
  /** Every change is audited (actor: the caller's id, or `cli` for the console commands). */
  audit: AuditRecorder;
  now: () => Date;
}

/** Legacy id format (FORMATS §0.4): `user_<ms>_<up to 9 base36 chars>`, from a CSPRNG here. */
export function newUserId(nowMs: number): string {
  const alphabet = '0123456789abcdefghijklmnopqrstuvwxyz';
  const suffix = [...randomBytes(9)].map((b) => alphabet[b % 36]).join('');
  return `user_${nowMs}_${suffix}`;
}

/** In phase db new hashes are argon2id; before that the old server must still verify them after a rollback. */
export function hashForPhase(phase: StoragePhase, password: string): Promise<string> {
  return phase === 'db' ? hashPassword(password) : hashLegacyPassword(password);
}

/** The registration rules for an email (API.md §1 message). */
export function checkEmail(email: string): string {
  const e = email.trim();
  if (e === '' || !e.includes('@')) throw new Invalid('Valid email is required');
  return e;
}

/** The password policy as registration answers it (first message, all messages, strength). */
export function checkNewPassword(password: string): void {
  const policy = checkPasswordPolicy(password);
  if (!policy.ok) throw new Invalid(policy.errors[0], { errors: policy.errors, strength: policy.strength });
}

export function createUsersService(deps: UsersServiceDeps) {
  const { users, sessions } = deps;
  const nowIso = () => deps.now().toISOString();

  async function find(idOrEmail: string): Promise<UserRecord> {
    const user = (await users.getById(idOrEmail)) ?? (idOrEmail.includes('@') ? await users.getByEmail(idOrEmail) : undefined);
    if (!user) throw new NotFound('not_found', { message: `no user "${idOrEmail}"` });
    return user;
  }

  /** Refuses a change that leaves no enabled admin. */
  async function keepAnAdmin(before: UserRecord, after: UserRecord): Promise<void> {
    const wasActiveAdmin = before.role === 'admin' && !isDisabled(before);
    const staysActiveAdmin = after.role === 'admin' && !isDisabled(after);
    if (!wasActiveAdmin || staysActiveAdmin) return;
    const others = (await users.list()).filter((u) => u.id !== before.id && u.role === 'admin' && !isDisabled(u));
    if (others.length === 0) throw new LastAdmin();
  }

  return {
    async list(): Promise<UserResponse[]> {
      return (await users.list()).map(toUserResponse);
    },

    async get(idOrEmail: string): Promise<UserRecord> {
      return find(idOrEmail);
    },

    /** A new user (CLI `user add`; the HTTP registration has its own first-user rules). */
    async add(input: { email: string; password: string; role: UserRole }, by: AuditActor = 'cli'): Promise<UserResponse> {
      const email = checkEmail(input.email);
      checkNewPassword(input.password);
      const at = nowIso();
      const user: UserRecord = {
        id: newUserId(deps.now().getTime()),
        email,
        passwordHash: await hashForPhase(deps.phase, input.password),
        role: input.role,
        createdAt: at,
        updatedAt: at,
      };
      await users.insert(user); // Duplicate('Email already exists')
      await deps.audit.record({ actor: by, entity: 'user', entityId: user.id, action: 'create', after: toUserResponse(user) });
      return toUserResponse(user);
    },

    /**
     * PATCH /api/users/:id and the CLI. `actor` undefined: the CLI (an admin at the console).
     * A non-admin may change only their own email.
     */
    async update(id: string, changes: UserChanges, actor?: { id: string; role: UserRole }): Promise<UserResponse> {
      if (actor && actor.role !== 'admin') {
        if (actor.id !== id) throw new Forbidden('Insufficient permissions');
        const denied = (['role', 'disabled'] as const).filter((k) => changes[k] !== undefined);
        if (denied.length > 0) throw new Forbidden('Insufficient permissions', { message: `only an admin may change ${denied.join(', ')}` });
      }
      const before = await find(id);
      const after: UserRecord = { ...before };
      if (changes.email !== undefined) after.email = checkEmail(changes.email);
      if (changes.role !== undefined) after.role = changes.role;
      if (changes.disabled === true) after.disabled = true;
      if (changes.disabled === false) delete after.disabled;
      await keepAnAdmin(before, after);
      await users.update(after); // Duplicate('Email already exists')
      if (changes.disabled === true && !isDisabled(before)) await sessions.revokeForUser(before.id, 'user_disabled', nowIso());
      await deps.audit.record({
        actor: actor?.id ?? 'cli',
        entity: 'user',
        entityId: before.id,
        action: 'update',
        before: toUserResponse(before),
        after: toUserResponse(after),
      });
      return toUserResponse(after);
    },

    /**
     * DELETE /api/users/:id (admin): removes the user and ends their sessions. Not oneself (an
     * admin removing their own account by mistake would be locked out: 409 `cannot_remove_self`),
     * and never the last enabled admin (409 `last_admin`).
     */
    async remove(id: string, actor: AuditActor): Promise<UserResponse> {
      const before = await find(id);
      if (before.id === actor) throw new AppError(409, 'cannot_remove_self', { message: 'you cannot remove your own account' });
      await keepAnAdmin(before, { ...before, disabled: true });
      await sessions.revokeForUser(before.id, 'user_removed', nowIso());
      await users.remove(before.id);
      await deps.audit.record({ actor, entity: 'user', entityId: before.id, action: 'delete', before: toUserResponse(before) });
      return toUserResponse(before);
    },

    /** POST /api/users/:id/sessions/revoke (admin): ends every session of the user; answers how many. */
    async revokeSessions(id: string, actor: AuditActor): Promise<number> {
      const user = await find(id);
      const revoked = await sessions.revokeForUser(user.id, 'admin', nowIso());
      await deps.audit.record({ actor, entity: 'session', entityId: user.id, action: 'revoke_all', after: { userId: user.id, revoked } });
      return revoked;
    },

    /**
     * Sets a password. With `current` (the HTTP route) it must match; `keepSessionId` stays
     * logged in and every other session of the user is revoked. Without `keepSessionId` (the
     * CLI's reset) all the user's sessions are revoked.
     */
    async setPassword(
      id: string,
      next: string,
      opts: { current?: string; keepSessionId?: string; requireCurrent: boolean; by?: AuditActor },
    ): Promise<UserResponse> {
      const user = await find(id);
      if (opts.requireCurrent && !(await verifyPassword(opts.current ?? '', user.passwordHash))) throw new Unauthorized('Invalid credentials');
      checkNewPassword(next);
      const updated: UserRecord = { ...user, passwordHash: await hashForPhase(deps.phase, next), updatedAt: nowIso() };
      await users.update(updated);
      const at = nowIso();
      if (opts.keepSessionId === undefined) await sessions.revokeForUser(user.id, 'password_changed', at);
      else
        for (const s of await sessions.listForUser(user.id))
          if (s.id !== opts.keepSessionId && s.revokedAt === undefined) await sessions.revoke(s.id, 'password_changed', at);
      // The hash itself is never written to the audit row (the redactor would hide it anyway).
      await deps.audit.record({ actor: opts.by ?? 'cli', entity: 'user', entityId: user.id, action: 'password', after: { otherSessionsRevoked: true } });
      return toUserResponse(updated);
    },
  };
}
export type UsersService = ReturnType<typeof createUsersService>;

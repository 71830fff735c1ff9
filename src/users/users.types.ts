import { z } from 'zod';

export type UserRole = 'admin' | 'user';

/**
 * One user exactly as legacy `users.json` holds it (FORMATS.md §3.1): same keys, optional keys
 * optional, unknown keys kept. `passwordHash` is the legacy PBKDF2 `<saltHex>:<hashHex>` or, for
 * users who logged in under phase `db`, an argon2id PHC string.
 */
export interface UserRecord {
  id: string;
  email: string;
  passwordHash: string;
  role: UserRole;
  createdAt: string;
  updatedAt: string;
  lastLoginAt?: string;
  [key: string]: unknown;
}

/** What the API returns for a user (API.md §0.5): never the hash, never unknown keys. */
export interface UserResponse {
  id: string;
  email: string;
  role: UserRole;
  createdAt: string;
  updatedAt: string;
  lastLoginAt?: string;
  /** Present (true) only for a disabled user. */
  disabled?: true;
}

/** A user an admin disabled (`disabled: true` in the record): no login, no refresh. */
export function isDisabled(user: Readonly<Record<string, unknown>>): boolean {
  return user.disabled === true;
}

export function toUserResponse(user: UserRecord): UserResponse {
  const out: UserResponse = {
    id: user.id,
    email: user.email,
    role: user.role,
    createdAt: user.createdAt,
    updatedAt: user.updatedAt,
  };
  if (typeof user.lastLoginAt === 'string') out.lastLoginAt = user.lastLoginAt;
  if (isDisabled(user)) out.disabled = true;
  return out;
}

/** Legacy body shapes: anything else in the body is ignored; type errors are answered per route. */
export const credentialsBodySchema = z.looseObject({
  email: z.unknown().optional(),
  password: z.unknown().optional(),
});

export const refreshBodySchema = z.looseObject({
  refreshToken: z.unknown().optional(),
});

/**
 * What services see of the users. Write methods take complete records (ids and times chosen by
 * the service) so the dual phases write the same record to the database and to users.json.
 */
export interface UsersStore {
  getById(id: string): Promise<UserRecord | undefined>;
  /** Case-insensitive (JavaScript toLowerCase, as legacy compared). */
  getByEmail(email: string): Promise<UserRecord | undefined>;
  count(): Promise<number>;
  list(): Promise<UserRecord[]>;
  /** Throws Duplicate('Email already exists') (or 'duplicate_id'). */
  insert(user: UserRecord): Promise<void>;
  /** Replaces the stored record with `user` (same id), exactly as given, `updatedAt` included. */
  update(user: UserRecord): Promise<void>;
  remove(id: string): Promise<boolean>;
}

/** PATCH /api/users/:id: only these keys; anything else is a 400 naming the key. */
export const userPatchBodySchema = z.strictObject({
  role: z.enum(['admin', 'user']).optional(),
  disabled: z.boolean().optional(),
  email: z.string().optional(),
});

/** POST /api/auth/password. */
export const passwordChangeBodySchema = z.object({
  currentPassword: z.string({ error: 'currentPassword is required (a string)' }),
  newPassword: z.string({ error: 'newPassword is required (a string)' }),
});

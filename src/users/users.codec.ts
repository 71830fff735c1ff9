import type { Insertable, Selectable } from 'kysely';
import { z } from 'zod';
import { fromJson, setOwn, toJsonOrNull } from '../db/json.js';
import type { UsersTable } from '../db/schema.js';
import type { UserRecord } from './users.types.js';

/**
 * The one mapping between a legacy `users.json` record (FORMATS.md §3.1) and a `users` row, used by
 * the sql store and by the importer/exporter. `userFromRow(userToRow(r))` deep-equals `r` for every
 * record `legacyUserSchema` accepts.
 */

/** One legacy user as found on disk. Unknown keys survive (they go to `extra`). */
export const legacyUserSchema = z.looseObject({
  id: z.string().min(1),
  email: z.string(),
  passwordHash: z.string(),
  role: z.enum(['admin', 'user']),
  createdAt: z.unknown().optional(),
  updatedAt: z.unknown().optional(),
  lastLoginAt: z.unknown().optional(),
});

/** Emails are unique case-insensitively, with JavaScript's toLowerCase (what legacy compared with). */
export function emailKey(email: string): string {
  return email.toLowerCase();
}

/**
 * `extra` key listing timestamp keys the legacy record did NOT have although their columns are
 * NOT NULL (legacy always writes both; a hand-edited file may not). The column then holds the
 * database default and the key is dropped again on the way out.
 */
export const ABSENT_KEY = '$mediaos.absent';
const KNOWN = new Set(['id', 'email', 'passwordHash', 'role', 'createdAt', 'updatedAt', 'lastLoginAt']);

export function userToRow(record: UserRecord, _secrets?: { seal(s: string): string }): Insertable<UsersTable> {
  const extra: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(record)) if (!KNOWN.has(k)) setOwn(extra, k, v);
  const absent: string[] = [];
  const timeColumn = (key: 'createdAt' | 'updatedAt' | 'lastLoginAt'): string | undefined => {
    if (!Object.hasOwn(record, key)) {
      if (key !== 'lastLoginAt') absent.push(key);
      return undefined;
    }
    const v = record[key];
    if (typeof v === 'string') return v;
    extra[key] = v; // e.g. an explicit null: kept verbatim in extra
    return undefined;
  };
  const createdAt = timeColumn('createdAt');
  const updatedAt = timeColumn('updatedAt');
  const lastLoginAt = timeColumn('lastLoginAt');
  if (absent.length > 0) extra[ABSENT_KEY] = absent;
  return {
    id: record.id,
    email: record.email,
    email_lower: emailKey(record.email),
    password_hash: record.passwordHash,
    role: record.role,
    ...(createdAt !== undefined ? { created_at: createdAt } : {}),
    ...(updatedAt !== undefined ? { updated_at: updatedAt } : {}),
    last_login_at: lastLoginAt ?? null,
    extra: Object.keys(extra).length > 0 ? toJsonOrNull(extra) : null,
  };
}

export type UserRow = Pick<Selectable<UsersTable>, 'id' | 'email' | 'password_hash' | 'role' | 'created_at' | 'updated_at' | 'last_login_at' | 'extra'>;

export function userFromRow(row: UserRow, _secrets?: { open(s: string): string }): UserRecord {
  const record: UserRecord = {
    id: row.id,
    email: row.email,
    passwordHash: row.password_hash,
    role: row.role,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
  if (row.last_login_at !== null && row.last_login_at !== undefined) record.lastLoginAt = row.last_login_at;
  const extra = fromJson<Record<string, unknown>>(row.extra);
  if (extra) {
    const absent = Array.isArray(extra[ABSENT_KEY]) ? (extra[ABSENT_KEY] as string[]) : [];
    for (const [k, v] of Object.entries(extra)) if (k !== ABSENT_KEY) setOwn(record, k, v);
    for (const k of absent) delete record[k];
  }
  return record;
}

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StoragePhase } from '../../src/storage/phase-list.js';
import { createUsersSql } from '../../src/users/users.sql.js';
import type { UserRecord } from '../../src/users/users.types.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import type { TestEngine } from '../helpers/engines.js';

/** FORMATS.md §2.1 / §3.1: the documented test vector user. */
export const VECTOR_PASSWORD = 'Example#Pass1';
export const VECTOR_USER: UserRecord = {
  id: 'user_1733000000000_k3j9x0abc',
  email: 'Owner@Example.org',
  passwordHash:
    'abcdef0123456789abcdef0123456789:9e259be7160edd3974b79560e838f1562be0927dc4d8681aa9aaa6e559f2caefe23fd8a82818ecaf4377014f2f6bd65392563141fd16fdc13a5f7b2341e06a54',
  role: 'admin',
  createdAt: '2024-11-30T20:53:20.000Z',
  updatedAt: '2024-11-30T20:53:20.000Z',
  lastLoginAt: '2024-12-02T08:15:03.120Z',
};

/** A clock tests can move (ctx.now). */
export function movableClock(start = new Date('2025-06-01T12:00:00.000Z')) {
  let ms = start.getTime();
  return {
    now: () => new Date(ms),
    advance(deltaMs: number) {
      ms += deltaMs;
    },
  };
}

export interface AuthTestApp extends TestApp {
  clock: ReturnType<typeof movableClock>;
}

export async function authApp(engine: TestEngine, phase: StoragePhase, env: Record<string, string> = {}): Promise<AuthTestApp> {
  const clock = movableClock();
  const t = await createTestApp({ engine, phase, env, now: clock.now });
  return Object.assign(t, { clock });
}

/**
 * Puts legacy users where that phase finds them: written as a legacy users.json for the phases
 * that read files (and, for dual-read-files, also imported into the database, as the import
 * would have done), inserted through the store otherwise.
 */
export async function seedLegacyUsers(t: TestApp, users: UserRecord[]): Promise<void> {
  const phase = t.ctx.phase;
  if (phase === 'files' || phase === 'dual-read-files') {
    const map = Object.fromEntries(users.map((u) => [u.id, u]));
    writeFileSync(join(t.configDir, 'users.json'), JSON.stringify(map, null, 2));
    if (phase === 'dual-read-files') {
      const sql = createUsersSql(t.ctx.db.kysely);
      for (const u of users) await sql.insert(u);
    }
    return;
  }
  for (const u of users) await t.ctx.stores.users.insert(u);
}

export function signatureOf(token: string): string {
  return token.split('.')[2];
}

import { afterEach, describe, expect, it } from 'vitest';
import { legacyUserSchema, userFromRow, userToRow } from '../../src/users/users.codec.js';
import { createUsersSql } from '../../src/users/users.sql.js';
import type { UserRecord } from '../../src/users/users.types.js';
import { VECTOR_USER } from '../auth/auth.fixtures.js';
import { createTestDatabase, sqlEngines, type TestDatabase } from '../helpers/engines.js';

const base = { id: 'user_1', email: 'A@b.c', passwordHash: 's:h', role: 'user' as const };

/** Records the codec must carry through a row unchanged. */
const cases: [string, UserRecord][] = [
  ['the FORMATS §3.1 example', VECTOR_USER],
  ['no lastLoginAt', { ...base, createdAt: '2024-01-01T00:00:00.000Z', updatedAt: '2024-01-02T00:00:00.000Z' }],
  ['unknown keys', { ...base, createdAt: 'c', updatedAt: 'u', displayName: 'Ä', prefs: { theme: 'dark', n: [1, null] } }],
  ['explicit null lastLoginAt', { ...base, createdAt: 'c', updatedAt: 'u', lastLoginAt: null } as unknown as UserRecord],
  ['non-string createdAt', { ...base, createdAt: 1733000000000, updatedAt: 'u' } as unknown as UserRecord],
  ['missing timestamps', { ...base } as unknown as UserRecord],
  ['unicode email', { ...base, email: 'ÉMILE@Exämple.org', createdAt: 'c', updatedAt: 'u' }],
];

describe('users codec', () => {
  it('accepts legacy records and rejects what the table cannot hold', () => {
    for (const [, r] of cases) expect(legacyUserSchema.safeParse(r).success).toBe(true);
    expect(legacyUserSchema.safeParse({ ...base, role: 'owner' }).success).toBe(false);
    expect(legacyUserSchema.safeParse({ ...base, passwordHash: undefined }).success).toBe(false);
    expect(legacyUserSchema.safeParse({ ...base, id: '' }).success).toBe(false);
    expect(legacyUserSchema.parse({ ...base, extraKey: 1 })).toHaveProperty('extraKey', 1);
  });

  it('maps known keys to columns and the rest to extra', () => {
    const row = userToRow({ ...base, createdAt: 'c', updatedAt: 'u', lastLoginAt: 'l', note: 'x' });
    expect(row).toMatchObject({
      id: 'user_1',
      email: 'A@b.c',
      email_lower: 'a@b.c',
      password_hash: 's:h',
      role: 'user',
      created_at: 'c',
      updated_at: 'u',
      last_login_at: 'l',
    });
    expect(JSON.parse(row.extra as string)).toEqual({ note: 'x' });
    expect(userToRow(VECTOR_USER).extra).toBeNull();
  });
});

for (const engine of sqlEngines()) {
  describe(`users codec through a real row (${engine})`, () => {
    let tdb: TestDatabase;
    afterEach(async () => tdb?.cleanup());

    it('round-trips every case: userFromRow(userToRow(r)) deep-equals r', async () => {
      tdb = await createTestDatabase(engine);
      const sql = createUsersSql(tdb.db.kysely);
      let i = 0;
      for (const [name, r] of cases) {
        i += 1;
        const rec = { ...r, id: `${r.id}_${i}`, email: `${i}${r.email}` } as UserRecord;
        await tdb.db.kysely.insertInto('users').values(userToRow(rec)).execute();
        expect(await sql.getById(rec.id), name).toEqual(rec);
        const row = await tdb.db.kysely.selectFrom('users').selectAll().where('id', '=', rec.id).executeTakeFirstOrThrow();
        expect(userFromRow(row), name).toEqual(rec);
      }
    });
  });
}

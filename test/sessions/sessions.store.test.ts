import { afterEach, describe, expect, it } from 'vitest';
import { createSecretBox } from '../../src/security/secret-box.js';
import { createSessionsSql } from '../../src/sessions/sessions.sql.js';
import { createSessionsStore } from '../../src/sessions/sessions.store.js';
import { newFileSyncStatus } from '../../src/storage/phased-store.js';
import { createUsersSql } from '../../src/users/users.sql.js';
import { TEST_ENCRYPTION_KEY } from '../helpers/app.js';
import { createTestDatabase, sqlEngines, type TestDatabase } from '../helpers/engines.js';

const user = {
  id: 'user_1_a',
  email: 'a@example.org',
  passwordHash: 's:h',
  role: 'user' as const,
  createdAt: '2024-01-01T00:00:00.000Z',
  updatedAt: '2024-01-01T00:00:00.000Z',
};
const session = (id: string, over: object = {}) => ({
  id,
  userId: user.id,
  tokenHash: `hash-${id}`,
  expiresAt: '2025-01-08T00:00:00.000Z',
  createdAt: '2025-01-01T00:00:00.000Z',
  ...over,
});

for (const engine of sqlEngines()) {
  describe(`sessions store (${engine})`, () => {
    let tdb: TestDatabase;
    afterEach(async () => tdb?.cleanup());

    async function setup() {
      tdb = await createTestDatabase(engine);
      await createUsersSql(tdb.db.kysely).insert(user);
      return createSessionsSql(tdb.db.kysely);
    }

    it('creates and reads a session by id, optional fields absent when unset', async () => {
      const s = await setup();
      await s.create(session('s1', { ip: '10.0.0.1', userAgent: 'ua' }));
      await s.create(session('s2'));
      expect(await s.get('s1')).toEqual(session('s1', { ip: '10.0.0.1', userAgent: 'ua' }));
      expect(await s.get('s2')).toEqual(session('s2'));
      expect(await s.get('nope')).toBeUndefined();
      expect((await s.listForUser(user.id)).map((x) => x.id)).toEqual(['s1', 's2']);
    });

    it('getWithUser: the user by id and, if it exists, the session by id, in one read', async () => {
      const s = await setup();
      await s.create(session('s1', { ip: '10.0.0.1', userAgent: 'ua' }));
      const u = { id: user.id, email: user.email, role: user.role };
      expect(await s.getWithUser('s1', user.id)).toEqual({ user: u, session: session('s1', { ip: '10.0.0.1', userAgent: 'ua' }) });
      expect(await s.getWithUser('nope', user.id)).toEqual({ user: u });
      expect(await s.getWithUser('s1', 'no_such_user')).toBeUndefined();
      await s.revoke('s1', 'logout', '2025-01-03T00:00:00.000Z');
      expect((await s.getWithUser('s1', user.id))?.session).toMatchObject({ revokedAt: '2025-01-03T00:00:00.000Z', revokeReason: 'logout' });
    });

    it('rotates only from the current hash (compare-and-swap) and never a revoked session', async () => {
      const s = await setup();
      await s.create(session('s1'));
      const r = { fromHash: 'hash-s1', toHash: 'h2', expiresAt: '2025-01-09T00:00:00.000Z', usedAt: '2025-01-02T00:00:00.000Z' };
      expect(await s.rotate('s1', r)).toBe(true);
      expect(await s.rotate('s1', r)).toBe(false); // the old hash no longer matches
      expect(await s.get('s1')).toMatchObject({ tokenHash: 'h2', expiresAt: r.expiresAt, lastUsedAt: r.usedAt });
      expect(await s.revoke('s1', 'logout', '2025-01-03T00:00:00.000Z')).toBe(true);
      expect(await s.revoke('s1', 'logout', '2025-01-04T00:00:00.000Z')).toBe(false);
      expect(await s.get('s1')).toMatchObject({ revokedAt: '2025-01-03T00:00:00.000Z', revokeReason: 'logout' });
      expect(await s.rotate('s1', { ...r, fromHash: 'h2' })).toBe(false);
    });

    it('revokes all of a user, deletes expired, and cascades with the user', async () => {
      const s = await setup();
      await s.create(session('s1'));
      await s.create(session('s2', { expiresAt: '2024-12-01T00:00:00.000Z' }));
      expect(await s.revokeForUser(user.id, 'admin', '2025-01-02T00:00:00.000Z')).toBe(2);
      expect(await s.deleteExpired('2025-01-01T00:00:00.000Z')).toBe(1);
      expect(await s.get('s2')).toBeUndefined();
      await createUsersSql(tdb.db.kysely).remove(user.id);
      expect(await s.get('s1')).toBeUndefined();
    });

    it('phase files: keeps sessions of users the database does not know in memory', async () => {
      tdb = await createTestDatabase(engine);
      const silent = { warn() {}, info() {}, error() {} };
      const store = createSessionsStore({
        db: tdb.db,
        phase: 'files',
        configDir: tdb.dir,
        secretBox: createSecretBox(TEST_ENCRYPTION_KEY),
        legacyEncryptionKey: TEST_ENCRYPTION_KEY,
        fileSync: newFileSyncStatus(),
        log: silent,
      });
      await store.create(session('m1', { userId: 'user_only_in_file' }));
      expect(await store.get('m1')).toMatchObject({ userId: 'user_only_in_file' });
      expect(await store.revoke('m1', 'logout', '2025-01-02T00:00:00.000Z')).toBe(true);
      expect(await store.get('m1')).toMatchObject({ revokeReason: 'logout' });
      // Users live in users.json in this phase: no joined look-up, the auth service reads both stores.
      expect(store.getWithUser).toBeUndefined();
      // A user the database knows gets a real row.
      await createUsersSql(tdb.db.kysely).insert(user);
      await store.create(session('d1'));
      expect(await createSessionsSql(tdb.db.kysely).get('d1')).toBeDefined();
    });
  });
}

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Duplicate } from '../../src/errors.js';
import { createUsersJson } from '../../src/users/users.json.js';
import { createUsersSql } from '../../src/users/users.sql.js';
import type { UsersStore } from '../../src/users/users.store.js';
import type { UserRecord } from '../../src/users/users.types.js';
import { createTestDatabase, sqlEngines, tempDir } from '../helpers/engines.js';

const alice: UserRecord = {
  id: 'user_1_a',
  email: 'Alice@Example.org',
  passwordHash: 's:h',
  role: 'admin',
  createdAt: '2024-01-01T00:00:00.000Z',
  updatedAt: '2024-01-01T00:00:00.000Z',
};
const bob: UserRecord = {
  id: 'user_2_b',
  email: 'bob@example.org',
  passwordHash: 's:h2',
  role: 'user',
  createdAt: '2024-01-02T00:00:00.000Z',
  updatedAt: '2024-01-02T00:00:00.000Z',
  nickname: 'B',
};

type Make = () => Promise<{ store: UsersStore; cleanup: () => Promise<void>; dir?: string }>;
const impls: [string, Make][] = [
  ...sqlEngines().map((e): [string, Make] => [
    e,
    async () => {
      const tdb = await createTestDatabase(e);
      return { store: createUsersSql(tdb.db.kysely), cleanup: () => tdb.cleanup() };
    },
  ]),
  [
    'json',
    async () => {
      const { dir, cleanup } = tempDir();
      return { store: createUsersJson({ configDir: dir }), cleanup: async () => cleanup(), dir };
    },
  ],
];

for (const [name, make] of impls) {
  describe(`users store (${name})`, () => {
    let done: (() => Promise<void>) | undefined;
    afterEach(async () => done?.());

    it('inserts, finds by id and case-insensitive email, counts and lists', async () => {
      const { store, cleanup } = await make();
      done = cleanup;
      expect(await store.count()).toBe(0);
      await store.insert(alice);
      await store.insert(bob);
      expect(await store.count()).toBe(2);
      expect(typeof (await store.count())).toBe('number');
      expect(await store.getById(bob.id)).toEqual(bob);
      expect(await store.getByEmail('ALICE@example.ORG')).toEqual(alice);
      expect(await store.getByEmail('nobody@example.org')).toBeUndefined();
      expect(await store.getById('nope')).toBeUndefined();
      expect((await store.list()).map((u) => u.id).sort()).toEqual([alice.id, bob.id]);
    });

    it('refuses a duplicate email (any case) and a duplicate id with Duplicate', async () => {
      const { store, cleanup } = await make();
      done = cleanup;
      await store.insert(alice);
      await expect(store.insert({ ...bob, email: 'alice@EXAMPLE.org' })).rejects.toMatchObject({ status: 409, code: 'Email already exists' });
      await expect(store.insert({ ...bob, id: alice.id })).rejects.toBeInstanceOf(Duplicate);
      expect(await store.count()).toBe(1);
    });

    it('updates the record exactly as given, updatedAt included, and removes', async () => {
      const { store, cleanup } = await make();
      done = cleanup;
      await store.insert(alice);
      await store.insert(bob);
      const next = { ...alice, lastLoginAt: '2025-01-01T00:00:00.000Z', passwordHash: 'new' };
      await store.update(next);
      expect(await store.getById(alice.id)).toEqual(next); // updatedAt unchanged: no trigger stamp
      await expect(store.update({ ...bob, email: 'ALICE@example.org' })).rejects.toBeInstanceOf(Duplicate);
      expect(await store.remove(bob.id)).toBe(true);
      expect(await store.remove(bob.id)).toBe(false);
      expect(await store.count()).toBe(1);
    });
  });
}

describe('users.json format', () => {
  it('reads the legacy map, keeps unknown keys and writes 2-space JSON without a trailing newline', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const legacy = { [alice.id]: { ...alice, theme: 'dark' } };
      writeFileSync(join(dir, 'users.json'), JSON.stringify(legacy, null, 2));
      const store = createUsersJson({ configDir: dir });
      expect(await store.getByEmail('alice@example.org')).toEqual({ ...alice, theme: 'dark' });
      await store.update({ ...alice, theme: 'dark', lastLoginAt: '2025-01-01T00:00:00.000Z' });
      await store.insert(bob);
      const raw = readFileSync(join(dir, 'users.json'), 'utf8');
      const expected = { [alice.id]: { ...alice, theme: 'dark', lastLoginAt: '2025-01-01T00:00:00.000Z' }, [bob.id]: bob };
      expect(raw).toBe(JSON.stringify(expected, null, 2));
    } finally {
      cleanup();
    }
  });
});

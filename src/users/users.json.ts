import { join } from 'node:path';
import { Duplicate } from '../errors.js';
import { createJsonFile, unchanged } from '../legacy/json-file.js';
import { emailKey } from './users.codec.js';
import type { UserRecord, UsersStore } from './users.types.js';

type UsersFile = Record<string, UserRecord>;

function asMap(value: unknown): UsersFile {
  // Legacy readers fall back to {} for anything that is not an object map.
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as UsersFile) : {};
}

/** For writes: refuse to "update" a document that is not a map (the change would be lost). */
function writableMap(draft: unknown): UsersFile {
  if (typeof draft !== 'object' || draft === null || Array.isArray(draft)) throw new Error('users.json is not an object keyed by user id; not writing');
  return draft as UsersFile;
}

function users(file: UsersFile): UserRecord[] {
  return Object.values(file).filter((u): u is UserRecord => typeof u === 'object' && u !== null && typeof u.id === 'string');
}

/**
 * Legacy `users.json` (FORMATS.md §3.1): an object keyed by user id, each value's `id` equal to its
 * key, written the way the old server writes it so it can still read the file after a rollback.
 * Records are handed out as shallow copies: the cached document is never mutated outside `update`.
 */
export function createUsersJson(opts: { configDir: string }): UsersStore {
  const file = createJsonFile<UsersFile>(join(opts.configDir, 'users.json'), { defaultValue: () => ({}) });
  const all = async () => users(asMap(await file.read()));

  return {
    async getById(id) {
      const map = asMap(await file.read());
      const u = Object.hasOwn(map, id) ? map[id] : undefined;
      return u && typeof u === 'object' ? { ...u } : undefined;
    },

    async getByEmail(email) {
      const key = emailKey(email);
      const u = (await all()).find((x) => typeof x.email === 'string' && emailKey(x.email) === key);
      return u ? { ...u } : undefined;
    },

    async count() {
      return (await all()).length;
    },

    async list() {
      return (await all()).map((u) => ({ ...u }));
    },

    async insert(user) {
      const clash = await file.update((draft) => {
        const map = writableMap(draft);
        if (Object.hasOwn(map, user.id)) return unchanged('duplicate_id');
        const key = emailKey(user.email);
        if (users(map).some((x) => typeof x.email === 'string' && emailKey(x.email) === key)) return unchanged('Email already exists');
        map[user.id] = { ...user };
        return null;
      });
      if (clash) throw new Duplicate(clash);
    },

    async update(user) {
      await file
        .update((draft) => {
          const map = writableMap(draft);
          if (!Object.hasOwn(map, user.id)) return unchanged(undefined);
          const key = emailKey(user.email);
          if (users(map).some((x) => x.id !== user.id && typeof x.email === 'string' && emailKey(x.email) === key)) {
            return unchanged('Email already exists');
          }
          map[user.id] = { ...user };
          return undefined;
        })
        .then((clash) => {
          if (clash) throw new Duplicate(clash);
        });
    },

    async remove(id) {
      return file.update((draft) => {
        const map = writableMap(draft);
        if (!Object.hasOwn(map, id)) return unchanged(false);
        delete map[id];
        return true;
      });
    },
  };
}

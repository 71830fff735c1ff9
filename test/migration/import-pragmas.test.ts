// The import bounds SQLite's memory while it runs (temp to files, no mmap, an 8 MiB page cache)
// and puts the connection's own settings back afterwards (the server keeps using it). V8's
// small-heap setting is switched off while library.json is checked and parsed (import-memory.ts).

import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { migrateToLatest } from '../../src/db/migrator.js';
import { runImport } from '../../src/migration/import.js';
import { withoutSmallHeap } from '../../src/migration/import-memory.js';
import { createSecretBox } from '../../src/security/secret-box.js';
import { copyFixture, LEGACY_KEY, type MigrationEnv, migrationEnv } from './helpers.js';

let env: MigrationEnv | undefined;
afterEach(async () => {
  await env?.cleanup();
  env = undefined;
});

describe('import on SQLite: memory bounds while it runs, settings restored after', () => {
  it.each([
    { cacheMb: 32, during: -8192 },
    { cacheMb: 4, during: -4096 }, // a smaller configured cache is kept
  ])('cache of $cacheMb MiB', async ({ cacheMb, during }) => {
    env = await migrationEnv('sqlite');
    const from = copyFixture(join(env.dir, 'config'));
    const db = env.open();
    try {
      await migrateToLatest(db);
      const raw = db.sqlite!;
      raw.pragma(`cache_size = -${cacheMb * 1024}`);
      raw.pragma('mmap_size = 1048576');
      const before = {
        cache: raw.pragma('cache_size', { simple: true }),
        temp: raw.pragma('temp_store', { simple: true }),
        mmap: raw.pragma('mmap_size', { simple: true }),
      };
      const seen: Record<string, unknown> = {};
      const report = await runImport({
        db,
        from,
        dataDir: env.dir,
        backupRetention: 2,
        legacyKey: LEGACY_KEY,
        secretBox: createSecretBox(LEGACY_KEY),
        progress: {
          phase: (name) => {
            if (name === 'write')
              Object.assign(seen, {
                cache: raw.pragma('cache_size', { simple: true }),
                temp: raw.pragma('temp_store', { simple: true }),
                mmap: raw.pragma('mmap_size', { simple: true }),
              });
          },
          library: () => {},
        },
      });
      expect(report.status).toBe('completed');
      expect(report.verify?.mismatches).toEqual([]);
      expect(seen).toEqual({ cache: during, temp: 1, mmap: 0 });
      expect({
        cache: raw.pragma('cache_size', { simple: true }),
        temp: raw.pragma('temp_store', { simple: true }),
        mmap: raw.pragma('mmap_size', { simple: true }),
      }).toEqual(before);
    } finally {
      await db.close();
    }
  });
});

describe("import: V8's small-heap setting off while library.json is checked and parsed only", () => {
  it('is switched on again when the work inside throws', async () => {
    const calls: boolean[] = [];
    await expect(
      withoutSmallHeap(
        (on) => calls.push(on),
        async () => {
          throw new Error('boom');
        },
      ),
    ).rejects.toThrow('boom');
    expect(calls).toEqual([false, true]);
    expect(await withoutSmallHeap(undefined, async () => 42)).toBe(42);
  });

  it('is off while library.json is checked and written, on again for grabs, verify results, wanted and the read-back', async () => {
    env = await migrationEnv('sqlite');
    const from = copyFixture(join(env.dir, 'config'));
    const db = env.open();
    try {
      await migrateToLatest(db);
      let on = true; // the CLI switches it on before
      const calls: boolean[] = [];
      const duringLibrary = new Set<boolean>();
      const duringPhase = new Map<string, boolean>();
      const report = await runImport({
        db,
        from,
        dataDir: env.dir,
        backupRetention: 2,
        legacyKey: LEGACY_KEY,
        secretBox: createSecretBox(LEGACY_KEY),
        smallHeap: (next: boolean) => {
          expect(next).toBe(!on); // strictly off, on, off, on
          on = next;
          calls.push(next);
        },
        progress: { phase: (name) => void duringPhase.set(name, on), library: () => void duringLibrary.add(on) },
      });
      expect(report.status).toBe('completed');
      expect(report.verify?.mismatches).toEqual([]);
      // off for the read phase and for library.json's write, on again after each
      expect(calls).toEqual([false, true, false, true]);
      expect(on).toBe(true);
      expect(duringPhase.get('verify')).toBe(true);
      expect([...duringLibrary]).toEqual([false]);
    } finally {
      await db.close();
    }
  });
});

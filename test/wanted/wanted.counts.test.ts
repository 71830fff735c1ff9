// The wanted list's size (`total` of every page and paged write) is counted once per process and
// then moved by this process's own writes (src/db/cached-counts.ts). These tests pin that it is
// never wrong after a write here, and right within the documented bound after a write elsewhere.

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { COUNTS_TTL_MS, dropCounts } from '../../src/db/cached-counts.js';
import { startClusterSignals } from '../../src/db/cluster-signals.js';
import { type Database, openDatabase } from '../../src/db/connect.js';
import { startClusterRelay } from '../../src/events/cluster-relay.js';
import { createEventBus } from '../../src/events/events.bus.js';
import { runImport } from '../../src/migration/import.js';
import { createSecretBox } from '../../src/security/secret-box.js';
import { wantedItemToRow } from '../../src/wanted/wanted.codec.js';
import { createWantedSql } from '../../src/wanted/wanted.sql.js';
import type { WantedItem } from '../../src/wanted/wanted.types.js';
import { createTestDatabase, sqlEngines, type TestDatabase } from '../helpers/engines.js';

const item = (id: string): WantedItem => ({ id, title: `Title ${id}`, kind: 'movies', addedAt: '2025-01-01T00:00:00.000Z' });

async function truth(db: Database): Promise<number> {
  const r = await db.kysely
    .selectFrom('wanted_items')
    .select((eb) => eb.fn.countAll().as('n'))
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

/** A row written beside the store (as psql or another program would): no store sees it. */
async function insertBeside(db: Database, id: string, position: number): Promise<void> {
  await db.kysely
    .insertInto('wanted_items')
    .values({ ...wantedItemToRow(item(id)), position })
    .execute();
}

async function until(check: () => Promise<boolean>, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check()) && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
}

for (const engine of sqlEngines()) {
  describe(`wanted list size kept by this process (${engine})`, () => {
    let t: TestDatabase | undefined;
    afterEach(async () => {
      vi.restoreAllMocks();
      await t?.cleanup();
      t = undefined;
    });

    it('moves the kept count by its own adds and removes instead of counting again, and is exact after each', async () => {
      t = await createTestDatabase(engine);
      const store = createWantedSql(t.db.kysely, engine);
      expect(await store.count()).toBe(0);
      // A row this process does not know of: the kept count stays 0 until something drops it...
      await insertBeside(t.db, 'ghost', 100);
      expect(await store.count()).toBe(0);
      // ...and an add moves the kept 0 to 1 (a recount would say 2).
      expect(await store.add(item('a'))).toBe(true);
      expect(await store.count()).toBe(1);
      dropCounts(t.db.kysely, ['wanted_items']);
      expect(await store.count()).toBe(2);

      expect(await store.add(item('b'))).toBe(true);
      expect(await store.count()).toBe(await truth(t.db));
      expect(await store.add(item('b'))).toBe(false); // already wanted: nothing changes
      expect(await store.count()).toBe(3);
      expect(await store.remove('movies', 'a')).toBe(true);
      expect(await store.count()).toBe(2);
      expect(await store.remove('movies', 'a')).toBe(false); // gone already
      expect(await store.count()).toBe(2);
      expect(await store.remove('movies', 'ghost')).toBe(true);
      expect(await store.count()).toBe(1);
      expect(await truth(t.db)).toBe(1);
    });

    it('two stores on one handle share the count: a write through either moves it', async () => {
      t = await createTestDatabase(engine);
      const one = createWantedSql(t.db.kysely, engine);
      const two = createWantedSql(t.db.kysely, engine);
      expect(await one.count()).toBe(0);
      await two.add(item('a'));
      await two.add(item('b'));
      expect(await one.count()).toBe(2);
      await one.remove('movies', 'b');
      expect(await two.count()).toBe(1);
    });

    it('stays exact under concurrent adds, removes and counts (bulk)', async () => {
      t = await createTestDatabase(engine);
      const store = createWantedSql(t.db.kysely, engine);
      for (let i = 0; i < 10; i++) await store.add(item(`pre${i}`));
      for (const warm of [true, false]) {
        if (!warm) dropCounts(t.db.kysely, ['wanted_items']);
        else await store.count();
        const ops: Promise<unknown>[] = [];
        for (let i = 0; i < 40; i++) {
          ops.push(store.add(item(`${warm}-${i}`)));
          if (i % 3 === 0) ops.push(store.add(item(`${warm}-${i}`))); // a duplicate, racing the first
          if (i % 4 === 0) ops.push(store.remove('movies', `pre${i / 4}`));
          ops.push(store.count());
        }
        await Promise.all(ops);
        expect(await store.count()).toBe(await truth(t.db));
      }
      expect(await truth(t.db)).toBe(80);
    });

    it('sees a write of another process on the same database: at once on SQLite, by its notice on PostgreSQL', async () => {
      t = await createTestDatabase(engine);
      const other = openDatabase(t.target);
      const procs = [t.db, other].map((db) => {
        const signals = startClusterSignals(db, { pollMs: 20 });
        const stop = startClusterRelay({ db, events: createEventBus(), signals });
        return { signals, stop, wanted: createWantedSql(db.kysely, db.engine) };
      });
      try {
        await Promise.all(procs.map((p) => p.signals.ready()));
        const [a, b] = procs;
        expect(await b.wanted.count()).toBe(0);
        await a.wanted.add(item('a'));
        await a.wanted.add(item('b'));
        if (engine === 'sqlite') expect(await b.wanted.count()).toBe(2);
        else await until(async () => (await b.wanted.count()) === 2);
        expect(await b.wanted.count()).toBe(2);
        // And back: B's remove reaches A, whose own count was moved by its adds.
        expect(await a.wanted.count()).toBe(2);
        await b.wanted.remove('movies', 'a');
        await until(async () => (await a.wanted.count()) === 1);
        expect(await a.wanted.count()).toBe(1);
      } finally {
        for (const p of procs) {
          p.stop();
          await p.signals.close();
        }
        await other.close();
      }
    });

    it('sees a writer that announces nothing within COUNTS_TTL_MS', async () => {
      t = await createTestDatabase(engine);
      const other = openDatabase(t.target);
      try {
        const store = createWantedSql(t.db.kysely, engine);
        expect(await store.count()).toBe(0);
        await insertBeside(other, 'x', 0);
        // SQLite: the file's data_version moved; PostgreSQL: the kept 0 answers until it expires.
        expect(await store.count()).toBe(engine === 'sqlite' ? 1 : 0);
        const now = Date.now();
        vi.spyOn(Date, 'now').mockReturnValue(now + COUNTS_TTL_MS + 1);
        expect(await store.count()).toBe(1);
      } finally {
        await other.close();
      }
    });

    it('counts again after an import into the running process', async () => {
      t = await createTestDatabase(engine);
      const store = createWantedSql(t.db.kysely, engine);
      await store.add(item('before'));
      expect(await store.count()).toBe(1);
      const from = join(t.dir, 'legacy');
      mkdirSync(from, { recursive: true });
      writeFileSync(join(from, 'wanted.json'), JSON.stringify({ items: [item('i1'), item('i2'), item('i3')] }));
      const report = await runImport({
        db: t.db,
        from,
        dataDir: t.dir,
        backupRetention: 1,
        legacyKey: undefined,
        secretBox: createSecretBox('k'.repeat(32)),
        prune: true,
      });
      expect(report.status).toBe('completed');
      expect(await truth(t.db)).toBe(3);
      expect(await store.count()).toBe(3);
    });

    it('does not move the count for a write in a transaction that rolls back', async () => {
      t = await createTestDatabase(engine);
      const store = createWantedSql(t.db.kysely, engine);
      expect(await store.count()).toBe(0);
      await t.db.kysely
        .transaction()
        .execute(async (trx) => {
          await createWantedSql(trx, engine).add(item('a'));
          throw new Error('roll back');
        })
        .catch(() => {});
      expect(await store.count()).toBe(0);
      expect(await truth(t.db)).toBe(0);
    });
  });
}

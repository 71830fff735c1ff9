import { afterEach, describe, expect, it } from 'vitest';
import { startClusterSignals } from '../../src/db/cluster-signals.js';
import { openDatabase } from '../../src/db/connect.js';
import { startClusterRelay } from '../../src/events/cluster-relay.js';
import { type BusEvent, createEventBus } from '../../src/events/events.bus.js';
import { createLibrarySql } from '../../src/library/library.sql.js';
import { createTestDatabase, sqlEngines, type TestDatabase } from '../helpers/engines.js';

async function until(check: () => boolean | Promise<boolean>, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check()) && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
}

const item = (id: string, title: string) => ({ id, kind: 'movie' as const, title });
const q = { tokens: [], kind: 'movie' as const, sort: 'title' as const, limit: 10 };

for (const engine of sqlEngines()) {
  describe(`cluster relay on ${engine}`, () => {
    let t: TestDatabase | undefined;
    afterEach(async () => {
      await t?.cleanup();
      t = undefined;
    });

    it("streams one process's events to the other's listeners (and not back), and drops its cached library totals", async () => {
      t = await createTestDatabase(engine, { migrate: true });
      // A second process: its own handle on the same database.
      const other = openDatabase(t.target);
      const procs = [t.db, other].map((db) => {
        const events = createEventBus();
        const signals = startClusterSignals(db, { pollMs: 20 });
        const stop = startClusterRelay({ db, events, signals });
        const seen: BusEvent[] = [];
        events.subscribe((e) => seen.push(e));
        return { db, events, signals, stop, seen, library: createLibrarySql(db.kysely, db.engine) };
      });
      try {
        await Promise.all(procs.map((p) => p.signals.ready()));
        const [a, b] = procs;
        a.events.publish('job.queued', { job: { id: 'j1' } });
        a.events.publish('job.progress', { job: { id: 'j1' }, text: 'y'.repeat(9000) });
        await until(() => b.seen.length === 2);
        expect(b.seen.map((e) => [e.type, e.data])).toEqual([
          ['job.queued', { job: { id: 'j1' } }],
          ['job.progress', { truncated: true }],
        ]);
        expect(a.seen.map((e) => e.type)).toEqual(['job.queued', 'job.progress']);
        await new Promise((r) => setTimeout(r, 100));
        expect(a.seen).toHaveLength(2);

        // B caches the total; A adds an item: B's next count sees it at once (well inside the cache's 5 s).
        expect((await b.library.query(q)).total).toBe(0);
        await a.library.create(item('i1', 'One'), new Date().toISOString());
        await until(async () => (await b.library.query(q)).total === 1, 2000);
        expect((await b.library.query(q)).total).toBe(1);
      } finally {
        for (const p of procs) {
          p.stop();
          await p.signals.close();
        }
        await other.close();
      }
    });
  });
}

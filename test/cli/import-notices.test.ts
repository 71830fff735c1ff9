/**
 * `mediaos import` from the CLI tells the servers running on the same database what it changed,
 * as the server's own import does (events/cluster-relay.ts): on PostgreSQL a library totals notice
 * and a counts notice for every list, so a server's kept totals and list counts do not wait for
 * their 5 s TTL; on SQLite the servers see the import's commit by `PRAGMA data_version`.
 * The "server" here is a second handle on the same database with the relay attached, as `serve` runs it.
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { publishSignalOnce, startClusterSignals } from '../../src/db/cluster-signals.js';
import type { Database } from '../../src/db/connect.js';
import { migrateToLatest } from '../../src/db/migrator.js';
import { startClusterRelay } from '../../src/events/cluster-relay.js';
import { createEventBus } from '../../src/events/events.bus.js';
import { createGrabsSql } from '../../src/grabs/grabs.sql.js';
import { createLibrarySql } from '../../src/library/library.sql.js';
import { fixtureWithBadKinds } from '../console/fixture.js';
import { sqlEngines } from '../helpers/engines.js';
import { copyFixture, type MigrationEnv, migrationEnv } from '../migration/helpers.js';

const all = { tokens: [], sort: 'title' as const, limit: 5 };

async function rowCount(db: Database, table: 'library_items' | 'grabs'): Promise<number> {
  const r = await db.kysely
    .selectFrom(table)
    .select((eb) => eb.fn.countAll().as('n'))
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

for (const engine of sqlEngines()) {
  describe(`mediaos import and the servers running on the database (${engine})`, () => {
    let m: MigrationEnv | undefined;
    const closers: (() => Promise<void> | void)[] = [];
    afterEach(async () => {
      for (const close of closers.splice(0).reverse()) await close();
      await m?.cleanup();
      m = undefined;
    });

    it("a server's kept library total and grab count see the import: by notices on PostgreSQL, by data_version on SQLite", async () => {
      m = await migrationEnv(engine);
      const server = m.open();
      closers.push(() => server.close());
      const { error } = await migrateToLatest(server);
      expect(error).toBeUndefined();
      const signals = startClusterSignals(server, { pollMs: 20 });
      const stopRelay = startClusterRelay({ db: server, events: createEventBus(), signals });
      closers.push(() => signals.close(), stopRelay);
      const heard: { topic: string; payload: unknown }[] = [];
      signals.subscribe((topic, payload) => heard.push({ topic, payload }));
      await signals.ready();

      // The server has counted (and keeps) an empty library and no grabs.
      const library = createLibrarySql(server.kysely, engine);
      const grabs = createGrabsSql(server.kysely, engine);
      expect((await library.query(all)).total).toBe(0);
      expect(await grabs.count()).toBe(0);

      const run = await m.cli('import', '--from', copyFixture(join(m.dir, 'legacy')));
      expect(run.code, run.err).toBe(0);
      expect(run.err).not.toMatch(/warning/);

      if (engine === 'postgres') {
        // The notices the server's own import sends: the library totals, and every list's counts.
        await vi.waitFor(() => expect(heard.map((h) => h.topic).sort()).toEqual(['counts', 'library.totals']), { timeout: 5000 });
        expect(heard.find((h) => h.topic === 'counts')?.payload).toEqual({ all: true });
      } else {
        expect(heard).toEqual([]); // nothing to tell: the commit moved data_version
      }
      const items = await rowCount(server, 'library_items');
      expect(items).toBeGreaterThan(0);
      expect((await library.query(all)).total).toBe(items);
      expect(await grabs.count()).toBe(await rowCount(server, 'grabs'));
      expect(await grabs.count()).toBeGreaterThan(0);
    });

    it('a dry run changes nothing and tells nobody', async () => {
      m = await migrationEnv(engine);
      const server = m.open();
      closers.push(() => server.close());
      await migrateToLatest(server);
      const signals = startClusterSignals(server, { pollMs: 20 });
      closers.push(() => signals.close());
      const heard: string[] = [];
      signals.subscribe((topic) => heard.push(topic));
      await signals.ready();
      const run = await m.cli('import', '--dry-run', '--from', copyFixture(join(m.dir, 'legacy')));
      expect(run.code, run.err).toBe(0);
      // A message sent would have arrived before this one (one channel, in order).
      if (engine === 'postgres') {
        await publishSignalOnce(server, 'marker', null);
        await vi.waitFor(() => expect(heard).toContain('marker'), { timeout: 5000 });
      }
      expect(heard.filter((t) => t !== 'marker')).toEqual([]);
    });

    it("quarantine admit: the admitted item is in the server's kept library total", async () => {
      m = await migrationEnv(engine);
      const imported = await m.cli('import', '--from', fixtureWithBadKinds(join(m.dir, 'legacy')));
      expect(imported.code, imported.err).toBe(3);
      const film = (await m.cli('quarantine', 'list')).out
        .split('\n')
        .find((l) => l.includes('\tlibrary.json\t') && l.includes('/items/6'))!
        .split('\t')[0]!;
      const server = m.open();
      closers.push(() => server.close());
      const signals = startClusterSignals(server, { pollMs: 20 });
      const stopRelay = startClusterRelay({ db: server, events: createEventBus(), signals });
      closers.push(() => signals.close(), stopRelay);
      const heard: string[] = [];
      signals.subscribe((topic) => heard.push(topic));
      await signals.ready();
      const library = createLibrarySql(server.kysely, engine);
      const before = (await library.query(all)).total;

      const admitted = await m.cli('quarantine', 'admit', film, '--set', 'kind=movie');
      expect(admitted.code, admitted.err).toBe(0);
      if (engine === 'postgres') await vi.waitFor(() => expect(heard).toContain('library.totals'), { timeout: 5000 });
      expect((await library.query(all)).total).toBe(before + 1);
      expect(before + 1).toBe(await rowCount(server, 'library_items'));
    });
  });
}

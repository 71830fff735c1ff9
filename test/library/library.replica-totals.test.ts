/**
 * Library totals with read replicas (library.totals.ts, db/read-replicas.ts): a total is kept and
 * served to every request, so it is counted on the primary, never on a replica that has not yet
 * replayed this process's last write. PostgreSQL only: SQLite has no replicas (its totals after
 * a write are covered by library.totals.test.ts and library.store.test.ts).
 *
 * The lagging replica is a second schema of the test server holding the rows from before the write,
 * reached through DATABASE_READ_URLS with its own search_path; its lag check is answered as a
 * standby 0 ms behind (the test server is no standby).
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type Database, openDatabase } from '../../src/db/connect.js';
import { runAsReader } from '../../src/db/read-replicas.js';
import { libraryItemToRow } from '../../src/library/library.codec.js';
import { createLibrarySql } from '../../src/library/library.sql.js';
import type { LibraryQuery } from '../../src/library/library.types.js';
import { createTestDatabase, sqlEngines, type TestDatabase } from '../helpers/engines.js';

const plain: LibraryQuery = { tokens: [], sort: 'title', limit: 3 };
const rows = Array.from({ length: 5 }, (_, i) => libraryItemToRow({ id: `b${i}`, kind: 'movie', title: `Before ${i}` }));

/** `fn` as part of an HTTP request by `reader`: its plain reads may go to a replica. */
function inRequest<T>(reader: string, fn: () => Promise<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => runAsReader(reader, () => void fn().then(resolve, reject)));
}

describe.skipIf(!sqlEngines().includes('postgres'))('library totals with a lagging read replica (postgres)', () => {
  let primary: TestDatabase;
  let replica: TestDatabase;
  let db: Database;

  beforeAll(async () => {
    [primary, replica] = await Promise.all([createTestDatabase('postgres'), createTestDatabase('postgres')]);
    for (const t of [primary, replica]) await t.db.kysely.insertInto('library_items').values(rows).execute();
    const realQuery = pg.Pool.prototype.query;
    vi.spyOn(pg.Pool.prototype, 'query').mockImplementation(function (this: pg.Pool, ...args: unknown[]) {
      if (typeof args[0] === 'string' && args[0].includes('pg_is_in_recovery()')) return Promise.resolve({ rows: [{ lag_ms: 0, standby: true }] });
      return (realQuery as (...a: unknown[]) => unknown).apply(this, args);
    } as never);
    const url = new URL(replica.target.location); // the replica's own database (tests get clones of a migrated template)
    url.searchParams.set('options', `-c search_path=${replica.target.pgSchema}`);
    db = openDatabase({ ...primary.target, readUrls: [url.toString()], replicaMaxLagMs: 60_000 });
    await db.checkReplicas!();
    expect(db.replicas!()[0]).toMatchObject({ ok: true });
  });

  afterAll(async () => {
    vi.restoreAllMocks();
    await db?.close();
    await primary?.cleanup();
    await replica?.cleanup();
  });

  it("counts the kept total on the primary: another reader sees this process's write at once, while its plain reads still use the replica", async () => {
    const store = createLibrarySql(db.kysely, 'postgres');
    expect((await inRequest('reader-a', () => store.query(plain))).total).toBe(5);
    // A write by this process (outside a request: on the primary); the replica has not replayed it.
    await store.create({ id: 'w1', kind: 'movie', title: 'Written' }, '2025-01-01T00:00:00.000Z');
    const readsBefore = db.replicas!()[0]!.reads;
    // The setup does lag: a plain read by another reader goes to the replica and misses the item.
    expect(await inRequest('reader-b', () => store.getById('w1'))).toBeUndefined();
    expect(db.replicas!()[0]!.reads).toBeGreaterThan(readsBefore);
    // The total that every reader will be served for the next seconds counts it.
    expect((await inRequest('reader-b', () => store.query(plain))).total).toBe(6);
    expect((await inRequest('reader-a', () => store.query(plain))).total).toBe(6);
  });
});

/**
 * A background renewal of a library total that fails reaches no request (library.totals.ts): it
 * is logged, once per failure streak and without credentials, and the kept answer is still served
 * until it would have expired anyway.
 */
import { type KyselyPlugin, SelectQueryNode } from 'kysely';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { libraryItemToRow } from '../../src/library/library.codec.js';
import { createLibrarySql } from '../../src/library/library.sql.js';
import { TOTALS_REFRESH_MS } from '../../src/library/library.totals.js';
import type { LibraryQuery } from '../../src/library/library.types.js';
import { createTestDatabase, sqlEngines, type TestDatabase } from '../helpers/engines.js';

/**
 * While `fault.error` is set, every statement the store builds with the query builder fails with it
 * (the library's counts); its precompiled statements (pages, SQLite's data_version) still run.
 * A plugin, not a module mock: the test files share their modules (vitest `isolate: false`).
 */
const fault = { error: undefined as Error | undefined };
const faulty: KyselyPlugin = {
  transformQuery(args) {
    if (fault.error && SelectQueryNode.is(args.node)) throw fault.error;
    return args.node;
  },
  transformResult: async (args) => args.result,
};

const SECRET = 'hunter2-db-password';
const plain: LibraryQuery = { tokens: [], sort: 'title', limit: 5 };

for (const engine of sqlEngines()) {
  describe(`library totals: a failing background renewal (${engine})`, () => {
    let tdb: TestDatabase;
    let offset = 0;
    const realNow = Date.now.bind(Date);
    beforeAll(async () => {
      tdb = await createTestDatabase(engine);
      const rows = Array.from({ length: 12 }, (_, i) => libraryItemToRow({ id: `r${i}`, kind: 'movie', title: `Title ${i}` }));
      await tdb.db.kysely.insertInto('library_items').values(rows).execute();
    });
    afterAll(async () => {
      await tdb.cleanup();
    });
    afterEach(() => {
      vi.restoreAllMocks();
      fault.error = undefined;
      offset = 0;
    });

    it('logs a warning once per streak (no credentials), serves the kept total meanwhile, and logs the recovery', async () => {
      vi.spyOn(Date, 'now').mockImplementation(() => realNow() + offset);
      const log = { warn: vi.fn(), info: vi.fn(), error: vi.fn() };
      const store = createLibrarySql(tdb.db.kysely.withPlugin(faulty), engine, { log });
      const first = await store.query(plain);
      expect(first.total).toBe(12);

      // Old enough to be renewed behind the answer; every renewal fails (with a message that holds a credential).
      offset = TOTALS_REFRESH_MS + 1;
      const err = Object.assign(new Error(`connect to postgres://mediaos:${SECRET}@db.local/media failed`), {
        code: 'ECONNREFUSED',
        url: `postgres://mediaos:${SECRET}@db.local`,
      });
      fault.error = err;
      for (let i = 0; i < 3; i++) {
        // The kept answer, at once: the request does not wait for (or fail with) the renewal.
        expect(await store.query(plain)).toEqual(first);
        await new Promise((r) => setTimeout(r, 20));
      }
      await vi.waitFor(() => expect(log.warn).toHaveBeenCalledTimes(1));
      const [fields, message] = log.warn.mock.calls[0] as [Record<string, unknown>, string];
      expect(message).toMatch(/failed/);
      expect(fields).toMatchObject({ task: expect.stringMatching(/library/), error: 'ECONNREFUSED' });
      expect(JSON.stringify(log.warn.mock.calls)).not.toContain(SECRET);
      expect(log.info).not.toHaveBeenCalled();

      // It works again: one line says so, and a new failure streak warns again.
      fault.error = undefined;
      expect(await store.query(plain)).toEqual(first);
      await vi.waitFor(() => expect(log.info).toHaveBeenCalledTimes(1));
      expect(log.info.mock.calls[0]?.[0]).toMatchObject({ failures: expect.any(Number) });
      offset += TOTALS_REFRESH_MS + 1;
      fault.error = err;
      expect(await store.query(plain)).toEqual(first);
      await vi.waitFor(() => expect(log.warn).toHaveBeenCalledTimes(2));
      expect(log.warn).toHaveBeenCalledTimes(2);
    });
  });
}

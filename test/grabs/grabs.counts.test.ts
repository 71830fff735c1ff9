// The grab counts behind the activity queue's and history's `total` are counted once per process
// and kept, moved by this process's puts (src/db/cached-counts.ts): never wrong after a write here.

import { afterEach, describe, expect, it } from 'vitest';
import { grabToRow } from '../../src/grabs/grabs.codec.js';
import { createGrabsSql } from '../../src/grabs/grabs.sql.js';
import type { GrabRecord } from '../../src/grabs/grabs.types.js';
import { createTestDatabase, sqlEngines, type TestDatabase } from '../helpers/engines.js';

const grab = (id: string, ok: boolean): GrabRecord => ({ kind: 'movie', id, title: `T ${id}`, ok, status: ok ? 200 : 500, at: '2025-01-01T00:00:00.000Z' });

for (const engine of sqlEngines()) {
  describe(`grab counts kept by this process (${engine})`, () => {
    let t: TestDatabase | undefined;
    afterEach(async () => {
      await t?.cleanup();
      t = undefined;
    });

    async function truth(queueOnly: boolean): Promise<number> {
      const rows = await createGrabsSql(t!.db.kysely, engine).list();
      return rows.filter((r) => !queueOnly || r.record.ok === true || r.record.status === 'queued').length;
    }

    it("keeps both counts and moves them with each put (new key, replaced, in and out of the queue); the importer's rows drop them", async () => {
      t = await createTestDatabase(engine);
      const grabs = createGrabsSql(t.db.kysely, engine);
      await grabs.put('movie:a', grab('a', true));
      expect([await grabs.count(), await grabs.countQueue()]).toEqual([1, 1]);
      // A row written beside the store is not seen while the counts are kept...
      await t.db.kysely
        .insertInto('grabs')
        .values({ ...grabToRow('movie:ghost', grab('ghost', true), 50) })
        .execute();
      expect([await grabs.count(), await grabs.countQueue()]).toEqual([1, 1]);
      // ...nor after puts: they move the kept counts instead of counting again.
      await grabs.put('movie:b', grab('b', false)); // new, not in the queue
      expect([await grabs.count(), await grabs.countQueue()]).toEqual([2, 1]);
      await grabs.put('movie:a', grab('a', false)); // replaced: same count, out of the queue
      expect([await grabs.count(), await grabs.countQueue()]).toEqual([2, 0]);
      await grabs.put('movie:b', { ...grab('b', false), status: 'queued' }); // back in the queue by its status
      expect([await grabs.count(), await grabs.countQueue()]).toEqual([2, 1]);
      await grabs.put('movie:b', { ...grab('b', true), status: 'queued' }); // still in the queue
      await grabs.put('movie:c', grab('c', true)); // new, in the queue
      expect([await grabs.count(), await grabs.countQueue()]).toEqual([3, 2]);
      // The importer's rows drop them: counted again, the ghost too.
      await grabs.insertRows([grabToRow('movie:d', grab('d', true), 10), grabToRow('movie:e', grab('e', false), 11)]);
      expect([await grabs.count(), await grabs.countQueue()]).toEqual([6, 4]);
      expect([await truth(false), await truth(true)]).toEqual([6, 4]);
    });

    it('stays exact under concurrent puts and counts', async () => {
      t = await createTestDatabase(engine);
      const grabs = createGrabsSql(t.db.kysely, engine);
      await grabs.countQueue();
      const ops: Promise<unknown>[] = [];
      for (let i = 0; i < 30; i++) {
        ops.push(grabs.put(`movie:${i % 20}`, grab(String(i % 20), i % 3 === 0)));
        ops.push(grabs.count(), grabs.countQueue());
      }
      await Promise.all(ops);
      expect([await grabs.count(), await grabs.countQueue()]).toEqual([await truth(false), await truth(true)]);
    });

    it('stays exact when several puts of one new key race (PostgreSQL: the losers updated a row they did not see, and drop the counts)', async () => {
      t = await createTestDatabase(engine);
      const grabs = createGrabsSql(t.db.kysely, engine);
      expect([await grabs.count(), await grabs.countQueue()]).toEqual([0, 0]);
      await Promise.all(Array.from({ length: 8 }, (_, i) => grabs.put('movie:race', grab('race', i % 2 === 0))));
      expect([await grabs.count(), await grabs.countQueue()]).toEqual([await truth(false), await truth(true)]);
      expect(await grabs.count()).toBe(1);
    });
  });
}

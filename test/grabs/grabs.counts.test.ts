// The grab counts behind the activity queue's and history's `total` are counted once per process
// and kept until a grab is written (src/db/cached-counts.ts): never wrong after a write here.

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

    it('keeps both counts until a grab is written, then counts again: exact after puts that add, replace and leave the queue', async () => {
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
      // ...and a put drops them.
      await grabs.put('movie:b', grab('b', false));
      expect([await grabs.count(), await grabs.countQueue()]).toEqual([3, 2]);
      await grabs.put('movie:a', grab('a', false)); // replaced: same count, out of the queue
      expect([await grabs.count(), await grabs.countQueue()]).toEqual([3, 1]);
      await grabs.put('movie:b', { ...grab('b', false), status: 'queued' }); // back in the queue by its status
      expect([await grabs.count(), await grabs.countQueue()]).toEqual([3, 2]);
      await grabs.insertRows([grabToRow('movie:c', grab('c', true), 10), grabToRow('movie:d', grab('d', false), 11)]);
      expect([await grabs.count(), await grabs.countQueue()]).toEqual([5, 3]);
      expect([await truth(false), await truth(true)]).toEqual([5, 3]);
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
  });
}

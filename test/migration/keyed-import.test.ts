/**
 * The keyed files' write pass (keyed-import.ts importKeyed) with `overlap` (PostgreSQL's default;
 * asked for here on SQLite) writes one batch while it reads the next: a failed write, or a file found broken while a write is on its way, ends the pass only once
 * no write of it is left running (the caller rolls the pass back next), and never as an unhandled
 * rejection.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { generateLegacyDir } from '../../bench/generate-legacy.js';
import type { DB } from '../../src/db/schema.js';
import { BATCH_ROWS, createImportSql, type ImportSql } from '../../src/migration/import.sql.js';
import { importKeyed } from '../../src/migration/keyed-import.js';
import { LEGACY_FILES } from '../../src/migration/legacy-files.js';
import { importLibrary } from '../../src/migration/library-import.js';
import { createSecretBox } from '../../src/security/secret-box.js';
import { createTestDatabase, type TestDatabase } from '../helpers/engines.js';

// the file is read with pauses (a disk that takes its time): a write can end while the next batch is read
vi.mock('../../src/migration/keyed-stream.js', async (original) => {
  const real = await original<typeof import('../../src/migration/keyed-stream.js')>();
  return {
    ...real,
    async *keyedDecisions(...args: Parameters<typeof real.keyedDecisions>) {
      let n = 0;
      for await (const d of real.keyedDecisions(...args)) {
        if (++n % 100 === 0) await new Promise((r) => setTimeout(r, 1));
        yield d;
      }
    },
  };
});

const grabRows = async (trx: Kysely<DB>) =>
  Number(
    (
      await trx
        .selectFrom('grabs')
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );

const box = createSecretBox('keyed-import-test-key-0123456789abcdef');
const grabsSpec = LEGACY_FILES.find((f) => f.file === 'grabs.json')!;

/** The import's SQL with insertRows watched: calls started, calls still running, and a chosen call failing. */
function watched(sql: ImportSql, opts: { failOn?: number; writeMs?: number } = {}) {
  const w = { started: 0, running: 0, maxRunning: 0, runningWhenFailed: -1 };
  const insertRows: ImportSql['insertRows'] = async (table, rows, rowOpts) => {
    const n = ++w.started;
    w.running++;
    w.maxRunning = Math.max(w.maxRunning, w.running);
    try {
      await new Promise((r) => setTimeout(r, opts.writeMs ?? 5)); // a write that takes a while: the next batch is read meanwhile
      if (n === opts.failOn) throw new Error(`write ${n} failed`);
      await sql.insertRows(table, rows, rowOpts);
    } finally {
      w.running--;
    }
  };
  return { sql: { ...sql, insertRows }, w };
}

describe('keyed files: one batch written while the next is read', () => {
  let t: TestDatabase | undefined;
  afterEach(async () => {
    await t?.cleanup();
    t = undefined;
  });

  async function legacy(): Promise<{ dir: string; grabs: number }> {
    t = await createTestDatabase('sqlite');
    const dir = join(t.dir, 'legacy');
    await generateLegacyDir({ dir, items: 50, seed: 5, extraGrabs: 4 * BATCH_ROWS });
    const grabs = Object.keys(JSON.parse(readFileSync(join(dir, 'grabs.json'), 'utf8'))).length;
    expect(grabs).toBeGreaterThan(4 * BATCH_ROWS);
    return { dir, grabs };
  }

  it('writes every batch, in order, never two at once, each grab linked to its library item; the same without overlap (SQLite)', async () => {
    const { dir, grabs } = await legacy();
    await t!.db.kysely.transaction().execute(async (trx) => {
      // the library first: each batch's look-up of the items its grabs name is then made (ahead, with overlap)
      await importLibrary({ sql: createImportSql(trx, 'sqlite'), dir, present: true, importTime: '2026-01-01T00:00:00.000Z', worker: false });
      const library = new Set((await trx.selectFrom('library_items').select('id').execute()).map((r) => r.id));
      const links = async () => {
        const rows = await trx.selectFrom('grabs').select(['item_id', 'library_item_id']).execute();
        expect(rows).toHaveLength(grabs);
        for (const r of rows) expect(r.library_item_id).toBe(r.item_id !== null && library.has(r.item_id) ? r.item_id : null);
        return rows.filter((r) => r.library_item_id !== null).length;
      };
      const plain = watched(createImportSql(trx, 'sqlite'));
      expect((await importKeyed(plain.sql, grabsSpec, dir, box)).counts.inserted).toBe(grabs);
      expect(plain.w.maxRunning).toBe(1);
      const linked = await links();
      expect(linked).toBeGreaterThan(0);
      expect(linked).toBeLessThan(grabs); // the extra grabs name items no longer in the library
      await trx.deleteFrom('grabs').execute();

      const { sql, w } = watched(createImportSql(trx, 'sqlite'));
      const done = await importKeyed(sql, grabsSpec, dir, box, undefined, true);
      expect(done.counts.inserted).toBe(grabs);
      expect(w.started).toBe(Math.ceil(grabs / BATCH_ROWS));
      expect(w.maxRunning).toBe(1);
      expect(await links()).toBe(linked);
    });
  });

  it('a failed write stops the pass with its error; no later batch is written', async () => {
    const { dir } = await legacy();
    await t!.db.kysely.transaction().execute(async (trx) => {
      const { sql, w } = watched(createImportSql(trx, 'sqlite'), { failOn: 2 });
      await expect(importKeyed(sql, grabsSpec, dir, box, undefined, true)).rejects.toThrow('write 2 failed');
      expect(w.started).toBe(2);
      expect(w.running).toBe(0);
      // the first batch only: the caller's savepoint undoes it
      expect(await grabRows(trx)).toBe(BATCH_ROWS);
    });
  });

  it('a file found broken while a batch is being written ends the pass after that write, not during it', async () => {
    const { dir } = await legacy();
    const file = join(dir, 'grabs.json');
    writeFileSync(file, `${readFileSync(file, 'utf8').trimEnd().slice(0, -1)}, "broken": }`);
    await t!.db.kysely.transaction().execute(async (trx) => {
      // each write outlasts the reading of the rest of the file
      const { sql, w } = watched(createImportSql(trx, 'sqlite'), { writeMs: 250 });
      let runningAtRejection = -1;
      await expect(
        importKeyed(sql, grabsSpec, dir, box, undefined, true).catch((err: unknown) => {
          runningAtRejection = w.running;
          throw err;
        }),
      ).rejects.toThrow(/grabs\.json/);
      expect(w.started).toBeGreaterThan(1);
      expect(runningAtRejection).toBe(0);
    });
  });
});

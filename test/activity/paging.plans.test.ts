import { type CompiledQuery, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Database, openDatabase } from '../../src/db/connect.js';
import { grabToRow } from '../../src/grabs/grabs.codec.js';
import { createGrabsSql } from '../../src/grabs/grabs.sql.js';
import { createContentChecksSql } from '../../src/verify/content.sql.js';
import { createTestDatabase, sqlEngines, type TestDatabase } from '../helpers/engines.js';
import { explainPlan } from '../helpers/query-plans.js';

const N = 3000;
const at = (i: number) => new Date(Date.UTC(2025, 0, 1, 0, 0, i % 1000)).toISOString();

/** The page queries of the activity lists and the check results read an index in order: no sort, no scan of the table. */
for (const engine of sqlEngines()) {
  describe(`paged list query plans (${engine})`, () => {
    let tdb: TestDatabase;
    let logged: Database;
    let captured: CompiledQuery[] = [];
    beforeAll(async () => {
      tdb = await createTestDatabase(engine);
      const grabs = createGrabsSql(tdb.db.kysely, engine);
      const rows = Array.from({ length: N }, (_, i) =>
        grabToRow(`movie:g${i}`, { kind: 'movie', id: `g${i}`, title: `G ${i}`, ok: i % 10 !== 0, status: 200, at: i % 50 ? at(i) : undefined }, i),
      );
      for (let i = 0; i < N; i += 500) await grabs.insertRows(rows.slice(i, i + 500));
      const checks = createContentChecksSql(tdb.db.kysely, engine);
      const result = { ok: true, passed: true, issues: [], securityIssues: [], metadata: {}, checks: {}, verifiedAt: at(0) } as never;
      for (let i = 0; i < 600; i++) await checks.save(`/m/f${i}.mkv`, result, i % 3 ? `job${i}` : null, at(i));
      if (engine === 'sqlite') tdb.db.sqlite!.exec('analyze');
      else await sql`analyze grabs; analyze content_checks`.execute(tdb.db.kysely);
      logged = openDatabase(tdb.target, {
        log: (e) => {
          if (e.level === 'query') captured.push(e.query);
        },
      });
    });
    afterAll(async () => {
      await logged.close();
      await tdb.cleanup();
    });

    /** The plan of the first ordered statement `run` sends. */
    async function planOf(run: () => Promise<unknown>): Promise<string> {
      captured = [];
      await run();
      const page = captured.find((c) => c.sql.includes('order by'))!;
      return (await explainPlan(tdb.db, page)).join(' | ');
    }

    const cases: [string, RegExp, () => Promise<unknown>][] = [
      ['history, first page', /idx_grabs_at_key/, () => createGrabsSql(logged.kysely, engine).historyPage(null, 100)],
      ['history, after a cursor', /idx_grabs_at_key/, () => createGrabsSql(logged.kysely, engine).historyPage({ at: at(500), key: 'movie:g500' }, 100)],
      ['queue, after a cursor', /idx_grabs_position/, () => createGrabsSql(logged.kysely, engine).queuePage({ position: 1500, key: 'movie:g1500' }, 100)],
      [
        'check results, after a cursor',
        /idx_content_checks_jobs/,
        () => createContentChecksSql(logged.kysely, engine).fromJobsPage({ checkedAt: at(300), path: '/m/f300.mkv' }, 100),
      ],
    ];
    for (const [name, index, run] of cases) {
      it(`${name}: walks ${index.source} without sorting`, async () => {
        const plan = await planOf(run);
        if (process.env.SHOW_PLANS) console.log(engine, name, plan);
        expect(plan).toMatch(index);
        if (engine === 'sqlite') expect(plan).not.toContain('TEMP B-TREE');
        else expect(plan).not.toMatch(/(^|\| *)(->\s*)?(Incremental )?Sort|Seq Scan/);
      });
    }

    it('the history reads the records without a time after the timed ones, by key', async () => {
      const grabs = createGrabsSql(tdb.db.kysely, engine);
      const seen: string[] = [];
      let after = null;
      for (;;) {
        const page = await grabs.historyPage(after, 333);
        seen.push(...page.entries.map((e) => e.key));
        if (!page.next) break;
        after = page.next;
      }
      expect(seen).toHaveLength(N);
      expect(new Set(seen).size).toBe(N);
      const untimed = seen.slice(N - N / 50);
      expect(untimed.every((k) => Number(k.slice(7)) % 50 === 0)).toBe(true);
      expect(untimed).toEqual([...untimed].sort().reverse());
      expect(await grabs.countQueue()).toBe(N - N / 10);
    });
  });
}

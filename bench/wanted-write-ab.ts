/**
 * A/B of the paged wanted write, POST /api/wanted?limit=0 (`{ok,items:[],total,nextCursor}`), one
 * client: this build and another checkout's build, each started on the same cached import (see
 * run.ts --cache) in turns (before, after, then after, before, ...), one server at a time, so a
 * slow minute of a shared machine falls on both. Prints each round's p50/p99, the CPU per request
 * of the server and (PostgreSQL) its backends, and on PostgreSQL the wanted_items rows read per
 * request (pg_stat_user_tables, read after the server stopped), and the median of the rounds.
 * CPU and rows read stay meaningful on a busy machine, where latencies do not. Build both checkouts first (`npm run build`, or `npx tsc -p tsconfig.build.json`).
 *
 *   npx tsx bench/wanted-write-ab.ts --before /path/to/other/checkout --cache DIR [--size 100000]
 *                                    [--pg postgres://...] [--engines sqlite,postgres] [--rounds 4] [--amount 200]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { TEST_PASSWORD } from './generate-legacy.js';
import { legacyDirFor, pgQuery, prepareDatabase } from './lib/cache.js';
import { cpuSince, cpuWithBackends } from './lib/cpu.js';
import { runLoad } from './lib/load.js';
import { login, ROOT, settle, startServer } from './lib/server.js';

const { values } = parseArgs({
  options: {
    before: { type: 'string' },
    cache: { type: 'string' },
    size: { type: 'string', default: '100000' },
    pg: { type: 'string' },
    engines: { type: 'string', default: 'sqlite,postgres' },
    rounds: { type: 'string', default: '4' },
    amount: { type: 'string', default: '200' },
  },
});
if (!values.before || !values.cache) throw new Error('--before DIR (a built checkout) and --cache DIR (run.ts --cache) are required');
const size = Number(values.size);
const rounds = Number(values.rounds);
const amount = Number(values.amount);
const cache = resolve(values.cache);
const builds = { before: resolve(values.before), after: ROOT };
const APP_NAME = 'mediaos-wanted-ab';
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const { dir: legacy } = await legacyDirFor(cache, size);
for (const engine of values.engines.split(',') as ('sqlite' | 'postgres')[]) {
  if (engine === 'postgres' && !values.pg) continue;
  const work = mkdtempSync(join(tmpdir(), 'mediaos-wanted-ab-'));
  const run = `${engine}${size}`;
  const base: Record<string, string> = {
    MEDIAOS_AUTO_IMPORT: 'false',
    MEDIAOS_STORAGE_PHASE: 'db',
    MEDIAOS_MISSING_SEARCH_HOURS: '0',
    MEDIAOS_RSS_SYNC_MINUTES: '0',
  };
  if (engine === 'postgres') {
    base.DATABASE_URL = values.pg!;
    base.PGAPPNAME = APP_NAME;
  }
  const prepared = await prepareDatabase({ engine, size, legacy, work, cache, pg: values.pg, serverRoot: builds.after, run, env: base });
  type Figures = { p50: number[]; p99: number[]; cpu: number[]; rows: number[] };
  const figures: Record<'before' | 'after', Figures> = {
    before: { p50: [], p99: [], cpu: [], rows: [] },
    after: { p50: [], p99: [], cpu: [], rows: [] },
  };
  const schema = prepared.env.MEDIAOS_PG_SCHEMA;
  /** wanted_items rows read so far (sequential and index scans; a stopped server's backends have reported theirs). */
  const rowsRead = async () => {
    if (!schema) return 0;
    await new Promise((r) => setTimeout(r, 1500));
    const [row] = (await pgQuery(
      values.pg!,
      `select (select coalesce(seq_tup_read, 0) from pg_stat_user_tables where schemaname = $1 and relname = 'wanted_items')
        + (select coalesce(sum(idx_tup_read), 0) from pg_stat_user_indexes where schemaname = $1 and relname = 'wanted_items') as n`,
      [schema],
    )) as { n: string }[];
    return Number(row?.n ?? 0);
  };
  try {
    for (let r = 0; r < rounds; r++) {
      const order = r % 2 === 0 ? (['before', 'after'] as const) : (['after', 'before'] as const);
      for (const which of order) {
        const server = await startServer(prepared.env, [], builds[which]);
        let read = 0;
        try {
          await settle(server.pid);
          const token = await login(server.url, 'owner@example.org', TEST_PASSWORD).catch(async () => login(server.url, 'admin@example.org', TEST_PASSWORD));
          // Numeric ids tagged with `run`: the clean-up of a kept PostgreSQL schema deletes them.
          const first = (2 * r + (which === 'after' ? 1 : 0)) * amount;
          const mark = await cpuWithBackends(server.pid, values.pg && engine === 'postgres' ? values.pg : undefined, APP_NAME);
          read = await rowsRead();
          const res = await runLoad({
            url: server.url,
            token,
            connections: 1,
            amount,
            next: (i) => ({ method: 'POST', path: '/api/wanted?limit=0', body: { id: `ab-${run}-${first + i}`, title: `AB ${i}`, kind: 'movies' } }),
          });
          if (res.errors || Object.keys(res.failures).length)
            console.log(`${engine} ${which} round ${r}: ${JSON.stringify(res.failures)} ${res.samples.join(' | ')}`);
          const cpu = (await cpuSince(mark)) / amount;
          figures[which].p50.push(res.p50);
          figures[which].p99.push(res.p99);
          figures[which].cpu.push(cpu);
        } finally {
          await server.stop();
        }
        // Includes the server's own start-up reads of the list (the same for both builds).
        const rows = ((await rowsRead()) - read) / amount;
        figures[which].rows.push(rows);
        const f = figures[which];
        console.log(
          `${engine} ${size} ${which.padEnd(6)} round ${r}: p50 ${f.p50.at(-1)!.toFixed(2)} ms, p99 ${f.p99.at(-1)!.toFixed(2)} ms, CPU ${f.cpu.at(-1)!.toFixed(2)} ms/request${schema ? `, ${rows.toFixed(0)} wanted rows read/request` : ''}`,
        );
      }
    }
    for (const which of ['before', 'after'] as const) {
      const f = figures[which];
      console.log(
        `${engine} ${size} ${which}: median of ${rounds} rounds p50 ${median(f.p50).toFixed(2)} ms, p99 ${median(f.p99).toFixed(2)} ms, CPU ${median(f.cpu).toFixed(2)} ms/request${schema ? `, ${median(f.rows).toFixed(0)} wanted rows read/request` : ''}`,
      );
    }
  } finally {
    await prepared.cleanup();
    rmSync(work, { recursive: true, force: true });
  }
}

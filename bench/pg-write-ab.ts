/**
 * A/B of the PostgreSQL rows with writes (issue 18): the paged wanted write alone (1 client), the
 * 90/10 mix with paged writes at 10 connections, and the same mix at 1,000 connections. Two
 * builds (or one build with two environments) are started in turns on one cached import (run.ts
 * --cache), before/after then after/before, so a slow minute of a shared machine falls on both.
 *
 * Besides latencies and rates it prints what does not depend on the machine's load: server +
 * backend CPU per request, the pool's waits (GET /api/health: acquisitions, total and longest
 * wait), and what the server's backends were waiting on, sampled from pg_stat_activity every
 * 50 ms during each row (e.g. WAL flushes of commits, lock waits, idle in the pool).
 *
 *   npx tsx bench/pg-write-ab.ts --before DIR --cache DIR --pg postgres://... [--size 1000000]
 *        [--rounds 2] [--rows write,mixed,load] [--mixed-seconds 10] [--load-seconds 30]
 *        [--before-env K=V,K=V] [--after-env K=V,K=V]
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { TEST_PASSWORD } from './generate-legacy.js';
import { legacyDirFor, prepareDatabase } from './lib/cache.js';
import { runCannon } from './lib/cannon.js';
import { cpuSince, cpuWithBackends } from './lib/cpu.js';
import { type LoadRequest, type LoadResult, runLoad } from './lib/load.js';
import { login, ROOT, settle, startServer } from './lib/server.js';

const { values } = parseArgs({
  options: {
    before: { type: 'string' },
    cache: { type: 'string' },
    pg: { type: 'string' },
    size: { type: 'string', default: '1000000' },
    rounds: { type: 'string', default: '2' },
    rows: { type: 'string', default: 'write,mixed,load' },
    'mixed-seconds': { type: 'string', default: '10' },
    'load-seconds': { type: 'string', default: '30' },
    'before-env': { type: 'string', default: '' },
    'after-env': { type: 'string', default: '' },
    /** Extra node options of both servers (e.g. --import a diagnostic preload). */
    node: { type: 'string', default: '' },
  },
});
if (!values.before || !values.cache || !values.pg) throw new Error('--before DIR (a built checkout), --cache DIR (run.ts --cache) and --pg URL are required');
const pgUrl = values.pg;
const size = Number(values.size);
const rounds = Number(values.rounds);
const rows = new Set(values.rows.split(','));
const builds = { before: resolve(values.before), after: ROOT };
const envOf = (s: string) =>
  Object.fromEntries(
    s
      .split(',')
      .filter(Boolean)
      .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
  );
const extraEnv = { before: envOf(values['before-env']), after: envOf(values['after-env']) };
const APP_NAME = 'mediaos-pg-write-ab';
const PREFIXES = ['riv', 'kin', 'gar', 'sta', 'mir', 'orc', 'har', 'emp'];
const run = `postgres${size}`;

interface PoolHealth {
  acquired: number;
  waitMsTotal: number;
  waitMsMax: number;
}

async function poolOf(url: string): Promise<PoolHealth> {
  const h = (await (await fetch(`${url}/api/health`)).json()) as { db: { pool?: PoolHealth } };
  return h.db.pool ?? { acquired: 0, waitMsTotal: 0, waitMsMax: 0 };
}

/** Samples what the server's backends are doing every 50 ms until stopped: counts per state/wait event. */
function sampleWaits() {
  const counts = new Map<string, number>();
  let samples = 0;
  let stopped = false;
  const done = (async () => {
    const pg = (await import('pg')).default;
    const c = new pg.Client({ connectionString: pgUrl });
    await c.connect();
    try {
      while (!stopped) {
        const r = await c.query<{ k: string; n: string }>(
          `select coalesce(state, '?') || ':' || coalesce(wait_event_type || '/' || wait_event, 'cpu') as k, count(*) as n
             from pg_stat_activity where application_name = $1 group by 1`,
          [APP_NAME],
        );
        samples += 1;
        for (const row of r.rows) counts.set(row.k, (counts.get(row.k) ?? 0) + Number(row.n));
        await new Promise((res) => setTimeout(res, 50));
      }
    } finally {
      await c.end();
    }
  })();
  return async () => {
    stopped = true;
    await done;
    // mean backends in each state per sample, largest first
    return [...counts.entries()]
      .map(([k, n]) => [k, n / Math.max(1, samples)] as const)
      .sort((a, b) => b[1] - a[1])
      .filter(([, n]) => n >= 0.05)
      .map(([k, n]) => `${k} ${n.toFixed(2)}`)
      .join(', ');
  };
}

const { dir: legacy } = await legacyDirFor(resolve(values.cache), size);
const work = mkdtempSync(join(tmpdir(), 'mediaos-pg-write-ab-'));
const prepared = await prepareDatabase({
  engine: 'postgres',
  size,
  legacy,
  work,
  cache: resolve(values.cache),
  pg: pgUrl,
  serverRoot: builds.after,
  run,
  env: {
    MEDIAOS_AUTO_IMPORT: 'false',
    MEDIAOS_STORAGE_PHASE: 'db',
    MEDIAOS_MISSING_SEARCH_HOURS: '0',
    MEDIAOS_RSS_SYNC_MINUTES: '0',
    DATABASE_URL: pgUrl,
    PGAPPNAME: APP_NAME,
  },
});

type Row = { label: string; result: LoadResult; cpuPerRequest: number; pool: PoolHealth; waits: string };
const results: Record<'before' | 'after', Row[][]> = { before: [], after: [] };
let serial = 0;

/** The listening socket's accept queue (ss Recv-Q) once a second while `drive` runs: connections the server has not taken yet. */
async function withAcceptQueue<T>(url: string, drive: () => Promise<T>): Promise<{ result: T; queue: number[] }> {
  const port = new URL(url).port;
  const queue: number[] = [];
  const timer = setInterval(() => {
    const f = execFileSync('ss', ['-Hltn', `sport = :${port}`])
      .toString()
      .trim()
      .split(/\s+/);
    queue.push(Number(f[1] ?? 0));
  }, 1000);
  try {
    return { result: await drive(), queue };
  } finally {
    clearInterval(timer);
  }
}

async function measure(url: string, pid: number, label: string, drive: () => Promise<LoadResult>): Promise<Row> {
  await settle(pid, 60_000);
  const pool0 = await poolOf(url);
  const mark = await cpuWithBackends(pid, pgUrl, APP_NAME);
  const stopWaits = sampleWaits();
  const { result, queue } = await withAcceptQueue(url, drive);
  if (queue.some((q) => q > 0)) console.log(`   accept queue each second: ${queue.join(' ')}`);
  const waits = await stopWaits();
  const cpu = await cpuSince(mark);
  const pool1 = await poolOf(url);
  const pool = { acquired: pool1.acquired - pool0.acquired, waitMsTotal: pool1.waitMsTotal - pool0.waitMsTotal, waitMsMax: pool1.waitMsMax };
  return { label, result, cpuPerRequest: cpu / Math.max(1, result.requests), pool, waits };
}

function print(which: string, round: number, r: Row): void {
  const x = r.result;
  const errs = x.errors + Object.values(x.failures).reduce((a, b) => a + b, 0);
  console.log(
    `${which.padEnd(6)} r${round} ${r.label.padEnd(22)} ${x.rps.toFixed(0).padStart(5)} req/s p50 ${x.p50.toFixed(2)} p99 ${x.p99.toFixed(1)} ms` +
      `${x.oldestUnanswered !== undefined ? ` oldest ${x.oldestUnanswered.toFixed(0)} ms` : ''}` +
      `${x.p99Warm !== undefined ? ` (p99 after each connection's first ${x.p99Warm.toFixed(0)} ms, slowest first ${x.slowestFirst?.toFixed(0)} ms)` : ''} errors ${errs} | CPU ${r.cpuPerRequest.toFixed(2)} ms/req` +
      ` | pool: ${r.pool.acquired} takes, wait ${(r.pool.waitMsTotal / Math.max(1, r.pool.acquired)).toFixed(2)} ms/take, max ${r.pool.waitMsMax} ms` +
      ` | backends: ${r.waits}`,
  );
  if (errs) console.log(`   failures ${JSON.stringify(x.failures)} ${x.samples.join(' | ')}`);
}

try {
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? (['before', 'after'] as const) : (['after', 'before'] as const);
    for (const which of order) {
      const server = await startServer({ ...prepared.env, ...extraEnv[which] }, values.node.split(' ').filter(Boolean), builds[which]);
      console.log(`${which} server pid ${server.pid}`);
      const out: Row[] = [];
      try {
        await settle(server.pid, 60_000);
        const token = await login(server.url, 'owner@example.org', TEST_PASSWORD).catch(async () => login(server.url, 'admin@example.org', TEST_PASSWORD));
        const idsRes = await fetch(`${server.url}/api/library?sort=createdAt&limit=500`, { headers: { authorization: `Bearer ${token}` } });
        const ids = ((await idsRes.json()) as { items: { id: string }[] }).items.map((i) => i.id);
        const pick = <T>(a: T[], i: number) => a[i % a.length];
        // letters only: the cache's clean-up deletes ids `<letters>-<run>-<n>` (lib/cache.ts)
        const tag = () => `pw${String.fromCharCode(97 + (serial++ % 26))}`;
        // bench/run.ts's mix: 1 in 10 requests adds a wanted item (answer: the total only).
        const mix =
          (t: string) =>
          (i: number): LoadRequest =>
            i % 10 === 9
              ? { method: 'POST', path: '/api/wanted?limit=0', body: { id: `${t}-${run}-${i}`, title: `Mixed ${i}`, kind: 'movie' } }
              : i % 3 === 0
                ? { method: 'GET', path: `/api/library?q=${pick(PREFIXES, i)}&limit=50` }
                : i % 3 === 1
                  ? { method: 'GET', path: `/api/library/${encodeURIComponent(pick(ids, i))}` }
                  : { method: 'GET', path: '/api/library?sort=title&limit=100' };
        if (rows.has('write')) {
          const t = tag();
          out.push(
            await measure(server.url, server.pid, 'paged write, 1 client', () =>
              runLoad({
                url: server.url,
                token,
                connections: 1,
                amount: 300,
                next: (i) => ({ method: 'POST', path: '/api/wanted?limit=0', body: { id: `${t}-${run}-${i}`, title: `W ${i}`, kind: 'movies' } }),
              }),
            ),
          );
          print(which, round, out.at(-1)!);
        }
        if (rows.has('mixed')) {
          const t = tag();
          out.push(
            await measure(server.url, server.pid, 'mixed paged, 10 conns', () =>
              runCannon({ url: server.url, token, connections: 10, durationMs: Number(values['mixed-seconds']) * 1000, next: mix(t) }),
            ),
          );
          print(which, round, out.at(-1)!);
        }
        if (rows.has('load')) {
          const t = tag();
          out.push(
            await measure(server.url, server.pid, 'mixed paged, 1000 conns', () =>
              runCannon({ url: server.url, token, connections: 1000, durationMs: Number(values['load-seconds']) * 1000, next: mix(t), timeoutMs: 60_000 }),
            ),
          );
          print(which, round, out.at(-1)!);
        }
      } finally {
        await server.stop();
      }
      results[which].push(out);
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  console.log(
    `\nmedians of ${rounds} rounds (load average now ${(await import('node:os'))
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')})`,
  );
  for (const which of ['before', 'after'] as const) {
    const byLabel = new Map<string, Row[]>();
    for (const out of results[which]) for (const r of out) byLabel.set(r.label, [...(byLabel.get(r.label) ?? []), r]);
    for (const [label, rs] of byLabel) {
      console.log(
        `${which.padEnd(6)} ${label.padEnd(22)} ${median(rs.map((r) => r.result.rps)).toFixed(0)} req/s p50 ${median(rs.map((r) => r.result.p50)).toFixed(2)} p99 ${median(rs.map((r) => r.result.p99)).toFixed(1)} ms` +
          ` oldest ${median(rs.map((r) => r.result.oldestUnanswered ?? 0)).toFixed(0)} ms CPU ${median(rs.map((r) => r.cpuPerRequest)).toFixed(2)} ms/req`,
      );
    }
  }
} finally {
  await prepared.cleanup();
  rmSync(work, { recursive: true, force: true });
}

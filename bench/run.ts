/**
 * `npm run bench` / `npm run bench:quick`: the speed of the `files` phase (legacy JSON) and the
 * `db` phase (SQLite, and PostgreSQL with --pg URL) on the same generated library, side by side.
 * Everything talks to 127.0.0.1 only and stops by itself. Prints one table and writes it to
 * bench/RESULTS.md (or --out FILE).
 *
 *   npx tsx bench/run.ts [--sizes 10000,100000,1000000] [--quick] [--pg postgres://...] [--out FILE]
 *                        [--engines files,sqlite,postgres] [--only reads,lists,writes,mixed,load] [--server-root DIR]
 *                        [--cache DIR]
 *
 * Rows at one client use the small closed-loop generator in lib/load.ts (exact latencies); rows
 * under many connections use autocannon (lib/cannon.ts). Beside each database engine a bare
 * server (bare-server.ts: Fastify + the driver, no auth) serves the same page from the same
 * database in the same run, and the page rows are printed as a share of it. `--only` limits the
 * rows after the page by title (always run, with its bare server) for a quick A/B; `--server-root`
 * measures the build of another checkout (e.g. the previous commit's) with this bench.
 * `--cache DIR` keeps the generated legacy dir and each engine's import per size (lib/cache.ts):
 * a later run with the same DIR starts from that import (SQLite: a copy of the database file;
 * PostgreSQL: the kept schema, the bench's writes deleted after each run) and prints the import
 * rows of the cached import. Without it, every run generates and imports afresh.
 */

import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { generateLegacyDir, TEST_PASSWORD } from './generate-legacy.js';
import { startBareServer } from './lib/bare.js';
import { legacyDirFor, type PreparedDatabase, prepareDatabase } from './lib/cache.js';
import { runCannon } from './lib/cannon.js';
import { cpuSince, cpuWithBackends, OURS_APP_NAME } from './lib/cpu.js';
import { type LoadRequest, type LoadResult, runLoad } from './lib/load.js';
import { type BenchServer, login, ROOT, settle, startServer } from './lib/server.js';

interface Args {
  sizes: number[];
  quick: boolean;
  pg?: string;
  out: string;
  engines?: string[];
  only?: Set<string>;
  /** Another checkout whose build is measured (an A/B with the same bench code). */
  serverRoot: string;
  /** Keeps generated dirs and imports between runs (lib/cache.ts). */
  cache?: string;
}

function parseArgs(argv: string[]): Args {
  const get = (name: string) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const quick = argv.includes('--quick');
  return {
    quick,
    sizes: (get('--sizes') ?? (quick ? '10000' : '10000,100000,1000000')).split(',').map(Number),
    pg: get('--pg'),
    out: get('--out') ?? join(ROOT, quick ? 'bench/RESULTS-quick.md' : 'bench/RESULTS.md'),
    engines: get('--engines')?.split(','),
    serverRoot: get('--server-root') ?? ROOT,
    only: get('--only') ? new Set(get('--only')!.split(',')) : undefined,
    cache: get('--cache') ? resolve(get('--cache')!) : undefined,
  };
}

type Row = { figure: string; unit: string; better: 'lower' | 'higher'; values: Record<string, number> };

const SEARCH_WORDS = ['amelie', 'river', 'kingdom', 'cafe', 'bjork', 'station', 'mirror', 'garden'];
const PREFIXES = ['riv', 'kin', 'gar', 'sta', 'mir', 'orc', 'har', 'emp'];

async function firstIds(url: string, token: string, n: number): Promise<string[]> {
  const res = await fetch(`${url}/api/library?sort=createdAt&limit=${Math.min(n, 500)}`, { headers: { authorization: `Bearer ${token}` } });
  const body = (await res.json()) as { items: { id: string }[] };
  return body.items.map((i) => i.id);
}

/** Walks the title order with limit=500 to ~90% of the library, returning the cursor there. */
async function deepCursor(url: string, token: string): Promise<string> {
  let cursor: string | null = null;
  let seen = 0;
  let total = Infinity;
  while (seen < total * 0.9) {
    const res = await fetch(`${url}/api/library?sort=title&limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    const body = (await res.json()) as { items: unknown[]; total: number; nextCursor: string | null };
    total = body.total;
    seen += body.items.length;
    if (!body.nextCursor) break;
    cursor = body.nextCursor;
  }
  return cursor ?? '';
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const rows = new Map<string, Row>();
  const record = (figure: string, unit: string, better: Row['better'], column: string, value: number) => {
    const row = rows.get(figure) ?? { figure, unit, better, values: {} };
    row.values[column] = value;
    rows.set(figure, row);
  };
  const engines = (args.engines ?? ['files', 'sqlite', 'postgres']).filter((e) => e !== 'postgres' || args.pg);
  const wanted = (group: string) => !args.only || args.only.has(group);
  const readSeconds = args.quick ? 0.4 : 5;
  const loadSeconds = args.quick ? 2 : 30;
  // The quick run (CI smoke, under a minute) loads with fewer connections: draining a thousand
  // connections from the files phase alone takes longer than the whole budget.
  const loadConnections = args.quick ? 250 : 1000;
  const loadLabel = `load: ${loadConnections.toLocaleString('en-US')} connections ${loadSeconds}s mixed`;
  let sqliteVersion = '';
  const notes: string[] = [];

  /** Writes the table so far (after every size, so a long run leaves results even if stopped). */
  const write = (done: number[]) => {
    const columns = [...new Set([...rows.values()].flatMap((r) => Object.keys(r.values)))];
    const table = renderTable([...rows.values()], columns, done);
    const machine = `${cpus().length} cores (${cpus()[0]?.model ?? '?'}), ${Math.round(totalmem() / 2 ** 30)} GiB RAM, Node ${process.version}, SQLite ${sqliteVersion}${args.pg ? ', PostgreSQL (see column)' : ''}`;
    const text = [
      `# MediaOS benchmark results`,
      '',
      `Run: ${new Date().toISOString()} · ${machine}`,
      `Command: \`npx tsx bench/run.ts ${process.argv.slice(2).join(' ')}\` (server and load generator share the machine; 127.0.0.1, keep-alive).`,
      `Latencies in ms; "x" columns = how many times better the database phase is than the files phase for that row.`,
      '',
      table,
      '',
      ...(notes.length ? ['## Notes from the run', '', ...notes.map((n) => `- ${n}`), ''] : []),
    ].join('\n');
    if (done.length === args.sizes.length) console.log(text);
    writeFileSync(args.out, appendFindings(args.out, text));
    console.log(`written to ${args.out}`);
  };

  for (const size of args.sizes) {
    const work = mkdtempSync(join(tmpdir(), `mediaos-bench-${size}-`));
    try {
      let legacy = join(work, 'legacy');
      if (args.cache) {
        const cached = await legacyDirFor(args.cache, size);
        legacy = cached.dir;
        console.log(`[${size}] legacy dir ${cached.generatedMs === undefined ? 'from the cache' : `generated in ${cached.generatedMs} ms`}: ${legacy}`);
      } else {
        const t0 = performance.now();
        await generateLegacyDir({ dir: legacy, items: size, seed: 7 });
        console.log(`[${size}] generated legacy dir in ${Math.round(performance.now() - t0)} ms`);
      }

      for (const engine of engines) {
        const col = `${engine} ${size >= 1e6 ? `${size / 1e6}M` : `${size / 1e3}k`}`;
        const run = `${engine}${size}`;
        const base: Record<string, string> = { MEDIAOS_AUTO_IMPORT: 'false' };
        let env: Record<string, string>;
        let prepared: PreparedDatabase | undefined;
        if (engine === 'files') {
          const configDir = join(work, `config-${engine}`);
          const data = join(work, `data-${engine}`);
          cpSync(legacy, configDir, { recursive: true });
          mkdirSync(data, { recursive: true });
          env = { ...base, MEDIAOS_DATA_DIR: data, MEDIAOS_CONFIG_DIR: configDir, MEDIAOS_STORAGE_PHASE: 'files' };
        } else {
          if (engine === 'postgres') {
            base.DATABASE_URL = args.pg!;
            // Names our server's connections, so their backends' CPU counts in its CPU per request.
            base.PGAPPNAME = OURS_APP_NAME;
          }
          base.MEDIAOS_STORAGE_PHASE = 'db';
          prepared = await prepareDatabase({
            engine: engine as 'sqlite' | 'postgres',
            size,
            legacy,
            work,
            cache: args.cache,
            pg: args.pg,
            serverRoot: args.serverRoot,
            run,
            env: base,
          });
          env = prepared.env;
          if (prepared.fromCache) notes.push(`${col}: import rows of the cached import (${prepared.fromCache.importedAt}), not of this run`);
          record('import: rows/s', 'rows/s', 'higher', col, Math.round(size / (prepared.importMs / 1000)));
          record('import: peak RSS', 'MB', 'lower', col, prepared.peakRssMb);
        }

        const server: BenchServer = await startServer(env, [], args.serverRoot);
        try {
          const health = (await (await fetch(`${server.url}/api/health`)).json()) as { db: { serverVersion: string; engine: string } };
          if (health.db.engine === 'sqlite') sqliteVersion = health.db.serverVersion;
          record('cold start: serve -> healthy', 'ms', 'lower', col, server.coldStartMs);
          const token = await login(server.url, 'owner@example.org', TEST_PASSWORD).catch(async () => login(server.url, 'admin@example.org', TEST_PASSWORD));
          const firstPage = performance.now();
          await fetch(`${server.url}/api/library?sort=title&limit=100`, { headers: { authorization: `Bearer ${token}` } });
          record('cold start: first library page', 'ms', 'lower', col, Math.round(performance.now() - firstPage));
          record('RSS after start', 'MB', 'lower', col, server.rssMb());
          // Start-up work of a fresh server (the search of every missing wanted item, queued
          // once per interval) runs before the rows below, so they measure the requests alone.
          record('start-up work: busy after healthy', 'ms', 'lower', col, await settle(server.pid));

          const ids = await firstIds(server.url, token, 500);
          const cursor = await deepCursor(server.url, token);
          const pick = <T>(a: T[], i: number) => a[i % a.length];
          const reads: [string, (i: number) => LoadRequest][] = [
            ['page of 100 by title', () => ({ method: 'GET', path: '/api/library?sort=title&limit=100' })],
            ['page of 100 by -createdAt', () => ({ method: 'GET', path: '/api/library?sort=-createdAt&limit=100' })],
            ['page of 100, kind=series', () => ({ method: 'GET', path: '/api/library?kind=series&limit=100' })],
            ['deep page (cursor at 90%)', () => ({ method: 'GET', path: `/api/library?sort=title&limit=100&cursor=${encodeURIComponent(cursor)}` })],
            ['search a word', (i) => ({ method: 'GET', path: `/api/library?q=${pick(SEARCH_WORDS, i)}&limit=100` })],
            ['search a 3-letter prefix', (i) => ({ method: 'GET', path: `/api/library?q=${pick(PREFIXES, i)}&limit=100` })],
            // Issue 18: `the` prefix-matches ~12% of the generated titles (bench/search.ts holds it against the page rate).
            ['search a common word (the)', () => ({ method: 'GET', path: '/api/library?q=the&limit=100' })],
            ['get by id', (i) => ({ method: 'GET', path: `/api/library/${encodeURIComponent(pick(ids, i))}` })],
          ];
          const pageByTitle = reads[0];
          // Ours and the bare server alternate (ours, bare, ours, bare) so a slow minute of this
          // shared machine falls on both; each figure is the mean of its two runs.
          const bare =
            engine === 'files'
              ? undefined
              : await startBareServer(
                  engine,
                  engine === 'postgres' ? { url: args.pg!, schema: env.MEDIAOS_PG_SCHEMA } : { file: join(env.MEDIAOS_DATA_DIR, 'mediaos.db') },
                );
          try {
            if (bare) {
              const sameBytes = await samePage(server.url, bare.url, token);
              if (sameBytes !== true) notes.push(`${col}: the bare server's page differs from ours (${sameBytes})`);
            }
            for (const [name, next] of wanted('reads') ? reads : [pageByTitle]) {
              const one = await runLoad({ url: server.url, token, connections: 1, durationMs: readSeconds * 1000, next });
              record(`${name}: p50, 1 client`, 'ms', 'lower', col, one.p50);
              record(`${name}: p95, 1 client`, 'ms', 'lower', col, one.p95);
              record(`${name}: p99, 1 client`, 'ms', 'lower', col, one.p99);
              const rounds = name === pageByTitle[0] && bare ? 2 : 1;
              const ours: LoadResult[] = [];
              const bares: LoadResult[] = [];
              // Server CPU per request (on PostgreSQL with its backends'): steadier than req/s when
              // other work shares the machine.
              const cpu = { ours: 0, bare: 0 };
              const pgUrl = engine === 'postgres' ? args.pg : undefined;
              for (let r = 0; r < rounds; r++) {
                let c0 = await cpuWithBackends(server.pid, pgUrl, OURS_APP_NAME);
                ours.push(await runCannon({ url: server.url, token, connections: 50, durationMs: readSeconds * 1000, next }));
                cpu.ours += await cpuSince(c0);
                if (rounds > 1 && bare) {
                  c0 = await cpuWithBackends(bare.pid, pgUrl, bare.appName);
                  bares.push(await runCannon({ url: bare.url, connections: 50, durationMs: readSeconds * 1000, next }));
                  cpu.bare += await cpuSince(c0);
                }
              }
              const fifty = meanOf(ours);
              record(`${name}: req/s, 50 connections`, 'req/s', 'higher', col, fifty.rps);
              record(`${name}: p99, 50 connections`, 'ms', 'lower', col, fifty.p99);
              report(col, name, one, fifty, notes);
              if (bares.length && bare) {
                const bareOne = await runLoad({ url: bare.url, connections: 1, durationMs: readSeconds * 1000, next });
                const bareFifty = meanOf(bares);
                const bareRow = `bare server (Fastify + driver, no auth): ${name}`;
                record(`${bareRow}: p99, 1 client`, 'ms', 'lower', col, bareOne.p99);
                record(`${bareRow}: req/s, 50 connections`, 'req/s', 'higher', col, bareFifty.rps);
                record(`${bareRow}: p99, 50 connections`, 'ms', 'lower', col, bareFifty.p99);
                const oursCpu = cpu.ours / ours.reduce((a, r) => a + r.requests, 0);
                const bareCpu = cpu.bare / bares.reduce((a, r) => a + r.requests, 0);
                // PostgreSQL: the server process plus the database backends of its connections.
                record(`${name}: server CPU per request, 50 connections`, 'ms', 'lower', col, oursCpu);
                record(`${bareRow}: server CPU per request, 50 connections`, 'ms', 'lower', col, bareCpu);
                record('page of 100, 50 connections, as share of bare (req/s ours / bare)', 'x', 'higher', col, fifty.rps / bareFifty.rps);
                record('page of 100, 50 connections, server CPU per request, bare / ours', 'x', 'higher', col, bareCpu / oursCpu);
                record('page of 100, p99 1 client, bare / ours', 'x', 'higher', col, bareOne.p99 / one.p99);
                report(`${col} bare`, name, bareOne, bareFifty, notes);
              }
            }
          } finally {
            await bare?.stop();
          }

          // Issue 18 item 5: the grab history (~11% of the library's size) whole, as v0.3 answers
          // it, against one keyset page of it; a few whole answers only, they are the slow ones.
          if (wanted('lists')) {
            const lists: [string, number, (i: number) => LoadRequest][] = [
              ['grab history, whole list', 5, () => ({ method: 'GET', path: '/api/activity/history' })],
              ['grab history, page of 100', 200, () => ({ method: 'GET', path: '/api/activity/history?limit=100' })],
              ['grab queue, page of 100', 200, () => ({ method: 'GET', path: '/api/activity/queue?limit=100' })],
            ];
            for (const [name, amount, next] of lists) {
              const r = await runLoad({ url: server.url, token, connections: 1, amount, next, timeoutMs: 120_000 });
              record(`${name}: p50, 1 client`, 'ms', 'lower', col, r.p50);
              record(`${name}: p99, 1 client`, 'ms', 'lower', col, r.p99);
              if (r.errors || Object.keys(r.failures).length) notes.push(`${col} ${name}: ${JSON.stringify(r.failures)} ${r.samples.join(' | ')}`);
            }
          }

          const writeAmount = size >= 1e6 && engine === 'files' ? 10 : args.quick ? 25 : 300;
          const created: string[] = [];
          const writes: [string, (i: number) => LoadRequest][] = [
            [
              'add library item',
              (i) => {
                const id = `bench-${run}-${i}`;
                created.push(id);
                return { method: 'POST', path: '/api/library', body: { id, kind: 'movie', title: `Bench ${run} ${i}` } };
              },
            ],
            [
              'patch library item',
              (i) => ({ method: 'PATCH', path: `/api/library/${encodeURIComponent(pick(created, i))}`, body: { posterUrl: `https://img.example/${i}.jpg` } }),
            ],
            ['delete library item', (i) => ({ method: 'DELETE', path: `/api/library/${encodeURIComponent(created[i])}` })],
            ['add wanted item', (i) => ({ method: 'POST', path: '/api/wanted', body: { id: `w-${run}-${i}`, title: `Wanted ${i}`, kind: 'movies' } })],
            // The paged form of the same write (issue 18): answers the list's total only.
            [
              'add wanted item, ?limit=0',
              (i) => ({ method: 'POST', path: '/api/wanted?limit=0', body: { id: `wp-${run}-${i}`, title: `Wanted ${i}`, kind: 'movies' } }),
            ],
          ];
          for (const [name, next] of wanted('writes') ? writes : []) {
            const r = await runLoad({ url: server.url, token, connections: 1, amount: writeAmount, next });
            record(`${name}: p50, 1 client`, 'ms', 'lower', col, r.p50);
            record(`${name}: p99, 1 client`, 'ms', 'lower', col, r.p99);
            if (r.errors || Object.keys(r.failures).length) notes.push(`${col} ${name}: ${JSON.stringify(r.failures)} ${r.samples.join(' | ')}`);
          }

          // The issue's mix: 1 in 10 requests adds a wanted item and (v0.3) gets the whole wanted
          // list back; the "paged" mix is the same with `?limit=0` on the write (the total only).
          const mixedWith =
            (write: string, tag: string) =>
            (i: number): LoadRequest =>
              i % 10 === 9
                ? { method: 'POST', path: write, body: { id: `${tag}-${run}-${i}`, title: `Mixed ${i}`, kind: 'movie' } }
                : i % 3 === 0
                  ? { method: 'GET', path: `/api/library?q=${pick(PREFIXES, i)}&limit=50` }
                  : i % 3 === 1
                    ? { method: 'GET', path: `/api/library/${encodeURIComponent(pick(ids, i))}` }
                    : { method: 'GET', path: '/api/library?sort=title&limit=100' };
          const mixed = mixedWith('/api/wanted', 'm');
          if (wanted('mixed')) {
            const mix = await runCannon({ url: server.url, token, connections: 10, durationMs: readSeconds * 1000, next: mixed });
            record('mixed 90/10 read/write: req/s, 10 connections', 'req/s', 'higher', col, mix.rps);
            record('mixed 90/10 read/write: p99, 10 connections', 'ms', 'lower', col, mix.p99);
            const paged = await runCannon({
              url: server.url,
              token,
              connections: 10,
              durationMs: readSeconds * 1000,
              next: mixedWith('/api/wanted?limit=0', 'mp'),
            });
            record('mixed 90/10, writes with ?limit=0: req/s, 10 connections', 'req/s', 'higher', col, paged.rps);
            record('mixed 90/10, writes with ?limit=0: p99, 10 connections', 'ms', 'lower', col, paged.p99);
          }

          if (!wanted('load')) continue;
          // The load with `?limit=0` writes first, then with the v0.3 writes (the whole wanted list per
          // write). A load run ends with a request in flight on every connection, and the server
          // works off what it already read (at 1M on PostgreSQL: ~100 whole-list writes, tens of
          // seconds), so each run waits for the server to go idle first.
          const loads: [string, (i: number) => LoadRequest][] = [
            [`${loadLabel}, writes with ?limit=0`, mixedWith('/api/wanted?limit=0', 'lp')],
            [loadLabel, mixed],
          ];
          for (const [label, next] of loads) {
            await settle(server.pid);
            const load = await runCannon({ url: server.url, token, connections: loadConnections, durationMs: loadSeconds * 1000, next, timeoutMs: 60_000 });
            record(`${label}: req/s`, 'req/s', 'higher', col, load.rps);
            // p99 counts the requests unanswered at the end at their age then (lib/cannon.ts).
            record(`${label}: p99`, 'ms', 'lower', col, load.p99);
            record(`${label}: oldest request unanswered when the run ended`, 'ms', 'lower', col, load.oldestUnanswered ?? 0);
            const errs = load.errors + Object.values(load.failures).reduce((a, b) => a + b, 0);
            record(`${label}: errors`, 'count', 'lower', col, errs);
            if (errs) notes.push(`${col} ${label} errors: network ${load.errors}, ${JSON.stringify(load.failures)}; ${load.samples.join(' | ')}`);
          }
          record('RSS after load', 'MB', 'lower', col, server.rssMb());
          record('peak RSS', 'MB', 'lower', col, server.peakRssMb());
        } finally {
          await server.stop();
          await prepared?.cleanup();
        }
      }
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
    write(args.sizes.slice(0, args.sizes.indexOf(size) + 1));
  }
}

/** The mean rate and the worse p99 of repeated runs of one row. */
function meanOf(runs: LoadResult[]): LoadResult {
  const mean = (f: (r: LoadResult) => number) => runs.reduce((a, r) => a + f(r), 0) / runs.length;
  return {
    ...runs[0],
    requests: runs.reduce((a, r) => a + r.requests, 0),
    rps: mean((r) => r.rps),
    p50: mean((r) => r.p50),
    p95: mean((r) => r.p95),
    p99: Math.max(...runs.map((r) => r.p99)),
    errors: runs.reduce((a, r) => a + r.errors, 0),
  };
}

/** true when ours and the bare server answer the first page by title with the same bytes, else what differs. */
async function samePage(ours: string, bare: string, token: string): Promise<true | string> {
  const path = '/api/library?sort=title&limit=100';
  const a = await (await fetch(`${ours}${path}`, { headers: { authorization: `Bearer ${token}` } })).text();
  const b = await (await fetch(`${bare}${path}`)).text();
  if (a === b) return true;
  let i = 0;
  while (i < a.length && a[i] === b[i]) i++;
  return `${a.length} vs ${b.length} bytes, first difference at ${i}: ${JSON.stringify(a.slice(i, i + 60))} vs ${JSON.stringify(b.slice(i, i + 60))}`;
}

function report(col: string, name: string, one: LoadResult, fifty: LoadResult, notes: string[]): void {
  console.log(
    `${col.padEnd(14)} ${name.padEnd(30)} p50 ${one.p50.toFixed(2)} p95 ${one.p95.toFixed(2)} p99 ${one.p99.toFixed(2)} ms | 50 conns ${fifty.rps.toFixed(0)} req/s p99 ${fifty.p99.toFixed(1)} ms`,
  );
  for (const r of [one, fifty]) {
    if (r.errors || Object.keys(r.failures).length) notes.push(`${col} ${name}: ${JSON.stringify(r.failures)} ${r.samples.join(' | ')}`);
  }
}

function fmt(v: number | undefined, unit: string): string {
  if (v === undefined || Number.isNaN(v)) return '–';
  if (unit === 'x') return `${v.toFixed(2)}x`;
  if (unit === 'ms') return v < 10 ? v.toFixed(2) : v < 100 ? v.toFixed(1) : Math.round(v).toLocaleString('en-US');
  return Math.round(v).toLocaleString('en-US');
}

function renderTable(rows: Row[], columns: string[], sizes: number[]): string {
  const label = (s: number) => (s >= 1e6 ? `${s / 1e6}M` : `${s / 1e3}k`);
  const head: string[] = ['figure'];
  for (const s of sizes) {
    for (const c of columns.filter((c) => c.endsWith(` ${label(s)}`))) head.push(c);
    head.push(`x ${label(s)}`);
  }
  const lines = [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`];
  for (const r of rows) {
    const cells = [`${r.figure} (${r.unit})`];
    for (const s of sizes) {
      const cols = columns.filter((c) => c.endsWith(` ${label(s)}`));
      for (const c of cols) cells.push(fmt(r.values[c], r.unit));
      const files = r.values[`files ${label(s)}`];
      const db = r.values[`sqlite ${label(s)}`];
      const ratio = files === undefined || db === undefined || !files || !db ? undefined : r.better === 'higher' ? db / files : files / db;
      cells.push(
        ratio === undefined || r.unit === 'count' || r.unit === 'x' ? '' : `${ratio >= 10 ? Math.round(ratio).toLocaleString('en-US') : ratio.toFixed(1)}x`,
      );
    }
    lines.push(`| ${cells.join(' | ')} |`);
  }
  return lines.join('\n');
}

/** Keeps a hand-written "## Findings" section of an existing results file below the new table. */
function appendFindings(file: string, text: string): string {
  try {
    const old = readFileSync(file, 'utf8');
    const i = old.indexOf('## Findings');
    return i >= 0 ? `${text}\n${old.slice(i)}` : text;
  } catch {
    return text;
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

/**
 * Search under load (issue 18 item 3): a common word (`the`, which prefix-matches a large share
 * of the generated titles) at 50 connections, as a share of the page rate (a page of 100 by
 * title, no search) measured in the same run, beside words that match ~2.5% of the items, on SQLite and PostgreSQL.
 * Absolute figures move with the machine's load; the ratio taken in one run is the figure.
 *
 * Runs the BUILT CLI (`npm run build` first). `--bin DIR` also runs another build
 * (DIR/bin/mediaos, e.g. the previous commit's) against the same imported database, right after
 * this one, for a before/after in one run. `--append FILE` adds the table to FILE.
 *
 * Each row runs `--rounds` times (default 3) for `--seconds` (default 5); figures are medians.
 *
 *   npx tsx bench/search.ts [--items 100000] [--pg postgres://...] [--seconds 5] [--rounds 3] [--bin DIR] [--append FILE]
 */
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { generateLegacyDir, TEST_PASSWORD } from './generate-legacy.js';
import { type LoadRequest, type LoadResult, runLoad } from './lib/load.js';
import { login, ROOT, runCli, startServer } from './lib/server.js';

interface Row {
  engine: string;
  items: number;
  build: string;
  pageRps: number;
  pageP99: number;
  commonRps: number;
  commonP99: number;
  commonOneP99: number;
  rareRps: number;
  rareP99: number;
  /** Median over the rounds of (`the` req/s / page req/s) within the round. */
  ratio: number;
  commonTotal: string;
}

/** Words of the generated titles that match ~2.5% of the items each (over the exact bound at 100k). */
const OTHER_WORDS = ['amelie', 'kingdom', 'bjork', 'mirror'];

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/**
 * `rounds` rounds of (page, `the`, the other words) of `seconds` each; every figure is the median over
 * the rounds and the ratio is the median of each round's ratio, so a change of the machine's
 * load between two rows moves it less.
 */
async function measure(url: string, token: string, seconds: number, rounds: number): Promise<Omit<Row, 'engine' | 'items' | 'build'>> {
  const ms = seconds * 1000;
  const load = (next: (i: number) => LoadRequest, connections = 50) => runLoad({ url, token, connections, durationMs: ms, next });
  const get = async (path: string) =>
    (await fetch(`${url}${path}`, { headers: { authorization: `Bearer ${token}` } })).json() as Promise<Record<string, unknown>>;
  const first = await get('/api/library?q=the&limit=100');
  const commonTotal = `${first.total}${first.totalIsEstimate ? ' (estimate)' : ''}`;
  // Warm-up: the first requests compile statements and fill caches.
  await load(() => ({ method: 'GET', path: '/api/library?q=the&limit=100' }), 4);
  const r: Record<'page' | 'common' | 'one' | 'rare', LoadResult[]> = { page: [], common: [], one: [], rare: [] };
  for (let i = 0; i < rounds; i++) {
    r.page.push(await load(() => ({ method: 'GET', path: '/api/library?sort=title&limit=100' })));
    r.common.push(await load(() => ({ method: 'GET', path: '/api/library?q=the&limit=100' })));
    r.one.push(await load(() => ({ method: 'GET', path: '/api/library?q=the&limit=100' }), 1));
    r.rare.push(await load((k) => ({ method: 'GET', path: `/api/library?q=${OTHER_WORDS[k % OTHER_WORDS.length]}&limit=100` })));
  }
  for (const x of Object.values(r).flat()) {
    if (x.errors || Object.keys(x.failures).length) console.log(`  errors: ${x.errors} ${JSON.stringify(x.failures)} ${x.samples.join(' | ')}`);
  }
  const med = (k: keyof typeof r, f: 'rps' | 'p99') => median(r[k].map((x) => x[f]));
  return {
    pageRps: med('page', 'rps'),
    pageP99: med('page', 'p99'),
    commonRps: med('common', 'rps'),
    commonP99: med('common', 'p99'),
    commonOneP99: med('one', 'p99'),
    rareRps: med('rare', 'rps'),
    rareP99: med('rare', 'p99'),
    ratio: median(r.page.map((p, i) => r.common[i]!.rps / p.rps)),
    commonTotal,
  };
}

async function pgQuery(url: string, text: string): Promise<void> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    await c.query(text);
  } finally {
    await c.end();
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      items: { type: 'string' },
      pg: { type: 'string' },
      seconds: { type: 'string' },
      rounds: { type: 'string' },
      bin: { type: 'string' },
      append: { type: 'string' },
    },
  });
  if (!existsSync(join(ROOT, 'dist', 'cli.js'))) throw new Error('build first: npm run build');
  const items = Number(values.items ?? 100_000);
  const seconds = Number(values.seconds ?? 5);
  const rounds = Number(values.rounds ?? 3);
  const builds: [string, string][] = [['this', ROOT], ...(values.bin ? [[values.bin, values.bin] as [string, string]] : [])];
  const rows: Row[] = [];
  const work = mkdtempSync(join(tmpdir(), `mediaos-bench-search-${items}-`));
  try {
    const legacy = join(work, 'legacy');
    await generateLegacyDir({ dir: legacy, items, seed: 7 });
    for (const engine of ['sqlite', ...(values.pg ? ['postgres'] : [])]) {
      const data = join(work, `data-${engine}`);
      mkdirSync(data, { recursive: true });
      const env: Record<string, string> = { MEDIAOS_DATA_DIR: data, MEDIAOS_CONFIG_DIR: legacy, MEDIAOS_AUTO_IMPORT: 'false', MEDIAOS_STORAGE_PHASE: 'db' };
      if (engine === 'postgres') {
        env.DATABASE_URL = values.pg!;
        env.MEDIAOS_PG_SCHEMA = `bench_search_${Date.now()}`;
        await pgQuery(values.pg!, `create schema ${env.MEDIAOS_PG_SCHEMA}`);
      }
      try {
        const imp = await runCli(['import', '--from', legacy], env);
        if (imp.code !== 0 && imp.code !== 3) throw new Error(`import failed (${imp.code}):\n${imp.out}`);
        for (const [build, root] of builds) {
          const server = await startServer(env, [], root);
          try {
            const token = await login(server.url, 'owner@example.org', TEST_PASSWORD).catch(async () => login(server.url, 'admin@example.org', TEST_PASSWORD));
            const r = { engine, items, build, ...(await measure(server.url, token, seconds, rounds)) };
            rows.push(r);
            console.log(
              `${engine} ${build}: page ${r.pageRps.toFixed(0)} req/s; "the" ${r.commonRps.toFixed(0)} req/s (${r.ratio.toFixed(2)}x) p99 ${r.commonP99.toFixed(1)} ms; other words ${r.rareRps.toFixed(0)} req/s`,
            );
          } finally {
            await server.stop();
          }
        }
      } finally {
        if (env.MEDIAOS_PG_SCHEMA) await pgQuery(values.pg!, `drop schema if exists ${env.MEDIAOS_PG_SCHEMA} cascade`);
      }
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  const f = (n: number) => (n < 10 ? n.toFixed(2) : n < 100 ? n.toFixed(1) : Math.round(n).toLocaleString('en-US'));
  const lines = [
    '| engine | items | build | page of 100 req/s (p99 ms) | `the` req/s (p99 ms) | `the` / page | `the` p99, 1 client | `amelie`, `kingdom`, `bjork`, `mirror` (~2.5% each) req/s (p99 ms) | `the` total |',
    '|---|---:|---|---:|---:|---:|---:|---:|---|',
    ...rows.map(
      (r) =>
        `| ${r.engine} | ${r.items.toLocaleString('en-US')} | ${r.build} | ${f(r.pageRps)} (${f(r.pageP99)}) | ${f(r.commonRps)} (${f(r.commonP99)}) | ${r.ratio.toFixed(2)}x | ${f(r.commonOneP99)} | ${f(r.rareRps)} (${f(r.rareP99)}) | ${r.commonTotal} |`,
    ),
  ];
  console.log(`\n${lines.join('\n')}`);
  if (values.append) {
    const machine = `${cpus().length} cores (${cpus()[0]?.model ?? '?'}), ${Math.round(totalmem() / 2 ** 30)} GiB RAM, Node ${process.version}, load average ${loadavg()[0]!.toFixed(1)} (shared machine)`;
    appendFileSync(
      values.append,
      `\nSearch run ${new Date().toISOString()} · ${machine}\nCommand: \`npx tsx bench/search.ts ${process.argv.slice(2).join(' ')}\` (50 connections, ${rounds} rounds of ${seconds} s a row, medians)\n\n${lines.join('\n')}\n`,
    );
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});

/**
 * Page of 100 at 50 connections with 1, 2 and 3 `mediaos serve` processes on one PostgreSQL
 * database (issue 19): the connections are split evenly over the processes, as a proxy would.
 *   npx tsx bench/processes.ts [--pg postgres://postgres@127.0.0.1:5432/test] [--items 100000] [--seconds 10]
 * Run `npm run build` first. Prints one Markdown row per process count.
 */
import { randomBytes } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { generateLegacyDir, TEST_PASSWORD } from './generate-legacy.js';
import { runLoad } from './lib/load.js';
import { type BenchServer, login, runCli, startServer } from './lib/server.js';

const { values } = parseArgs({
  options: {
    pg: { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/test' },
    items: { type: 'string', default: '100000' },
    seconds: { type: 'string', default: '10' },
  },
});
const items = Number(values.items);
const seconds = Number(values.seconds);
const CONNECTIONS = 50;

async function query(url: string, text: string) {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    await c.query(text);
  } finally {
    await c.end();
  }
}

const name = `mediaos_bench_procs_${randomBytes(4).toString('hex')}`;
await query(values.pg, `create database ${name}`);
const dbUrl = new URL(values.pg);
dbUrl.pathname = `/${name}`;
const work = mkdtempSync(join(tmpdir(), 'mediaos-bench-procs-'));
const servers: BenchServer[] = [];
try {
  const legacy = join(work, 'legacy');
  await generateLegacyDir({ dir: legacy, items, seed: 7 });
  const env = (n: number): Record<string, string> => ({
    DATABASE_URL: dbUrl.toString(),
    JWT_SECRET: 'bench-jwt-secret-0123456789abcdef-0123456789',
    ENCRYPTION_KEY: 'bench-encryption-key-0123456789abcdef',
    MEDIAOS_DATA_DIR: join(work, `data-${n}`),
    MEDIAOS_CONFIG_DIR: join(work, 'config'),
    MEDIAOS_AUTO_IMPORT: 'false',
    MEDIAOS_STORAGE_PHASE: 'db',
    MEDIAOS_BACKUP_INTERVAL_HOURS: '0',
    MEDIAOS_MISSING_SEARCH_HOURS: '0',
    MEDIAOS_TRACK_SECONDS: '0',
  });
  cpSync(legacy, join(work, 'config'), { recursive: true });
  mkdirSync(join(work, 'data-0'), { recursive: true });
  const imp = await runCli(['import', '--from', join(work, 'config')], env(0));
  if (imp.code !== 0 && imp.code !== 3) throw new Error(`import failed (${imp.code}):\n${imp.out}`);
  console.log(`| processes | req/s (page of 100 by title, ${CONNECTIONS} connections, ${items / 1000}k items) | p99 (ms) | errors |`);
  console.log('|---|---|---|---|');
  for (let n = 1; n <= 3; n++) {
    while (servers.length < n) servers.push(await startServer(env(servers.length)));
    const token = await login(servers[0].url, 'owner@example.org', TEST_PASSWORD);
    const share = (i: number) => Math.floor(CONNECTIONS / n) + (i < CONNECTIONS % n ? 1 : 0);
    const results = await Promise.all(
      servers.map((s, i) =>
        runLoad({
          url: s.url,
          connections: share(i),
          durationMs: seconds * 1000,
          token,
          next: () => ({ method: 'GET', path: '/api/library?limit=100&sort=title' }),
        }),
      ),
    );
    const rps = results.reduce((a, r) => a + r.rps, 0);
    const p99 = Math.max(...results.map((r) => r.p99));
    const errors = results.reduce((a, r) => a + r.errors + Object.values(r.failures).reduce((x, y) => x + y, 0), 0);
    console.log(`| ${n} | ${Math.round(rps).toLocaleString('en-US')} | ${p99.toFixed(1)} | ${errors} |`);
  }
} finally {
  await Promise.all(servers.map((s) => s.stop()));
  rmSync(work, { recursive: true, force: true });
  await query(values.pg, `drop database if exists ${name} with (force)`);
}

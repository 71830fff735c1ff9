/**
 * A/B of the page route: this build, another checkout's build and the bare server (bare-server.ts)
 * serve the same page of 100 by title from one database, in turns (before, after, bare, then
 * reversed, ...), at 50 connections (autocannon). Prints req/s, p99 and CPU per request of the
 * server process and, on PostgreSQL, of the backends of its connections (by application_name).
 * The automation timers are off (MEDIAOS_MISSING_SEARCH_HOURS=0, MEDIAOS_RSS_SYNC_MINUTES=0): a
 * fresh server's search of every missing wanted item would otherwise run under the first rounds.
 * Build both checkouts first (`npm run build`).
 *
 *   npx tsx bench/page-ab.ts --before /path/to/other/checkout [--items 100000] [--pg postgres://...]
 *                            [--seconds 5] [--rounds 4]
 */
import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { generateLegacyDir, TEST_PASSWORD } from './generate-legacy.js';
import { startBareServer } from './lib/bare.js';
import { runCannon } from './lib/cannon.js';
import { cpuMs, login, ROOT, runCli, startServer } from './lib/server.js';

const { values } = parseArgs({
  options: {
    before: { type: 'string' },
    items: { type: 'string', default: '100000' },
    pg: { type: 'string' },
    seconds: { type: 'string', default: '5' },
    rounds: { type: 'string', default: '4' },
  },
});
if (!values.before) throw new Error('--before DIR (a built checkout to compare with) is required');
const seconds = Number(values.seconds);
const rounds = Number(values.rounds);
const PATH = '/api/library?sort=title&limit=100';

async function pgRows<T>(url: string, text: string, params: unknown[] = []): Promise<T[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query(text, params)).rows as T[];
  } finally {
    await c.end();
  }
}

const cpuOr0 = (pid: number) => {
  try {
    return cpuMs(pid);
  } catch {
    return 0;
  }
};

interface Target {
  name: string;
  url: string;
  pid: number;
  token?: string;
  appName: string;
  stop(): Promise<void>;
}

async function backendCpu(url: string | undefined, appName: string): Promise<Map<number, number>> {
  const rows = url ? await pgRows<{ pid: number }>(url, 'select pid from pg_stat_activity where application_name = $1', [appName]) : [];
  return new Map(rows.map((r) => [r.pid, cpuOr0(r.pid)]));
}

const work = mkdtempSync(join(tmpdir(), 'mediaos-page-ab-'));
try {
  const legacy = join(work, 'legacy');
  await generateLegacyDir({ dir: legacy, items: Number(values.items), seed: 7 });
  for (const engine of ['sqlite', ...(values.pg ? ['postgres'] : [])]) {
    const configDir = join(work, `config-${engine}`);
    const data = join(work, `data-${engine}`);
    cpSync(legacy, configDir, { recursive: true });
    mkdirSync(data, { recursive: true });
    const env: Record<string, string> = {
      MEDIAOS_DATA_DIR: data,
      MEDIAOS_CONFIG_DIR: configDir,
      MEDIAOS_AUTO_IMPORT: 'false',
      MEDIAOS_STORAGE_PHASE: 'db',
      MEDIAOS_MISSING_SEARCH_HOURS: '0',
      MEDIAOS_RSS_SYNC_MINUTES: '0',
    };
    const schema = `page_ab_${Date.now()}`;
    if (engine === 'postgres') {
      await pgRows(values.pg!, `create schema ${schema}`);
      Object.assign(env, { DATABASE_URL: values.pg!, MEDIAOS_PG_SCHEMA: schema });
    }
    const targets: Target[] = [];
    try {
      const imp = await runCli(['import', '--from', configDir], env);
      if (imp.code !== 0 && imp.code !== 3) throw new Error(`import failed (${imp.code}):\n${imp.out}`);
      for (const [name, root] of [
        ['before', values.before],
        ['after', ROOT],
      ] as const) {
        const appName = `mediaos-page-ab-${name}`;
        const s = await startServer({ ...env, PGAPPNAME: appName }, [], root);
        const token = await login(s.url, 'owner@example.org', TEST_PASSWORD).catch(() => login(s.url, 'admin@example.org', TEST_PASSWORD));
        targets.push({ name, url: s.url, pid: s.pid, token, appName, stop: s.stop });
      }
      const bare = await startBareServer(engine, engine === 'postgres' ? { url: values.pg, schema } : { file: join(data, 'mediaos.db') });
      targets.push({ name: 'bare', url: bare.url, pid: bare.pid, appName: bare.appName, stop: bare.stop });
      const next = () => ({ method: 'GET' as const, path: PATH });
      for (const t of targets) await runCannon({ url: t.url, token: t.token, connections: 50, durationMs: 1500, next });
      const acc = new Map<string, { rps: number[]; p99: number[]; cpu: number; db: number; n: number }>();
      for (let r = 0; r < rounds; r++) {
        for (const t of r % 2 ? [...targets].reverse() : targets) {
          const c0 = cpuMs(t.pid);
          const b0 = await backendCpu(values.pg && engine === 'postgres' ? values.pg : undefined, t.appName);
          const x = await runCannon({ url: t.url, token: t.token, connections: 50, durationMs: seconds * 1000, next });
          const cpu = cpuMs(t.pid) - c0;
          const b1 = await backendCpu(values.pg && engine === 'postgres' ? values.pg : undefined, t.appName);
          let db = 0;
          for (const [pid, ms] of b1) db += ms - (b0.get(pid) ?? 0);
          const a = acc.get(t.name) ?? { rps: [], p99: [], cpu: 0, db: 0, n: 0 };
          a.rps.push(x.rps);
          a.p99.push(x.p99);
          a.cpu += cpu;
          a.db += db;
          a.n += x.requests;
          acc.set(t.name, a);
          if (x.errors || Object.keys(x.failures).length) console.log(`${t.name}: errors ${x.errors} ${JSON.stringify(x.failures)}`);
        }
      }
      const mean = (a: number[]) => a.reduce((s, v) => s + v, 0) / a.length;
      const b = acc.get('bare')!;
      console.log(`\n${engine}, ${values.items} items, page of 100 by title, 50 connections, ${rounds} rounds of ${seconds} s:\n`);
      console.log('| server | req/s (per round) | share of bare | p99 ms | CPU ms/request: server + database = total |');
      console.log('|---|---|---|---|---|');
      for (const [name, a] of acc) {
        const server = a.cpu / a.n;
        const db = a.db / a.n;
        console.log(
          `| ${name} | ${mean(a.rps).toFixed(0)} (${a.rps.map((v) => v.toFixed(0)).join(', ')}) | ${(mean(a.rps) / mean(b.rps)).toFixed(2)}x | ${mean(a.p99).toFixed(1)} | ${server.toFixed(2)} + ${db.toFixed(2)} = ${(server + db).toFixed(2)} |`,
        );
      }
    } finally {
      for (const t of targets) await t.stop();
      if (engine === 'postgres') await pgRows(values.pg!, `drop schema if exists ${schema} cascade`);
    }
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}

/**
 * Page of 100 at 50 connections on SQLite (issue 18): `mediaos serve --workers 2` against the
 * single-process server and against a bare Fastify + better-sqlite3 server (bench/bare-server.ts,
 * one process, no auth) reading the same database, in one run, in rounds (A B C, A B C, ...) so
 * the machine's other load spreads over all three. Prints the table and the ratios.
 *   npx tsx bench/workers.ts [--items 100000] [--seconds 10] [--rounds 2] [--workers 2] [--append bench/RESULTS.md]
 * Run `npm run build` first.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { appendFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { generateLegacyDir, TEST_PASSWORD } from './generate-legacy.js';
import { runLoad } from './lib/load.js';
import { CLI, freePort, login, ROOT, runCli } from './lib/server.js';

const { values } = parseArgs({
  options: {
    items: { type: 'string', default: '100000' },
    seconds: { type: 'string', default: '10' },
    rounds: { type: 'string', default: '2' },
    workers: { type: 'string', default: '2' },
    append: { type: 'string' },
  },
});
const items = Number(values.items);
const seconds = Number(values.seconds);
const rounds = Number(values.rounds);
const workers = Number(values.workers);
const CONNECTIONS = 50;

interface Started {
  name: string;
  url: string;
  path: string;
  child: ChildProcess;
  /** RSS of the process and its children (the workers), MB. */
  rssMb(): number;
}

function rssOf(pid: number): number {
  let kb = 0;
  try {
    kb += Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
    for (const child of readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean)) kb += rssOf(Number(child)) * 1024;
  } catch {
    /* exited */
  }
  return Math.round(kb / 1024);
}

/** CPU time (user + system, ms) used so far by a process and its children (the workers). */
function cpuMsOf(pid: number): number {
  let ms = 0;
  try {
    // Fields after the command name (which is in parentheses): utime and stime are the 12th and 13th.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    ms += ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
    for (const child of readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean)) ms += cpuMsOf(Number(child));
  } catch {
    /* exited */
  }
  return ms;
}
/** USER_HZ: 100 on Linux. */
const CLOCK_TICKS = 100;

async function start(name: string, argv: string[], env: Record<string, string>, path: string, port: number): Promise<Started> {
  const child = spawn(process.execPath, argv, { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const url = `http://127.0.0.1:${port}`;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${name} exited (${child.exitCode}):\n${out}`);
    try {
      const res = await fetch(`${url}/api/health`);
      // serve --workers: ready once the primary says every worker listens.
      if (res.ok && (!name.startsWith('serve --workers') || out.includes('MediaOS serving with'))) break;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { name, url, path, child, rssMb: () => rssOf(child.pid!) };
}

const work = mkdtempSync(join(tmpdir(), 'mediaos-bench-workers-'));
const servers: Started[] = [];
try {
  const legacy = join(work, 'legacy');
  await generateLegacyDir({ dir: legacy, items, seed: 7 });
  const data = join(work, 'data');
  mkdirSync(data, { recursive: true });
  cpSync(legacy, join(work, 'config'), { recursive: true });
  const env: Record<string, string> = {
    MEDIAOS_DATA_DIR: data,
    MEDIAOS_CONFIG_DIR: join(work, 'config'),
    JWT_SECRET: 'bench-jwt-secret-0123456789abcdef-0123456789',
    ENCRYPTION_KEY: 'bench-encryption-key-0123456789abcdef',
    MEDIAOS_AUTO_IMPORT: 'false',
    MEDIAOS_STORAGE_PHASE: 'db',
    MEDIAOS_BACKUP_INTERVAL_HOURS: '0',
    MEDIAOS_MISSING_SEARCH_HOURS: '0',
    MEDIAOS_TRACK_SECONDS: '0',
    MEDIAOS_RSS_SYNC_MINUTES: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    RATE_LIMIT_MAX: '0',
    MEDIAOS_LOGIN_RATE_LIMIT: '10000',
  };
  const imp = await runCli(['import', '--from', join(work, 'config')], env);
  if (imp.code !== 0 && imp.code !== 3) throw new Error(`import failed (${imp.code}):\n${imp.out}`);
  const page = '/api/library?limit=100&sort=title';
  let port = await freePort();
  servers.push(
    await start(
      'bare',
      ['--import', 'tsx', join(ROOT, 'bench/bare-server.ts')],
      { BARE_ENGINE: 'sqlite', BARE_DB: join(data, 'mediaos.db'), PORT: String(port) },
      page,
      port,
    ),
  );
  port = await freePort();
  servers.push(await start('serve', [CLI, 'serve'], { ...env, PORT: String(port) }, page, port));
  port = await freePort();
  servers.push(await start(`serve --workers ${workers}`, [CLI, 'serve', '--workers', String(workers)], { ...env, PORT: String(port) }, page, port));
  const token = await login(servers[1].url, 'owner@example.org', TEST_PASSWORD);

  const rps = new Map<string, number[]>();
  const cpu = new Map<string, number[]>();
  /** The load generator's own CPU per request (it shares the cores with the servers). */
  const clientCpu: number[] = [];
  const lines: string[] = [];
  for (let round = 1; round <= rounds; round++) {
    for (const s of servers) {
      const cpuBefore = cpuMsOf(s.child.pid!);
      const clientBefore = process.cpuUsage();
      const r = await runLoad({
        url: s.url,
        connections: CONNECTIONS,
        durationMs: seconds * 1000,
        token: s.name === 'bare' ? undefined : token,
        next: () => ({ method: 'GET', path: s.path }),
      });
      const cpuPerRequest = (cpuMsOf(s.child.pid!) - cpuBefore) / Math.max(1, r.requests);
      const used = process.cpuUsage(clientBefore);
      clientCpu.push((used.user + used.system) / 1000 / Math.max(1, r.requests));
      const errors = r.errors + Object.values(r.failures).reduce((a, b) => a + b, 0);
      if (errors) console.error(`${s.name}: ${errors} errors, e.g. ${r.samples.join('; ')}`);
      rps.set(s.name, [...(rps.get(s.name) ?? []), r.rps]);
      cpu.set(s.name, [...(cpu.get(s.name) ?? []), cpuPerRequest]);
      const line = `| ${round} | ${s.name} | ${Math.round(r.rps).toLocaleString('en-US')} | ${r.p50.toFixed(1)} | ${r.p99.toFixed(1)} | ${errors} | ${cpuPerRequest.toFixed(2)} | ${s.rssMb()} |`;
      lines.push(line);
      console.log(line);
    }
  }
  const median = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  };
  const bare = median(rps.get('bare')!);
  const single = median(rps.get('serve')!);
  const multi = median(rps.get(`serve --workers ${workers}`)!);
  // What the rates would be on an otherwise idle machine, from the CPU each request costs: a
  // server of P processes uses at most min(P, cores) cores, and the load generator's CPU comes out
  // of the same cores. An estimate, printed as such; the measured rates above are the figures.
  const cores = cpus().length;
  const client = median(clientCpu);
  const projected = (serverMs: number, processes: number) => Math.min((1000 * Math.min(processes, cores)) / serverMs, (1000 * cores) / (serverMs + client));
  const pBare = projected(median(cpu.get('bare')!), 1);
  const pSingle = projected(median(cpu.get('serve')!), 1);
  const pMulti = projected(median(cpu.get(`serve --workers ${workers}`)!), workers);
  const ratios = [
    `- \`serve --workers ${workers}\` / bare single-process server: **${(multi / bare).toFixed(2)}x** (median req/s ${Math.round(multi)} vs ${Math.round(bare)})`,
    `- \`serve --workers ${workers}\` / \`serve\` (one process): **${(multi / single).toFixed(2)}x** (${Math.round(multi)} vs ${Math.round(single)})`,
    `- \`serve\` / bare: ${(single / bare).toFixed(2)}x`,
    `- server CPU per request (median, all processes): bare ${median(cpu.get('bare')!).toFixed(2)} ms, \`serve\` ${median(cpu.get('serve')!).toFixed(2)} ms, \`serve --workers ${workers}\` ${median(cpu.get(`serve --workers ${workers}`)!).toFixed(2)} ms; load generator ${client.toFixed(2)} ms`,
    `- estimate for an idle ${cores}-core machine from those CPU costs (not measured): bare ${Math.round(pBare)}, \`serve\` ${Math.round(pSingle)}, \`serve --workers ${workers}\` ${Math.round(pMulti)} req/s: ${(pMulti / pBare).toFixed(2)}x bare, ${(pMulti / pSingle).toFixed(2)}x \`serve\``,
  ];
  const machine = `${cpus().length} cores (${cpus()[0]?.model ?? '?'}), ${Math.round(totalmem() / 2 ** 30)} GiB RAM, Node ${process.version}`;
  const text = [
    '',
    `Workers run ${new Date().toISOString()} · ${machine}, load average before ${loadavg()[0].toFixed(1)} (shared machine; the load generator runs on the same cores)`,
    `Command: \`npx tsx bench/workers.ts ${process.argv.slice(2).join(' ')}\` (SQLite, ${items.toLocaleString('en-US')} items, page of 100 by title, ${CONNECTIONS} keep-alive connections, ${seconds} s per run)`,
    '',
    '| round | server | req/s | p50 (ms) | p99 (ms) | errors | server CPU ms / request | RSS after (MB, with workers) |',
    '|---|---|---:|---:|---:|---:|---:|---:|',
    ...lines,
    '',
    ...ratios,
    '',
  ].join('\n');
  console.log(text);
  if (values.append) appendFileSync(values.append, text);
} finally {
  for (const s of servers) {
    if (s.child.exitCode === null) {
      const exited = new Promise((r) => s.child.once('exit', r));
      s.child.kill('SIGTERM');
      const t = setTimeout(() => s.child.kill('SIGKILL'), 30_000);
      await exited;
      clearTimeout(t);
    }
  }
  rmSync(work, { recursive: true, force: true });
}

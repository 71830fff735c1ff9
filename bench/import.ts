/**
 * The import benchmark (issue 4, item 7): generates legacy config dirs (bench/generate-legacy.ts)
 * and runs the BUILT CLI (`node bin/mediaos import`, so the figures are the shipped code's, not
 * tsx's) into a fresh database for each size; prints wall time, library rows/s and the import
 * process's peak RSS (VmHWM, sampled from /proc). Targets: 1M items < 30 s, peak RSS < 300 MB.
 *
 * The generated dirs hold grabs, verify results and wanted items in realistic proportions; `--extra-grabs N`
 * adds N grabs of items no longer in the library (300k: a ~100 MB grabs.json). `--bin DIR` runs the CLI of
 * another build (DIR/bin/mediaos: e.g. the previous commit's); `--bin DIR,this` runs that build and then this
 * one on the same generated dir, for a before/after in one run. Each run prints its phases' wall time, CPU
 * time (the import process's threads, from /proc) and the peak RSS at each phase's end.
 *
 * `--from DIR` imports an already generated dir (bench/generate-legacy.ts --out DIR; one size only) instead of generating one.
 *
 * `--append FILE` adds the run's table (with the date, machine and load average) to FILE, e.g. bench/RESULTS.md.
 *
 * With `--pg`, each phase also shows the CPU time of the import's PostgreSQL backends and their parallel
 * workers (found by application name; the server must run on this machine).
 *
 *   npm run build && npx tsx bench/import.ts [--items 100000,1000000] [--pg postgres://...] [--extra-grabs N] [--bin DIR[,this]] [--append FILE] [--keep]
 */
import { spawn } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { generateLegacyDir } from './generate-legacy.js';

const ROOT = join(import.meta.dirname, '..');
const KEY = 'bench-encryption-key-0123456789abcdef';

interface Run {
  build: string;
  items: number;
  engine: string;
  seconds: number;
  /** CPU seconds of the import process (all its threads; last sample, at most 50 ms before it exits). */
  cpu: number;
  mainCpu: number;
  /** CPU seconds of the import's PostgreSQL backends and their parallel workers (from /proc; 0 on SQLite). */
  pgCpu: number;
  peakMb: number;
  code: number | null;
  phases: string[];
}

/** A point of the run: wall and CPU seconds since start, peak RSS so far (MB). */
interface Mark {
  name: string;
  wall: number;
  cpu: number;
  /** CPU seconds of the main thread alone (it runs every SQL statement: the serial part of the import). */
  mainCpu: number;
  pgCpu: number;
  peakMb: number;
}

/** utime + stime of a process (all threads), or of its main thread alone, in seconds (clock ticks of 1/100 s). */
function cpuSeconds(pid: number, mainThread = false): number | undefined {
  try {
    const stat = readFileSync(mainThread ? `/proc/${pid}/task/${pid}/stat` : `/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return undefined;
  }
}

/** Each phase's wall time, CPU time and the peak RSS at its end. */
function phaseFigures(marks: Mark[]): string[] {
  return marks.slice(0, -1).map((m, i) => {
    const next = marks[i + 1]!;
    const pgCpu = next.pgCpu > 0 ? `, postgres ${(next.pgCpu - m.pgCpu).toFixed(1)} s CPU` : '';
    return `${m.name} ${(next.wall - m.wall).toFixed(1)} s wall, ${(next.cpu - m.cpu).toFixed(1)} s CPU (main thread ${(next.mainCpu - m.mainCpu).toFixed(1)} s)${pgCpu}, peak ${next.peakMb.toFixed(0)} MB`;
  });
}

/**
 * CPU seconds of the PostgreSQL processes serving one application name (the import's backends, found
 * by pg_stat_activity) and of the parallel workers they start (index builds: `parallel worker for
 * PID n` in their command line). Needs the server on this machine (it reads /proc). A backend's last
 * figure is kept after it exits.
 */
class PgBackendCpu {
  private readonly seen = new Map<number, number>();
  private client: pg.Client | undefined;
  private busy = false;
  constructor(
    private readonly url: string,
    private readonly appName: string,
  ) {}
  async start(): Promise<void> {
    this.client = new pg.Client({ connectionString: this.url, application_name: 'bench-import-monitor' });
    await this.client.connect();
  }
  /** Samples (at most one at a time); returns the total so far. */
  async sample(): Promise<number> {
    if (this.client && !this.busy) {
      this.busy = true;
      try {
        const pids = (await this.client.query<{ pid: number }>('select pid from pg_stat_activity where application_name = $1', [this.appName])).rows.map(
          (r) => r.pid,
        );
        const workers = pids.length > 0 ? parallelWorkers(pids) : [];
        for (const pid of [...pids, ...workers]) {
          const s = cpuSeconds(pid);
          if (s !== undefined) this.seen.set(pid, s);
        }
      } catch {
        // the monitor connection failing only loses samples
      } finally {
        this.busy = false;
      }
    }
    return this.total();
  }
  total(): number {
    let t = 0;
    for (const s of this.seen.values()) t += s;
    return t;
  }
  async stop(): Promise<void> {
    await this.client?.end();
  }
}

/** pids of the `postgres: parallel worker for PID n` processes of the given leaders. */
function parallelWorkers(leaders: number[]): number[] {
  const out: number[] = [];
  const wanted = new Set(leaders.map(String));
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const cmd = readFileSync(`/proc/${name}/cmdline`, 'utf8');
      const m = /parallel worker for PID (\d+)/.exec(cmd);
      if (m && wanted.has(m[1]!)) out.push(Number(name));
    } catch {
      // gone
    }
  }
  return out;
}

function peakRssKb(pid: number): number | undefined {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

async function runImport(items: number, dir: string, data: string, pgUrl?: string, root = ROOT): Promise<Run> {
  let schema: string | undefined;
  if (pgUrl) {
    schema = `bench_import_${Date.now()}`;
    const c = new pg.Client({ connectionString: pgUrl });
    await c.connect();
    await c.query(`create schema ${schema}`);
    await c.end();
  }
  const env = {
    ...process.env,
    MEDIAOS_DATA_DIR: data,
    ENCRYPTION_KEY: KEY,
    JWT_SECRET: KEY,
    DATABASE_URL: pgUrl ?? `sqlite:${join(data, 'mediaos.db')}`,
    ...(schema ? { MEDIAOS_PG_SCHEMA: schema, PGAPPNAME: schema } : {}),
  };
  const backends = pgUrl && schema ? new PgBackendCpu(pgUrl, schema) : undefined;
  await backends?.start();
  const started = performance.now();
  const child = spawn(process.execPath, [join(root, 'bin', 'mediaos'), 'import', '--from', dir], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let peak = 0;
  let cpu = 0;
  let mainCpu = 0;
  const sample = () => {
    peak = Math.max(peak, peakRssKb(child.pid!) ?? 0);
    cpu = cpuSeconds(child.pid!) ?? cpu;
    mainCpu = cpuSeconds(child.pid!, true) ?? mainCpu;
  };
  const timer = setInterval(sample, 50);
  const pgTimer = setInterval(() => void backends?.sample(), 200);
  const marks: Mark[] = [];
  const mark = (name: string) => {
    sample();
    // the backends' figure of the last sample (at most 200 ms old); one more is taken now
    void backends?.sample();
    marks.push({ name, wall: (performance.now() - started) / 1000, cpu, mainCpu, pgCpu: backends?.total() ?? 0, peakMb: peak / 1024 });
  };
  mark('start');
  let out = '';
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
    for (const line of d.toString().split('\n')) {
      if (/^(backup|read|write|verify|commit):/.test(line)) mark(line.split(':')[0]!);
      // the library's part of the write phase ends at its 100% line
      else if (/library\.json: importing .* 100% of/.test(line)) mark('write (after library.json)');
    }
  });
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  clearInterval(timer);
  clearInterval(pgTimer);
  const seconds = (performance.now() - started) / 1000;
  marks.push({ name: 'end', wall: seconds, cpu, mainCpu, pgCpu: backends?.total() ?? 0, peakMb: peak / 1024 });
  await backends?.stop();
  if (code !== 0) console.error(out);
  if (pgUrl && schema) {
    const c = new pg.Client({ connectionString: pgUrl });
    await c.connect();
    await c.query(`drop schema ${schema} cascade`);
    await c.end();
  }
  return {
    build: root === ROOT ? 'this' : root,
    items,
    engine: pgUrl ? 'postgres' : 'sqlite',
    seconds,
    cpu,
    mainCpu,
    pgCpu: backends?.total() ?? 0,
    peakMb: peak / 1024,
    code,
    phases: phaseFigures(marks),
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      items: { type: 'string' },
      pg: { type: 'string' },
      keep: { type: 'boolean' },
      'extra-grabs': { type: 'string' },
      bin: { type: 'string' },
      append: { type: 'string' },
      from: { type: 'string' },
    },
  });
  if (!existsSync(join(ROOT, 'dist', 'cli.js'))) throw new Error('build first: npm run build');
  const sizes = (values.items ?? '100000,1000000').split(',').map(Number);
  const rows: Run[] = [];
  // several builds (`--bin OTHER,this`) import the same generated dir one after the other: an A/B in one run
  const builds = (values.bin ?? 'this').split(',');
  for (const items of sizes) {
    const base = mkdtempSync(join(tmpdir(), `mediaos-bench-import-${items}-`));
    try {
      const dir = values.from ?? join(base, 'config');
      if (!values.from) {
        const t = performance.now();
        await generateLegacyDir({ dir, items, seed: 1, extraGrabs: Number(values['extra-grabs'] ?? 0) });
        console.log(`generated ${items} items in ${((performance.now() - t) / 1000).toFixed(1)} s`);
      }
      for (const [i, bin] of builds.entries()) {
        const run = await runImport(items, dir, join(base, `data-${i}`), values.pg, bin === 'this' ? ROOT : bin);
        rows.push(run);
        const pgCpu = run.pgCpu > 0 ? `, postgres ${run.pgCpu.toFixed(1)} s CPU` : '';
        console.log(
          `  ${bin} ${run.engine} ${items} items: ${run.seconds.toFixed(1)} s, ${run.cpu.toFixed(1)} s CPU (main thread ${run.mainCpu.toFixed(1)} s)${pgCpu}, ${Math.round(items / run.seconds)} rows/s, peak RSS ${run.peakMb.toFixed(0)} MB, load ${loadavg()[0]!.toFixed(1)}, exit ${run.code}`,
        );
        for (const p of run.phases) console.log(`    ${p}`);
      }
    } finally {
      if (!values.keep) rmSync(base, { recursive: true, force: true });
    }
  }
  const lines = [
    '| engine | library items | extra grabs | build | import time | CPU time | main thread CPU | rows/s | peak RSS | exit |',
    '|---|---:|---:|---|---:|---:|---:|---:|---:|---:|',
    ...rows.map(
      (r) =>
        `| ${r.engine} | ${r.items} | ${values['extra-grabs'] ?? 0} | ${r.build} | ${r.seconds.toFixed(1)} s | ${r.cpu.toFixed(1)} s | ${r.mainCpu.toFixed(1)} s | ${Math.round(r.items / r.seconds)} | ${r.peakMb.toFixed(0)} MB | ${r.code} |`,
    ),
  ];
  console.log(`\n${lines.join('\n')}`);
  if (values.append) {
    const machine = `${cpus().length} cores (${cpus()[0]?.model ?? '?'}), ${Math.round(totalmem() / 2 ** 30)} GiB RAM, Node ${process.version}, load average ${loadavg()[0]!.toFixed(1)} (shared machine)`;
    const head = `\nImport run ${new Date().toISOString()} · ${machine}\nCommand: \`npx tsx bench/import.ts ${process.argv.slice(2).join(' ')}\`\n\n`;
    appendFileSync(values.append, `${head}${lines.join('\n')}\n`);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});

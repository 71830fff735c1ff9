/**
 * The import benchmark (issue 4, item 7): generates legacy config dirs (bench/generate-legacy.ts)
 * and runs the BUILT CLI (`node bin/mediaos import`, so the figures are the shipped code's, not
 * tsx's) into a fresh database for each size; prints wall time, library rows/s and the import
 * process's peak RSS (VmHWM, sampled from /proc). Targets: 1M items < 30 s, peak RSS < 300 MB.
 *
 * The generated dirs hold grabs, verify results and wanted items in realistic proportions; `--extra-grabs N`
 * adds N grabs of items no longer in the library (300k: a ~100 MB grabs.json). `--bin DIR` runs the CLI of
 * another build (DIR/bin/mediaos: e.g. the previous commit's, for a before/after in one run).
 *
 * `--append FILE` adds the run's table (with the date, machine and load average) to FILE, e.g. bench/RESULTS.md.
 *
 *   npm run build && npx tsx bench/import.ts [--items 100000,1000000] [--pg postgres://...] [--extra-grabs N] [--bin DIR] [--append FILE] [--keep]
 */
import { spawn } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { generateLegacyDir } from './generate-legacy.js';

const ROOT = join(import.meta.dirname, '..');
const KEY = 'bench-encryption-key-0123456789abcdef';

interface Run {
  items: number;
  engine: string;
  seconds: number;
  peakMb: number;
  code: number | null;
  phases: string[];
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
    ...(schema ? { MEDIAOS_PG_SCHEMA: schema } : {}),
  };
  const started = performance.now();
  const child = spawn(process.execPath, [join(root, 'bin', 'mediaos'), 'import', '--from', dir], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let peak = 0;
  const timer = setInterval(() => (peak = Math.max(peak, peakRssKb(child.pid!) ?? 0)), 50);
  const phases: string[] = [];
  let out = '';
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
    for (const line of d.toString().split('\n')) {
      if (/^(backup|read|write|verify|commit):/.test(line)) phases.push(`${line.split(':')[0]} @${((performance.now() - started) / 1000).toFixed(1)}s`);
    }
  });
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  clearInterval(timer);
  const seconds = (performance.now() - started) / 1000;
  if (code !== 0) console.error(out);
  if (pgUrl && schema) {
    const c = new pg.Client({ connectionString: pgUrl });
    await c.connect();
    await c.query(`drop schema ${schema} cascade`);
    await c.end();
  }
  return { items, engine: pgUrl ? 'postgres' : 'sqlite', seconds, peakMb: peak / 1024, code, phases };
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
    },
  });
  if (!existsSync(join(ROOT, 'dist', 'cli.js'))) throw new Error('build first: npm run build');
  const sizes = (values.items ?? '100000,1000000').split(',').map(Number);
  const rows: Run[] = [];
  for (const items of sizes) {
    const base = mkdtempSync(join(tmpdir(), `mediaos-bench-import-${items}-`));
    try {
      const dir = join(base, 'config');
      const t = performance.now();
      await generateLegacyDir({ dir, items, seed: 1, extraGrabs: Number(values['extra-grabs'] ?? 0) });
      console.log(`generated ${items} items in ${((performance.now() - t) / 1000).toFixed(1)} s`);
      const run = await runImport(items, dir, join(base, 'data'), values.pg, values.bin ?? ROOT);
      rows.push(run);
      console.log(
        `  ${run.engine} ${items} items: ${run.seconds.toFixed(1)} s, ${Math.round(items / run.seconds)} rows/s, peak RSS ${run.peakMb.toFixed(0)} MB, exit ${run.code} (${run.phases.join(', ')})`,
      );
    } finally {
      if (!values.keep) rmSync(base, { recursive: true, force: true });
    }
  }
  const lines = [
    '| engine | library items | extra grabs | build | import time | rows/s | peak RSS | exit |',
    '|---|---:|---:|---|---:|---:|---:|---:|',
    ...rows.map(
      (r) =>
        `| ${r.engine} | ${r.items} | ${values['extra-grabs'] ?? 0} | ${values.bin ?? 'this'} | ${r.seconds.toFixed(1)} s | ${Math.round(r.items / r.seconds)} | ${r.peakMb.toFixed(0)} MB | ${r.code} |`,
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

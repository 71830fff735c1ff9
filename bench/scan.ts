/**
 * The library scanner on a generated tree (printed, not asserted): a series root of FOLDERS show
 * folders holding FILES episode files in all (empty files: the scanner reads names and stat,
 * never content), first scan and a no-change rescan, with peak RSS. SQLite in a temp dir.
 * Everything stays on this machine and stops by itself. It runs the built server (`dist/`, as
 * `mediaos serve` does, with its parse worker): `npm run build` first.
 *
 *   npx tsx bench/scan.ts [--files 100000] [--folders 5000] [--dist <another build's dist/>]
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const distArg = process.argv.indexOf('--dist');
const dist = distArg >= 0 ? pathToFileURL(`${resolve(process.argv[distArg + 1]!)}/`) : new URL('../dist/', import.meta.url);
if (!existsSync(new URL('app.js', dist))) throw new Error('dist/ is missing: run `npm run build` first');
const { createContext } = (await import(new URL('app.js', dist).href)) as typeof import('../src/app.js');
const { loadConfig } = (await import(new URL('config.js', dist).href)) as typeof import('../src/config.js');
const { openDatabase } = (await import(new URL('db/connect.js', dist).href)) as typeof import('../src/db/connect.js');
const { migrateToLatest } = (await import(new URL('db/migrator.js', dist).href)) as typeof import('../src/db/migrator.js');

const arg = (name: string, def: number) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : def;
};
const FILES = arg('--files', 100_000);
const FOLDERS = arg('--folders', 5_000);

const dir = mkdtempSync(join(tmpdir(), 'mediaos-scan-bench-'));
let peak = 0;
const sample = setInterval(() => {
  peak = Math.max(peak, process.memoryUsage().rss);
}, 50);
try {
  const root = join(dir, 'series');
  const perFolder = Math.ceil(FILES / FOLDERS);
  let made = 0;
  const t0 = performance.now();
  for (let f = 0; f < FOLDERS && made < FILES; f++) {
    const show = `Show ${String(f).padStart(5, '0')} (${1950 + (f % 70)})`;
    const season = join(root, show, 'Season 01');
    mkdirSync(season, { recursive: true });
    for (let e = 1; e <= perFolder && made < FILES; e++, made++)
      writeFileSync(join(season, `Show.${f}.S01E${String(e).padStart(2, '0')}.1080p.WEB-DL.mkv`), '');
  }
  console.log(`build: ${dist.pathname}`);
  console.log(`tree: ${made} files in ${FOLDERS} show folders, made in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

  const configDir = join(dir, 'config');
  mkdirSync(configDir);
  const config = loadConfig(
    {
      MEDIAOS_DATA_DIR: dir,
      MEDIAOS_CONFIG_DIR: configDir,
      JWT_SECRET: 'bench-jwt-secret-0123456789abcdef-0123456789',
      ENCRYPTION_KEY: 'bench-encryption-key-0123456789abcdef',
    },
    dir,
  );
  const db = openDatabase({ engine: 'sqlite', location: join(dir, 'bench.sqlite') });
  const { error } = await migrateToLatest(db);
  if (error) throw new Error(error);
  const quiet = { warn() {}, info() {}, error() {} };
  const ctx = await createContext(config, db, quiet, { phase: 'db' });
  await ctx.stores.settings.put('settings', { mediaFolders: [{ path: root, type: 'series' }] });
  const scanner = ctx.services.scanner;

  for (const label of ['first scan', 'no-change rescan']) {
    await scanner.start({});
    const job = await db.kysely.selectFrom('jobs').select('id').where('type', '=', 'media-scan').where('status', '=', 'queued').executeTakeFirstOrThrow();
    const record = (await ctx.stores.jobs.get(job.id))!;
    await db.kysely.updateTable('jobs').set({ status: 'completed' }).where('id', '=', job.id).execute();
    const s = performance.now();
    const cpu = process.cpuUsage();
    const load = loadavg()[0]!;
    const p = await scanner.runJob(record.payload, { job: record, signal: new AbortController().signal });
    const secs = (performance.now() - s) / 1000;
    const used = process.cpuUsage(cpu);
    // CPU time tells the scanner's own work apart from waiting for a shared machine (load average).
    console.log(
      `${label}: ${secs.toFixed(1)} s (CPU ${((used.user + used.system) / 1e6).toFixed(1)} s, load ${load.toFixed(1)} on ${cpus().length} cores), ${p.status}, ${p.foundItems} items, files ${JSON.stringify(p.changes)}, peak RSS ${(peak / 2 ** 20).toFixed(0)} MB`,
    );
  }
  await db.close();
} finally {
  clearInterval(sample);
  rmSync(dir, { recursive: true, force: true });
}

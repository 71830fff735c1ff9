/**
 * Does the server take new connections while it is busy? Runs the `?limit=0` load mix of
 * bench/run.ts (1,000 connections by default) against one server and reads, once a second, the
 * listening socket's accept queue (`ss -ltn`, Recv-Q: connections the kernel has set up that the
 * server has not accepted yet) and the server's established connections. Prints the queue over
 * time, how long until it stayed empty, and the load's figures.
 *
 *   npx tsx bench/accept-queue.ts --cache DIR [--size 100000] [--connections 1000] [--seconds 20]
 *                                 [--server-root DIR]
 *
 * DIR is a bench/run.ts `--cache` dir that holds the SQLite import of that size. `--server-root`
 * measures another checkout's build (an A/B). Talks to 127.0.0.1 only and stops by itself.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TEST_PASSWORD } from './generate-legacy.js';
import { runCannon } from './lib/cannon.js';
import type { LoadRequest } from './lib/load.js';
import { login, ROOT, settle, startServer } from './lib/server.js';

const PREFIXES = ['riv', 'kin', 'gar', 'sta', 'mir', 'orc', 'har', 'emp'];

function arg(name: string, fallback?: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

/** Recv-Q of the listening socket and the established connections on `port`. */
function sample(port: string): { acceptQueue: number; established: number } {
  const listen = execFileSync('ss', ['-Hltn', `sport = :${port}`])
    .toString()
    .trim()
    .split(/\s+/);
  const est = execFileSync('ss', ['-Htn', 'state', 'established', `sport = :${port}`])
    .toString()
    .trim();
  return { acceptQueue: Number(listen[1] ?? 0), established: est ? est.split('\n').length : 0 };
}

async function main(): Promise<void> {
  const cache = arg('--cache');
  if (!cache) throw new Error('--cache DIR (a bench/run.ts cache with the SQLite import) is required');
  const size = Number(arg('--size', '100000'));
  const connections = Number(arg('--connections', '1000'));
  const seconds = Number(arg('--seconds', '20'));
  const root = arg('--server-root', ROOT)!;
  const work = mkdtempSync(join(tmpdir(), 'mediaos-accept-'));
  const data = join(work, 'data');
  mkdirSync(data);
  for (const f of ['mediaos.db', 'secrets.json']) copyFileSync(join(cache, String(size), 'sqlite', f), join(data, f));
  const server = await startServer(
    { MEDIAOS_AUTO_IMPORT: 'false', MEDIAOS_STORAGE_PHASE: 'db', MEDIAOS_DATA_DIR: data, MEDIAOS_CONFIG_DIR: join(cache, String(size), 'legacy') },
    [],
    root,
  );
  try {
    const port = new URL(server.url).port;
    const token = await login(server.url, 'owner@example.org', TEST_PASSWORD).catch(() => login(server.url, 'admin@example.org', TEST_PASSWORD));
    await settle(server.pid);
    const res = await fetch(`${server.url}/api/library?sort=createdAt&limit=500`, { headers: { authorization: `Bearer ${token}` } });
    const ids = ((await res.json()) as { items: { id: string }[] }).items.map((i) => i.id);
    const pick = <T>(a: T[], i: number) => a[i % a.length];
    const next = (i: number): LoadRequest =>
      i % 10 === 9
        ? { method: 'POST', path: '/api/wanted?limit=0', body: { id: `aq-${Date.now()}-${i}`, title: `Accept ${i}`, kind: 'movie' } }
        : i % 3 === 0
          ? { method: 'GET', path: `/api/library?q=${pick(PREFIXES, i)}&limit=50` }
          : i % 3 === 1
            ? { method: 'GET', path: `/api/library/${encodeURIComponent(pick(ids, i))}` }
            : { method: 'GET', path: '/api/library?sort=title&limit=100' };
    const started = performance.now();
    const samples: { at: number; acceptQueue: number; established: number }[] = [];
    const timer = setInterval(() => samples.push({ at: (performance.now() - started) / 1000, ...sample(port) }), 1000);
    const load = await runCannon({ url: server.url, token, connections, durationMs: seconds * 1000, next, timeoutMs: 60_000 });
    clearInterval(timer);
    for (const s of samples) console.log(`${s.at.toFixed(0).padStart(3)} s  accept queue ${String(s.acceptQueue).padStart(4)}  established ${s.established}`);
    const last = samples.at(-1);
    const lastQueued = samples.filter((s) => s.acceptQueue > 0).at(-1);
    console.log(`server: ${root}`);
    const emptied =
      last && last.acceptQueue > 0
        ? `still ${last.acceptQueue} when the run ended`
        : `empty from ${lastQueued ? `${Math.ceil(lastQueued.at + 1)} s` : 'the start'} on`;
    console.log(`max accept queue ${Math.max(0, ...samples.map((s) => s.acceptQueue))}; ${emptied}`);
    console.log(
      `load: ${load.rps.toFixed(0)} req/s, p50 ${load.p50.toFixed(0)} ms, p99 ${load.p99.toFixed(0)} ms, oldest unanswered at the end ${Math.round(load.oldestUnanswered ?? 0)} ms, errors ${load.errors}`,
    );
  } finally {
    await server.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

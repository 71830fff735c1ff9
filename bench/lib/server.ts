import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const CLI = join(ROOT, 'bin/mediaos');

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

/**
 * Waits until the process has been idle (under 5% of a core) for a whole second, at most
 * `maxMs`; returns how long it was busy. A fresh server queues its start-up work (the search of
 * every missing wanted item, ...) and the read rows must not measure that.
 */
export async function settle(pid: number, maxMs = 180_000): Promise<number> {
  const started = performance.now();
  let last = cpuMs(pid);
  for (;;) {
    await new Promise((r) => setTimeout(r, 1000));
    const now = cpuMs(pid);
    if (now - last <= 50 || performance.now() - started > maxMs) return Math.round(performance.now() - started - 1000);
    last = now;
  }
}

/** CPU time (user + system) the process has used so far, in ms (from /proc/PID/stat). */
export function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[11], fields[12]: utime, stime in clock ticks (field 14 and 15 of proc(5)); 100 ticks a second here.
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

export interface BenchServer {
  url: string;
  pid: number;
  /** Milliseconds from spawn to the first healthy answer. */
  coldStartMs: number;
  rssMb(): number;
  peakRssMb(): number;
  stop(): Promise<void>;
}

function procStatus(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Math.round(Number(m[1]) / 1024) : NaN;
}

/** Starts `mediaos serve` as its own process on 127.0.0.1 (so its RSS is its own) and waits for health. */
/** `root`: the checkout whose build runs (default this one; another for an A/B of two builds). */
export async function startServer(env: Record<string, string>, nodeArgs: string[] = [], root = ROOT): Promise<BenchServer> {
  const port = await freePort();
  const started = performance.now();
  const child: ChildProcess = spawn(process.execPath, [...nodeArgs, join(root, 'bin/mediaos'), 'serve'], {
    env: {
      PATH: process.env.PATH ?? '',
      HOST: '127.0.0.1',
      PORT: String(port),
      LOG_LEVEL: 'warn',
      RATE_LIMIT_MAX: '0',
      MEDIAOS_LOGIN_RATE_LIMIT: '10000',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const url = `http://127.0.0.1:${port}`;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited (${child.exitCode}):\n${output}`);
    try {
      const res = await fetch(`${url}/api/health`);
      if (res.ok) break;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  const coldStartMs = Math.round(performance.now() - started);
  return {
    url,
    pid: child.pid!,
    coldStartMs,
    rssMb: () => procStatus(child.pid!, 'VmRSS'),
    peakRssMb: () => procStatus(child.pid!, 'VmHWM'),
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
      }),
  };
}

export async function login(url: string, email: string, password: string): Promise<string> {
  const res = await fetch(`${url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  const body = (await res.json()) as { ok: boolean; accessToken?: string; error?: string };
  if (!body.ok || !body.accessToken) throw new Error(`login failed: ${res.status} ${body.error}`);
  return body.accessToken;
}

/**
 * Runs the CLI to completion (import, etc.), returning its output and the peak RSS read from
 * /proc while it ran; never throws on a non-zero exit (the caller decides).
 */
export function runCli(args: string[], env: Record<string, string>, root = ROOT): Promise<{ code: number; out: string; ms: number; peakRssMb: number }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [join(root, 'bin/mediaos'), ...args], {
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let peak = 0;
    const poll = setInterval(() => {
      try {
        // A process that has exited but not been reaped has no VmHWM line (NaN): keep the last figure.
        const hwm = procStatus(child.pid!, 'VmHWM');
        if (Number.isFinite(hwm)) peak = Math.max(peak, hwm);
      } catch {
        /* exited */
      }
    }, 50);
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('exit', (code) => {
      clearInterval(poll);
      resolve({ code: code ?? 1, out, ms: Math.round(performance.now() - started), peakRssMb: peak });
    });
  });
}

import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { freePort, ROOT } from './server.js';

/** application_name of the bare server's PostgreSQL connections (the bench counts their CPU). */
export const BARE_APP_NAME = 'mediaos-bench-bare';

export interface BareServer {
  url: string;
  appName: string;
  pid: number;
  /** "Fastify + better-sqlite3" or "Fastify + pg". */
  label: string;
  stop(): Promise<void>;
}

/** Starts bench/bare-server.ts as its own process on 127.0.0.1 and waits until it answers. */
export async function startBareServer(engine: string, db: { file?: string; url?: string; schema?: string }): Promise<BareServer> {
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'bench/bare-server.ts')], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      PGAPPNAME: BARE_APP_NAME,
      PORT: String(port),
      BARE_ENGINE: engine,
      BARE_DB: db.file ?? db.url ?? '',
      ...(db.schema ? { BARE_PG_SCHEMA: db.schema } : {}),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const url = `http://127.0.0.1:${port}`;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`bare server exited (${child.exitCode}):\n${output}`);
    try {
      if ((await fetch(`${url}/api/health`)).ok) break;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  return {
    url,
    pid: child.pid!,
    appName: BARE_APP_NAME,
    label: engine === 'postgres' ? 'Fastify + pg' : 'Fastify + better-sqlite3',
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
      }),
  };
}

import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { listenError } from '../../src/server.js';
import { tempDir } from '../helpers/engines.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

describe('the built CLI (what `npm start` runs)', () => {
  it('serves /api/health with ok:true on SQLite in the data dir, then stops on SIGTERM', async () => {
    expect(existsSync(join(root, 'dist/cli.js'))).toBe(true);
    const { dir, cleanup } = tempDir();
    const port = await freePort();
    const child = spawn(process.execPath, [join(root, 'bin/mediaos'), 'serve'], {
      cwd: dir,
      env: { PATH: process.env.PATH, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    try {
      let body: Record<string, any> | undefined;
      for (let i = 0; i < 100 && !body; i++) {
        await new Promise((r) => setTimeout(r, 100));
        try {
          const res = await fetch(`http://127.0.0.1:${port}/api/health`);
          body = (await res.json()) as Record<string, any>;
          expect(res.status).toBe(200);
        } catch {
          /* not listening yet */
        }
      }
      expect(body, output).toBeDefined();
      expect(body).toMatchObject({ ok: true, db: { engine: 'sqlite', schemaVersion: expect.any(Number), journalMode: 'wal' }, storagePhase: 'db' });
      expect(typeof body!.uptimeSec).toBe('number');
      expect(existsSync(join(dir, 'data/mediaos.db'))).toBe(true);
      expect(statSync(join(dir, 'data/secrets.json')).mode & 0o777).toBe(0o600);
      expect(output).toMatch(/listening on http:\/\/127\.0\.0\.1:/);
      const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      child.kill('SIGKILL');
      cleanup();
    }
  });

  it('refuses a bad configuration with a message naming the variable', async () => {
    const { dir, cleanup } = tempDir();
    const child = spawn(process.execPath, [join(root, 'bin/mediaos'), 'serve'], {
      cwd: dir,
      env: { PATH: process.env.PATH, PORT: 'http' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    const code = await new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
    cleanup();
    expect(code).toBe(1);
    expect(err).toMatch(/PORT must be an integer/);
  });

  it('exits 1 at once when the port is taken, naming port, host and PORT', async () => {
    const holder = createServer();
    await new Promise<void>((r) => holder.listen(0, '127.0.0.1', () => r()));
    const port = (holder.address() as { port: number }).port;
    const { dir, cleanup } = tempDir();
    const child = spawn(process.execPath, [join(root, 'bin/mediaos'), 'serve'], {
      cwd: dir,
      env: { PATH: process.env.PATH, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    try {
      // Before the fix the process printed EADDRINUSE and kept running: this never resolved.
      const code = await new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
      expect(code).toBe(1);
      expect(err).toContain(`port ${port} on 127.0.0.1 is already in use`);
      expect(err).toContain('PORT environment variable');
    } finally {
      child.kill('SIGKILL');
      holder.close();
      cleanup();
    }
  });

  it('names host and port for any other listen failure', () => {
    const e = listenError(Object.assign(new Error('listen EACCES: permission denied 0.0.0.0:80'), { code: 'EACCES' }), { host: '0.0.0.0', port: 80 });
    expect(e.message).toBe('cannot listen on 0.0.0.0:80 (set by HOST and PORT): listen EACCES: permission denied 0.0.0.0:80');
  });

  it('`npm start` passes SIGTERM on: no server process is left behind', async () => {
    const { dir, cleanup } = tempDir();
    const port = await freePort();
    const npm = spawn('npm', ['start', '--silent'], {
      cwd: root,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', MEDIAOS_DATA_DIR: dir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    npm.stdout.on('data', (d) => (output += d));
    npm.stderr.on('data', (d) => (output += d));
    // 'close' fires only once every holder of the output pipes is gone, the server included.
    const closed = new Promise<void>((r) => npm.once('close', () => r()));
    let servers: number[] = [];
    try {
      for (let i = 0; i < 200 && !/listening on/.test(output); i++) await new Promise((r) => setTimeout(r, 100));
      expect(output).toMatch(/listening on http:\/\/127\.0\.0\.1:/);
      servers = descendants(npm.pid!).filter((pid) => cmdline(pid).includes('serve'));
      expect(servers.length).toBeGreaterThan(0);
      npm.kill('SIGTERM');
      await closed;
      expect(servers.filter(alive)).toEqual([]);
      expect(output).toContain('SIGTERM: shutting down');
    } finally {
      for (const pid of [...descendants(npm.pid!), ...servers.filter(alive)]) process.kill(pid, 'SIGKILL');
      npm.kill('SIGKILL');
      cleanup();
    }
  });
});

function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return '';
  }
}

function alive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/** Every process below `pid` (Linux /proc). */
function descendants(pid: number): number[] {
  const parents = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parents.set(ppid, [...(parents.get(ppid) ?? []), Number(name)]);
    } catch {
      /* gone meanwhile */
    }
  }
  const out: number[] = [];
  const queue = [pid];
  while (queue.length) for (const c of parents.get(queue.shift()!) ?? []) out.push(c), queue.push(c);
  return out;
}

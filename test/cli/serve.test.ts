import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
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
});

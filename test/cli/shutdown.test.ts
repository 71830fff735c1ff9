import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { openDatabase } from '../../src/db/connect.js';
import { startServer } from '../../src/server.js';
import { ADMIN_EMAIL, ADMIN_PASSWORD } from '../helpers/auth.js';
import { pgUrl, sqlEngines, tempDir } from '../helpers/engines.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const WRITERS = 50;
const DEADLINE_S = 10;
/** Writes acknowledged before SIGTERM is sent (the writers keep going through the shutdown). */
const ACKED_BEFORE_SIGNAL = 100;

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

/** The titles stored in library_items, read after the server exited. */
async function storedTitles(engine: string, dir: string, schema: string): Promise<Set<string>> {
  if (engine === 'sqlite') {
    const db = openDatabase({ engine: 'sqlite', location: join(dir, 'mediaos.db') }, { readonly: true });
    try {
      const rows = await db.kysely.selectFrom('library_items').select('title').execute();
      return new Set(rows.map((r) => r.title));
    } finally {
      await db.close();
    }
  }
  const c = new pg.Client({ connectionString: pgUrl() });
  await c.connect();
  try {
    const r = await c.query<{ title: string }>(`select title from ${schema}.library_items`);
    return new Set(r.rows.map((row) => row.title));
  } finally {
    await c.end();
  }
}

for (const engine of sqlEngines()) {
  describe(`SIGTERM under load (${engine}, the built CLI)`, () => {
    it(`drains ${WRITERS} concurrent writers, exits 0 within the deadline, and keeps every acknowledged write`, async () => {
      expect(existsSync(join(root, 'dist/cli.js'))).toBe(true);
      const { dir, cleanup } = tempDir();
      const schema = `t_${randomBytes(6).toString('hex')}`;
      const port = await freePort();
      const env: Record<string, string> = {
        PATH: process.env.PATH ?? '',
        PORT: String(port),
        HOST: '127.0.0.1',
        LOG_LEVEL: 'warn',
        MEDIAOS_DATA_DIR: dir,
        RATE_LIMIT_MAX: '0',
        MEDIAOS_SHUTDOWN_TIMEOUT_SECONDS: String(DEADLINE_S),
        MEDIAOS_BACKUP_INTERVAL_HOURS: '0',
      };
      if (engine === 'postgres') {
        const admin = new pg.Client({ connectionString: pgUrl() });
        await admin.connect();
        await admin.query(`create schema ${schema}`);
        await admin.end();
        Object.assign(env, { DATABASE_URL: pgUrl(), MEDIAOS_PG_SCHEMA: schema });
      }
      const child = spawn(process.execPath, [join(root, 'bin/mediaos'), 'serve'], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      child.stdout.on('data', (d) => (output += d));
      child.stderr.on('data', (d) => (output += d));
      const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
      const base = `http://127.0.0.1:${port}`;
      try {
        let up = false;
        for (let i = 0; i < 200 && !up; i++) {
          await new Promise((r) => setTimeout(r, 100));
          up = await fetch(`${base}/api/health`).then(
            (r) => r.ok,
            () => false,
          );
        }
        expect(up, output).toBe(true);
        const reg = await fetch(`${base}/api/auth/register`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ email: ADMIN_EMAIL, password: ADMIN_PASSWORD }),
        });
        const token = ((await reg.json()) as { accessToken: string }).accessToken;

        const acknowledged: string[] = [];
        const refused: number[] = [];
        let sent = 0;
        const writer = async (w: number) => {
          for (let n = 0; ; n++) {
            const title = `writer ${w} item ${n}`;
            sent++;
            try {
              const res = await fetch(`${base}/api/library`, {
                method: 'POST',
                headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
                body: JSON.stringify({ kind: 'movie', title }),
              });
              await res.arrayBuffer();
              if (res.status >= 200 && res.status < 300) acknowledged.push(title);
              else {
                refused.push(res.status);
                return;
              }
            } catch {
              return; // connection refused or reset: the server is gone
            }
          }
        };
        let writing = true;
        const writers = Promise.all(Array.from({ length: WRITERS }, (_, w) => writer(w))).finally(() => (writing = false));
        while (acknowledged.length < ACKED_BEFORE_SIGNAL && writing) await new Promise((r) => setTimeout(r, 20));
        expect(refused, output).toEqual([]);
        const signalledAt = Date.now();
        child.kill('SIGTERM');
        const code = await exited;
        const tookMs = Date.now() - signalledAt;
        await writers;
        expect(code, output).toBe(0);
        expect(tookMs).toBeLessThan(DEADLINE_S * 1000);
        expect(output).toMatch(/SIGTERM: shutting down/);
        expect(output).toMatch(/stopped in \d+ ms/);
        // the ones turned away while closing got 503 (never a 5xx for a write that was taken)
        expect(refused.every((s) => s === 503)).toBe(true);
        expect(sent).toBeGreaterThan(acknowledged.length);
        if (engine === 'sqlite') expect(existsSync(join(dir, 'mediaos.db-wal'))).toBe(false); // checkpointed and closed (before reading it here)
        const stored = await storedTitles(engine, dir, schema);
        const lost = acknowledged.filter((t) => !stored.has(t));
        expect(lost).toEqual([]);
        expect(acknowledged.length).toBeGreaterThanOrEqual(ACKED_BEFORE_SIGNAL);
      } finally {
        child.kill('SIGKILL');
        if (engine === 'postgres') {
          const c = new pg.Client({ connectionString: pgUrl() });
          await c.connect();
          await c.query(`drop schema if exists ${schema} cascade`);
          await c.end();
        }
        cleanup();
      }
    }, 120_000);
  });
}

describe('the shutdown deadline', () => {
  it('closes a connection that never finishes its request at the deadline and reports it', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const config = loadConfig({ MEDIAOS_DATA_DIR: dir, HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'silent', MEDIAOS_BACKUP_INTERVAL_HOURS: '0' }, dir);
      const server = await startServer(config, { print: () => {} });
      const { port } = new URL(server.url);
      // headers started, never finished: the connection is busy, not idle
      const socket = createConnection({ host: '127.0.0.1', port: Number(port) });
      await new Promise<void>((r) => socket.once('connect', () => r()));
      socket.write('GET /api/health HTTP/1.1\r\nHost: x\r\n');
      const closed = new Promise<void>((r) => socket.once('close', () => r()));
      socket.on('error', () => {});
      await new Promise((r) => setTimeout(r, 100));
      const started = Date.now();
      expect(await server.shutdown(700)).toBe(false);
      expect(Date.now() - started).toBeLessThan(3000);
      await closed;
      // the database is closed: a second call answers the same outcome
      expect(await server.shutdown(700)).toBe(false);
    } finally {
      cleanup();
    }
  });
});

describe('signals while a connection never finishes (the built CLI)', () => {
  /** `serve` on SQLite with one connection stuck mid-request; returns the child, its exit and output. */
  async function stalledServer(timeoutS: number) {
    const { dir, cleanup } = tempDir();
    const port = await freePort();
    const env = {
      PATH: process.env.PATH ?? '',
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      MEDIAOS_DATA_DIR: dir,
      MEDIAOS_SHUTDOWN_TIMEOUT_SECONDS: String(timeoutS),
      MEDIAOS_BACKUP_INTERVAL_HOURS: '0',
    };
    const child = spawn(process.execPath, [join(root, 'bin/mediaos'), 'serve'], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    for (let i = 0; i < 200 && !/listening on/.test(output); i++) await new Promise((r) => setTimeout(r, 50));
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.on('error', () => {});
    await new Promise<void>((r) => socket.once('connect', () => r()));
    socket.write('POST /api/library HTTP/1.1\r\nHost: x\r\n');
    await new Promise((r) => setTimeout(r, 100));
    const done = () => {
      child.kill('SIGKILL');
      socket.destroy();
      cleanup();
    };
    return { child, exited, output: () => output, done };
  }

  it('exits 1 at the deadline, naming MEDIAOS_SHUTDOWN_TIMEOUT_SECONDS; a second SIGINT exits 130 at once', async () => {
    const late = await stalledServer(1);
    try {
      const at = Date.now();
      late.child.kill('SIGTERM');
      expect(await late.exited).toBe(1);
      expect(Date.now() - at).toBeLessThan(5000);
      expect(late.output()).toMatch(/stopped after the 1 s deadline \(MEDIAOS_SHUTDOWN_TIMEOUT_SECONDS\)/);
    } finally {
      late.done();
    }
    const twice = await stalledServer(60);
    try {
      twice.child.kill('SIGINT');
      await new Promise((r) => setTimeout(r, 300));
      twice.child.kill('SIGINT');
      expect(await twice.exited).toBe(130);
      expect(twice.output()).toMatch(/SIGINT: shutting down[\s\S]*SIGINT again: exiting without waiting/);
    } finally {
      twice.done();
    }
  }, 120_000);
});

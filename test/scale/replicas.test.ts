import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { type RunningServer, startServer } from '../../src/server.js';
import { tempDir } from '../helpers/engines.js';
import { api } from './cluster.js';
import { type PgCluster, replicaSkipReason, startPgCluster } from './pg-cluster.js';

const skip = replicaSkipReason();
if (skip) console.log(`read replica test skipped: ${skip}`);

const MAX_LAG_MS = 1500;
const password = 'Correct-Horse-9-Battery';

/** A real streaming replica (pg_basebackup -R, pg_ctl on its own port) behind DATABASE_READ_URLS. */
describe.skipIf(!!skip)('read replicas', () => {
  let cluster: PgCluster | undefined;
  let server: RunningServer | undefined;
  let dirs: ReturnType<typeof tempDir>;
  let token: string;

  const health = async () => (await api(server!.url, 'GET', '/api/health')).body;
  const replicaReads = async () => (await health()).db.replicas[0].reads as number;

  beforeAll(async () => {
    cluster = await startPgCluster();
    dirs = tempDir();
    const config = loadConfig({
      DATABASE_URL: cluster.primaryUrl,
      DATABASE_READ_URLS: cluster.replicaUrl,
      MEDIAOS_REPLICA_MAX_LAG_MS: String(MAX_LAG_MS),
      MEDIAOS_DATA_DIR: join(dirs.dir, 'data'),
      HOST: '127.0.0.1',
      PORT: '0',
      LOG_LEVEL: 'silent',
      RATE_LIMIT_MAX: '0',
      MEDIAOS_BACKUP_INTERVAL_HOURS: '0',
      MEDIAOS_MISSING_SEARCH_HOURS: '0',
      MEDIAOS_TRACK_SECONDS: '0',
      MEDIAOS_AUTO_IMPORT: 'false',
    });
    server = await startServer(config, { print: () => {} });
    const reg = await api(server.url, 'POST', '/api/auth/register', { email: 'admin@example.org', password });
    expect(reg.status).toBe(200);
    token = reg.body.accessToken;
  }, 90_000);

  afterAll(async () => {
    await server?.close();
    cluster?.stop();
    dirs?.cleanup();
  }, 30_000);

  it('sends reads to the replica, shown in /api/health', async () => {
    const h = await health();
    expect(h.db.replicas).toEqual([
      expect.objectContaining({ ok: true, lagMs: expect.any(Number), name: expect.stringMatching(/^127\.0\.0\.1:\d+\/postgres$/) }),
    ]);
    expect(h.problems).toEqual([]);
    // The registration wrote: this caller reads the primary for MAX_LAG_MS; after that, the replica.
    await new Promise((r) => setTimeout(r, MAX_LAG_MS + 200));
    const before = await replicaReads();
    for (let i = 0; i < 10; i++) expect((await api(server!.url, 'GET', '/api/library?limit=100', undefined, token)).status).toBe(200);
    expect(await replicaReads()).toBeGreaterThanOrEqual(before + 10);
  });

  it('reads a write back to its writer at once (from the primary)', async () => {
    // What one health call itself reads from the replica (it is a request too, without credentials).
    const r1 = await replicaReads();
    const r2 = await replicaReads();
    for (let i = 0; i < 10; i++) {
      const created = await api(server!.url, 'POST', '/api/library', { kind: 'movie', title: `Fresh ${i}` }, token);
      expect(created.body.ok).toBe(true);
      const read = await api(server!.url, 'GET', `/api/library/${encodeURIComponent(created.body.item.id)}`, undefined, token);
      expect(read.status).toBe(200);
      expect(read.body.item.title).toBe(`Fresh ${i}`);
      const list = await api(server!.url, 'GET', '/api/library?limit=100', undefined, token);
      expect(list.body.items.map((it: { title: string }) => it.title)).toContain(`Fresh ${i}`);
    }
    // No replica read: the session check that is kept (auth/session-cache.ts) is read from the
    // primary, and every read after a write went to the primary too.
    expect((await replicaReads()) - r2).toBe(r2 - r1);
  });

  it('skips a replica lagging beyond MEDIAOS_REPLICA_MAX_LAG_MS, and uses it again once it catches up', async () => {
    const replica = new pg.Client({ connectionString: cluster!.replicaUrl });
    await replica.connect();
    try {
      await replica.query('select pg_wal_replay_pause()');
      await api(server!.url, 'POST', '/api/library', { kind: 'movie', title: 'While paused' }, token);
      let h = await health();
      for (let i = 0; i < 100 && h.db.replicas[0].ok; i++) {
        await new Promise((r) => setTimeout(r, 100));
        h = await health();
      }
      expect(h.db.replicas[0]).toMatchObject({ ok: false, error: expect.stringMatching(/replay lag \d+ ms is over the bound of 1500 ms/) });
      const list = await api(server!.url, 'GET', '/api/library?limit=100', undefined, token);
      expect(list.body.items.map((it: { title: string }) => it.title)).toContain('While paused');
      await replica.query('select pg_wal_replay_resume()');
      for (let i = 0; i < 100 && !h.db.replicas[0].ok; i++) {
        await new Promise((r) => setTimeout(r, 100));
        h = await health();
      }
      expect(h.db.replicas[0].ok).toBe(true);
    } finally {
      await replica.end();
    }
  }, 30_000);

  it('falls back to the primary with 0 errors when the replica stops, and uses it again when it is back', async () => {
    await new Promise((r) => setTimeout(r, MAX_LAG_MS + 200));
    cluster!.stopReplica();
    const statuses = await Promise.all(
      Array.from({ length: 50 }, () => api(server!.url, 'GET', '/api/library?limit=100', undefined, token).then((r) => r.status)),
    );
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
    const down = await health();
    expect(down.db.replicas[0].ok).toBe(false);
    expect(down.problems.join(' ')).toMatch(/read replica 127\.0\.0\.1:\d+\/postgres not used/);

    cluster!.startReplica();
    for (let i = 0; i < 100 && !(await health()).db.replicas[0].ok; i++) await new Promise((r) => setTimeout(r, 200));
    const before = await replicaReads();
    expect((await api(server!.url, 'GET', '/api/library?limit=100', undefined, token)).status).toBe(200);
    expect(await replicaReads()).toBeGreaterThan(before);
  }, 60_000);
});

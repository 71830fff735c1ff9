import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/connect.js';
import { integrityWorkersStarted } from '../../src/db/integrity-worker.js';
import { checkpointWal, lastIntegrityCheck, runIntegrityCheck } from '../../src/db/maintenance.js';
import { databaseBytes, migrationNeeds, sqliteBackupNeed, sqliteFileBytes } from '../../src/db/space-needs.js';
import { createSessionsSql } from '../../src/sessions/sessions.sql.js';
import { healthRoutes } from '../../src/system/health.routes.js';
import { createTestDatabase } from '../helpers/engines.js';

/** GET /api/health of a server on `db` (the real route, over inject). */
async function health(location: string, dir: string) {
  const db = openDatabase({ engine: 'sqlite', location });
  const app = Fastify();
  await healthRoutes(app, {
    config: { dataDir: dir, configDir: dir, diskWarnMb: 0 },
    db,
    phase: 'db',
    fileSync: { failures: 0 },
    version: 'test',
    startedAt: Date.now(),
    now: () => new Date(),
  });
  try {
    return (await app.inject({ method: 'GET', url: '/api/health' })).json();
  } finally {
    await app.close();
    await db.close();
  }
}

describe('the SQLite integrity check', () => {
  it('reports a healthy file ok and a copy with a flipped index page not ok, with the detail, in /api/health', async () => {
    const t = await createTestDatabase('sqlite');
    try {
      const sessions = createSessionsSql(t.db.kysely);
      for (let i = 0; i < 20; i++) {
        const n = String(i).padStart(2, '0');
        await sessions.create({
          id: `s${n}`,
          userId: 'u1',
          tokenHash: `tokenhash-${n}`,
          createdAt: '2026-01-01T00:00:00.000Z',
          expiresAt: '2999-01-01T00:00:00.000Z',
        });
      }
      const healthy = await runIntegrityCheck(t.db);
      expect(healthy).toMatchObject({ ok: true, engine: 'sqlite', method: 'integrity_check', detail: [] });
      expect(await lastIntegrityCheck(t.db)).toEqual(healthy);
      t.db.sqlite!.pragma('wal_checkpoint(TRUNCATE)');
      const { rootpage } = t.db.sqlite!.prepare("select rootpage from sqlite_master where name = 'idx_sessions_token_hash'").get() as { rootpage: number };
      const pageSize = Number(t.db.sqlite!.pragma('page_size', { simple: true }));

      // a copy with one key of that index's page changed (the table row keeps the old value)
      const copy = join(t.dir, 'corrupt.db');
      copyFileSync(t.target.location, copy);
      const bytes = readFileSync(copy);
      const page = bytes.subarray((rootpage - 1) * pageSize, rootpage * pageSize);
      const at = page.indexOf('tokenhash-07');
      expect(at).toBeGreaterThan(0);
      page.write('tokenhash-X7', at);
      writeFileSync(copy, bytes);

      const broken = openDatabase({ engine: 'sqlite', location: copy });
      const result = await runIntegrityCheck(broken);
      await broken.close();
      expect(result.ok).toBe(false);
      expect(result.detail.join('\n')).toMatch(/idx_sessions_token_hash/);
      expect(result.detail.length).toBeLessThanOrEqual(20);

      const bad = await health(copy, t.dir);
      expect(bad.ok).toBe(false);
      expect(bad.integrity).toMatchObject({ ok: false, method: 'integrity_check', engine: 'sqlite' });
      expect(bad.problems.join('\n')).toMatch(/the integrity check of .* \(integrity_check\) found problems: .*idx_sessions_token_hash/);
      const good = await health(t.target.location, t.dir);
      expect(good).toMatchObject({ ok: true, integrity: { ok: true, checkedAt: healthy.checkedAt } });
    } finally {
      await t.cleanup();
    }
  });

  it('a table page overwritten with garbage reports not ok with what SQLite says', async () => {
    const t = await createTestDatabase('sqlite');
    try {
      t.db.sqlite!.pragma('wal_checkpoint(TRUNCATE)');
      const pageSize = Number(t.db.sqlite!.pragma('page_size', { simple: true }));
      const { rootpage } = t.db.sqlite!.prepare("select rootpage from sqlite_master where name = 'jobs'").get() as { rootpage: number };
      const copy = join(t.dir, 'garbage.db');
      const bytes = readFileSync(t.target.location);
      bytes.fill(0x5a, (rootpage - 1) * pageSize, rootpage * pageSize);
      writeFileSync(copy, bytes);
      const broken = openDatabase({ engine: 'sqlite', location: copy });
      const result = await runIntegrityCheck(broken);
      await broken.close().catch(() => {});
      expect(result.ok).toBe(false);
      expect(result.detail.join('\n')).toMatch(/page|malformed|corrupt/i);
    } finally {
      await t.cleanup();
    }
  });
});

describe('the SQLite integrity check off the main thread', () => {
  it('runs in a worker thread on its own connection: /api/health keeps answering while a large-ish file is checked', async () => {
    const t = await createTestDatabase('sqlite');
    const app = Fastify();
    try {
      const raw = t.db.sqlite!;
      raw.exec('CREATE TABLE bulk (id INTEGER PRIMARY KEY, name TEXT NOT NULL, body TEXT NOT NULL)');
      raw.exec('CREATE INDEX idx_bulk_name ON bulk(name)');
      const insert = raw.prepare('INSERT INTO bulk (name, body) VALUES (?, ?)');
      raw.transaction(() => {
        for (let i = 0; i < 150_000; i++) insert.run(`name-${(i * 7919) % 150_000}`, `body-${i}-${'x'.repeat(160)}`);
      })();
      await healthRoutes(app, {
        config: { dataDir: t.dir, configDir: t.dir, diskWarnMb: 0 },
        db: t.db,
        phase: 'db',
        fileSync: { failures: 0 },
        version: 'test',
        startedAt: Date.now(),
        now: () => new Date(),
      });
      const workers = integrityWorkersStarted();
      let done = false;
      const check = runIntegrityCheck(t.db).then((r) => {
        done = true;
        return r;
      });
      // On the main thread the check would hold the event loop from the call until it is done:
      // no request could be answered in between.
      let answered = 0;
      while (!done) {
        const res = await app.inject({ method: 'GET', url: '/api/health' });
        expect(res.statusCode).toBe(200);
        if (!done) answered++;
      }
      const result = await check;
      expect(integrityWorkersStarted()).toBe(workers + 1);
      expect(answered).toBeGreaterThanOrEqual(3);
      expect(result).toMatchObject({ ok: true, engine: 'sqlite', method: 'integrity_check', detail: [] });
      expect(Object.keys(result).sort()).toEqual(['checkedAt', 'detail', 'durationMs', 'engine', 'method', 'ok']);
      // the same stored result /api/health shows
      expect((await app.inject({ method: 'GET', url: '/api/health' })).json().integrity).toEqual(result);
    } finally {
      await app.close();
      await t.cleanup();
    }
  });

  it('an in-memory database is checked on its own connection (no other connection can see it)', async () => {
    const db = openDatabase({ engine: 'sqlite', location: ':memory:' });
    try {
      const workers = integrityWorkersStarted();
      expect(await runIntegrityCheck(db)).toMatchObject({ ok: true, method: 'integrity_check' });
      expect(integrityWorkersStarted()).toBe(workers);
    } finally {
      await db.close();
    }
  });
});

describe('upkeep and space estimates on an in-memory database', () => {
  it('have nothing to checkpoint, measure or back up', async () => {
    const db = openDatabase({ engine: 'sqlite', location: ':memory:' });
    try {
      expect(checkpointWal(db)).toBeUndefined();
      expect(await databaseBytes(db)).toBe(0);
      expect(sqliteBackupNeed(db, '/tmp')).toEqual([]);
      expect(migrationNeeds(db, '/tmp')).toEqual([]);
      expect(sqliteFileBytes('/no/such/file.db')).toBe(0);
    } finally {
      await db.close();
    }
  });
});

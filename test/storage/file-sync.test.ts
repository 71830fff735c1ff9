import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { buildApp, createContext } from '../../src/app.js';
import type { WriteChunk } from '../../src/legacy/json-file.js';
import { createLibraryJson } from '../../src/library/library.json.js';
import { createLibrarySql } from '../../src/library/library.sql.js';
import { LIBRARY_WRITES, type LibraryStore } from '../../src/library/library.store.js';
import { resyncPendingFiles } from '../../src/migration/file-resync.js';
import { PhaseRefused, setPhase } from '../../src/migration/phases.js';
import { createFileSyncLedger } from '../../src/storage/file-sync.js';
import { recordPhase } from '../../src/storage/phase.js';
import { flushFileSync, phasedStore } from '../../src/storage/phased-store.js';
import { createTestApp, TEST_ENCRYPTION_KEY, type TestApp, withStores } from '../helpers/app.js';
import { bearer, registerAdmin } from '../helpers/auth.js';
import { sqlEngines } from '../helpers/engines.js';

const quiet = { warn() {}, info() {}, error() {} };
const sink = () => ({ logStream: new Writable({ write: (_c, _e, cb) => cb() }) });
const enospc: WriteChunk = async () => {
  throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', syscall: 'write' });
};
const libraryTitles = (configDir: string): string[] => {
  const path = join(configDir, 'library.json');
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as { items: { title: string }[] }).items.map((i) => i.title) : [];
};

for (const engine of sqlEngines()) {
  describe(`dual phase: files behind the database survive a restart and are rewritten at start (${engine})`, () => {
    let t: TestApp;
    const closers: (() => Promise<unknown>)[] = [];
    afterEach(async () => {
      for (const c of closers.splice(0).reverse()) await c();
      await t?.close();
    });

    it('a failed library.json write is recorded durably, shown by health after a restart, and rewritten from the database at the next start', async () => {
      t = await createTestApp({ engine, phase: 'dual-read-db', env: { MEDIAOS_STORAGE_PHASE: 'dual-read-db' } });
      const admin = bearer((await registerAdmin(t.app)).accessToken);
      await flushFileSync(t.ctx.fileSync); // users.json is in sync: its record goes
      // The same app with library.json on a full disk (the database side is the real one).
      const library = phasedStore<LibraryStore>({
        name: 'library',
        phase: 'dual-read-db',
        sql: createLibrarySql(t.ctx.db.kysely, t.ctx.db.engine),
        json: createLibraryJson({ configDir: t.configDir, write: enospc }),
        writes: LIBRARY_WRITES,
        fileSync: t.ctx.fileSync,
        log: quiet,
      });
      const full = await buildApp(withStores(t.ctx, { library }), sink());
      closers.push(() => full.close());
      const res = await full.inject({ method: 'POST', url: '/api/library', headers: admin, payload: { kind: 'movie', title: 'Heat' } });
      expect(res.statusCode).toBe(200); // the database is the source of truth: the request succeeds
      expect(libraryTitles(t.configDir)).toEqual([]);

      // A restart (new context on the same database): the in-memory counter is gone, the record is not.
      const restarted = await buildApp(await createContext(t.ctx.config, t.ctx.db, quiet), sink());
      closers.push(() => restarted.close());
      const health = (await restarted.inject({ method: 'GET', url: '/api/health' })).json();
      expect(health.fileSync).toMatchObject({
        failures: 1,
        lastError: { store: 'library', message: expect.stringContaining('library.json: cannot read or write file (ENOSPC') },
        pending: [{ store: 'library', since: expect.any(String), failures: 1 }],
      });

      // Files behind at start stay recorded, whatever this process then writes successfully.
      expect((await restarted.inject({ method: 'POST', url: '/api/library', headers: admin, payload: { kind: 'movie', title: 'Ronin' } })).statusCode).toBe(
        200,
      );
      expect(await createFileSyncLedger(t.ctx.db.kysely).list()).toMatchObject([{ store: 'library', failures: 1 }]);

      // The next start rewrites library.json from the database and clears the record.
      const lines: string[] = [];
      const users = readFileSync(join(t.configDir, 'users.json'));
      const r = await resyncPendingFiles(t.ctx.config, t.ctx.db, (l) => lines.push(l));
      expect(r).toEqual({ stores: ['library'], files: ['library.json'] });
      expect(lines).toEqual(['file sync: library.json rewritten from the database (pending after a crash or a failed file write: library)']);
      expect(libraryTitles(t.configDir)).toEqual(['Heat', 'Ronin']);
      expect(readFileSync(join(t.configDir, 'users.json')).equals(users)).toBe(true); // not pending: untouched
      expect(existsSync(join(t.configDir, '.mediaos-resync'))).toBe(false);
      const after = await buildApp(await createContext(t.ctx.config, t.ctx.db, quiet), sink());
      closers.push(() => after.close());
      expect((await after.inject({ method: 'GET', url: '/api/health' })).json().fileSync).toEqual({ failures: 0, pending: [] });
    });

    it('a crash after the database commit (record written, file not) is rewritten at start', async () => {
      t = await createTestApp({ engine, phase: 'dual-read-files', env: { MEDIAOS_STORAGE_PHASE: 'dual-read-files' } });
      // What the dual store does before the file write, then the process dies.
      await createFileSyncLedger(t.ctx.db.kysely).mark('library', '2026-01-01T00:00:00.000Z');
      await createLibrarySql(t.ctx.db.kysely, t.ctx.db.engine).create({ id: 'i1', kind: 'movie', title: 'Ronin' } as never, '2026-01-01T00:00:00.000Z');
      expect(libraryTitles(t.configDir)).toEqual([]);
      await resyncPendingFiles(t.ctx.config, t.ctx.db, () => {});
      expect(libraryTitles(t.configDir)).toEqual(['Ronin']);
      expect(await createFileSyncLedger(t.ctx.db.kysely).list()).toEqual([]);
    });

    it('successful dual writes leave no record; records of an earlier dual phase are dropped in phase db', async () => {
      t = await createTestApp({ engine, phase: 'dual-read-db' });
      const admin = bearer((await registerAdmin(t.app)).accessToken);
      const res = await t.app.inject({ method: 'POST', url: '/api/library', headers: admin, payload: { kind: 'movie', title: 'Heat' } });
      expect(res.statusCode).toBe(200);
      const ledger = createFileSyncLedger(t.ctx.db.kysely);
      const waiting = await ledger.list(); // removed shortly after the burst
      expect(waiting.map((r) => r.store)).toContain('library');
      expect(waiting.every((r) => r.failures === 0)).toBe(true);
      await flushFileSync(t.ctx.fileSync);
      expect(await ledger.list()).toEqual([]);
      await ledger.fail('wanted', 'wanted.json: cannot read or write file (EIO)', '2026-01-01T00:00:00.000Z');
      const lines: string[] = [];
      expect(await resyncPendingFiles(t.ctx.config, t.ctx.db, (l) => lines.push(l))).toEqual({ stores: [], files: [] }); // nothing recorded: phase db
      expect(lines[0]).toMatch(/dropped 1 pending record\(s\) of an earlier dual phase \(wanted\); phase db/);
      expect(await ledger.list()).toEqual([]);
    });

    it('phase set in a dual phase never advises an import (it would delete the newer rows)', async () => {
      t = await createTestApp({ engine, phase: 'dual-read-files' });
      await recordPhase(t.ctx.db, 'dual-read-files');
      await createFileSyncLedger(t.ctx.db.kysely).mark('library', '2026-01-01T00:00:00.000Z');
      await createLibrarySql(t.ctx.db.kysely, t.ctx.db.engine).create({ id: 'i1', kind: 'movie', title: 'Ronin' } as never, '2026-01-01T00:00:00.000Z');
      const err = await setPhase({
        db: t.ctx.db,
        config: t.ctx.config,
        target: 'dual-read-db',
        legacyKey: TEST_ENCRYPTION_KEY,
        secretBox: t.ctx.secretBox,
      }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(PhaseRefused);
      const message = (err as Error).message;
      expect(message).toContain('the files of library are behind the database');
      expect(message).toContain('start the server once');
      expect(message).toContain('do not run `mediaos import`');
      expect(message).not.toMatch(/; run `mediaos import`/);
    });
  });
}

/**
 * The migration console API and the quarantine review over HTTP, on both engines (fastify.inject on
 * a real app with its job worker): status, dry run of a legacy dir, import preview, the import as a
 * queued job with progress events, its report, the quarantine (paged, shown, admitted with a fix,
 * dropped), verify, phase moves and rollback, each preview changing nothing; bad input answers 400
 * naming the field.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BusEvent } from '../../src/events/events.bus.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { bearer, registerAdmin, registerUser } from '../helpers/auth.js';
import { sqlEngines } from '../helpers/engines.js';
import { FIXTURE_PASSWORD } from '../migration/helpers.js';
import { fixtureWithBadKinds } from './fixture.js';

for (const engine of sqlEngines()) {
  describe(`migration console API (${engine})`, () => {
    let t: TestApp;
    let admin: string;
    let user: string;
    let legacy: string;
    const events: BusEvent[] = [];
    beforeAll(async () => {
      t = await createTestApp({ engine });
      admin = (await registerAdmin(t.app)).accessToken;
      user = (await registerUser(t.app, admin)).accessToken;
      legacy = fixtureWithBadKinds(join(t.dir, 'legacy'));
      t.ctx.services.events.subscribe((e) => events.push(e));
    });
    afterAll(async () => t?.close());

    const call = (method: 'GET' | 'POST', url: string, payload?: unknown, token = admin) =>
      t.app.inject({ method, url, headers: bearer(token), ...(payload === undefined ? {} : { payload: payload as object }) });
    const libraryCount = async () =>
      Number(
        (
          await t.ctx.db.kysely
            .selectFrom('library_items')
            .select((eb) => eb.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );

    it('is for admins only', async () => {
      expect((await t.app.inject({ method: 'GET', url: '/api/system/migration/status' })).statusCode).toBe(401);
      expect((await call('GET', '/api/system/migration/status', undefined, user)).statusCode).toBe(403);
      expect((await call('GET', '/api/system/quarantine', undefined, user)).statusCode).toBe(403);
    });

    it('answers the status before any import', async () => {
      const r = await call('GET', '/api/system/migration/status');
      expect(r.statusCode).toBe(200);
      const s = r.json();
      expect(s).toMatchObject({ ok: true, engine, phase: { effective: 'db' }, configDir: t.configDir, lastImport: null, pendingFileSync: [], quarantined: 0 });
      expect(s.schemaVersion.current).toBe(s.schemaVersion.latest);
      expect((await call('GET', '/api/system/migration/report')).statusCode).toBe(404);
    });

    it('refuses a path that is not an existing directory, and bad bodies, naming the field', async () => {
      const missing = await call('POST', '/api/system/migration/dry-run', { from: join(t.dir, 'nope') });
      expect(missing.statusCode).toBe(400);
      expect(missing.json().error).toBe(`from: ${join(t.dir, 'nope')} is not an existing directory`);
      const file = await call('POST', '/api/system/migration/import', { from: join(legacy, 'users.json') });
      expect(file.statusCode).toBe(400);
      expect(file.json().error).toContain('is not an existing directory');
      expect((await call('POST', '/api/system/migration/import', {})).json().error).toMatch(/from/);
      expect((await call('POST', '/api/system/migration/import', { from: legacy, prune: 'yes' })).json().error).toMatch(/prune must be true or false/);
      expect((await call('POST', '/api/system/migration/rollback', { confirm: 1 })).json().error).toMatch(/confirm must be true or false/);
      const phase = await call('POST', '/api/system/migration/phase', { phase: 'sideways' });
      expect(phase.statusCode).toBe(400);
      expect(phase.json().error).toMatch(/phase must be one of files, dual-read-files, dual-read-db, db/);
      expect((await call('GET', '/api/system/migration/import/xyz')).json().error).toMatch(/id must be a job id/);
      expect((await call('GET', `/api/system/migration/import/${'0'.repeat(32)}`)).statusCode).toBe(404);
    });

    it('dry-runs and previews the import without writing anything', async () => {
      const dry = await call('POST', '/api/system/migration/dry-run', { from: legacy });
      expect(dry.statusCode).toBe(200);
      const body = dry.json();
      expect(body.report.dryRun).toBe(true);
      const lib = body.report.files.find((f: { file: string }) => f.file === 'library.json');
      expect(lib).toMatchObject({ read: 10, imported: 8, quarantined: 2, inserted: 8 });
      expect(body.report.warnings).toHaveLength(2);
      expect(body.lines.join('\n')).toContain('dry run: nothing was written');
      // the directory's user set would replace ours: the real run needs prune, the dry run says so
      expect(body.report.pruneNeeded?.length).toBeGreaterThan(0);

      const preview = await call('POST', '/api/system/migration/import', { from: legacy, prune: true });
      expect(preview.statusCode).toBe(200);
      expect(preview.json().summary).toMatch(
        /^will back up the database and .* then in one transaction make the database equal to the files: \d+ new, 0 changed, 2 removed, 2 quarantined/,
      );
      expect(await libraryCount()).toBe(0);
      expect(existsSync(join(t.dir, 'backups'))).toBe(false);
    });

    it('imports as a queued job with live progress, then reports it', async () => {
      // The wanted list's total, counted and kept by this process before the import writes the list.
      expect((await call('GET', '/api/wanted?limit=0')).json().total).toBe(0);
      const started = await call('POST', '/api/system/migration/import', { from: legacy, prune: true, confirm: true });
      expect(started.statusCode).toBe(202);
      const { jobId } = started.json();
      expect(jobId).toMatch(/^[0-9a-f]{32}$/);
      let job = await t.ctx.stores.jobs.get(jobId);
      for (let i = 0; i < 400 && job?.status !== 'completed' && job?.status !== 'failed'; i++) {
        await new Promise((r) => setTimeout(r, 25));
        job = await t.ctx.stores.jobs.get(jobId);
      }
      expect(job?.status).toBe('completed');
      expect(job?.result).toMatchObject({ exitCode: 3, quarantined: 2, changed: true });
      const mine = events.filter((e) => e.type.startsWith('import.') && e.data.jobId === jobId);
      expect(mine[0]?.type).toBe('import.started');
      expect(mine.at(-1)?.type).toBe('import.completed');
      const percents = mine.filter((e) => e.type === 'import.progress').map((e) => e.data.percent as number);
      expect(percents.length).toBeGreaterThan(2);
      expect([...percents].sort((a, b) => a - b)).toEqual(percents);
      expect(await libraryCount()).toBe(8);

      // the import replaced the users with the directory's: log in as its admin
      const login = await t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { email: 'owner@example.org', password: FIXTURE_PASSWORD } });
      admin = login.json().accessToken;
      expect((await call('GET', '/api/wanted?limit=0')).json().total).toBe(4); // the directory's four, not the kept 0
      const polled = await call('GET', `/api/system/migration/import/${jobId}`);
      expect(polled.json()).toMatchObject({ ok: true, job: { id: jobId, status: 'completed' }, progress: { percent: 100 } });

      const report = await call('GET', '/api/system/migration/report');
      expect(report.statusCode).toBe(200);
      expect(report.json().report.quarantine).toHaveLength(2);
      expect(report.json().lines.join('\n')).toContain('2 record(s) imported with a normalized kind spelling:');
      const status = (await call('GET', '/api/system/migration/status')).json();
      expect(status.lastImport).toMatchObject({ sourceDir: legacy, exitCode: 3, quarantined: 2 });
      expect(status.quarantined).toBe(2);
    });

    it('pages, shows, admits with a fix and drops quarantined records', async () => {
      const first = (await call('GET', '/api/system/quarantine?limit=1')).json();
      expect(first).toMatchObject({ ok: true, total: 2 });
      expect(first.items).toHaveLength(1);
      const second = (await call('GET', `/api/system/quarantine?limit=1&cursor=${first.nextCursor}`)).json();
      expect(second.items).toHaveLength(1);
      expect(second.nextCursor).toBeUndefined();
      expect((await call('GET', '/api/system/quarantine?cursor=@@')).statusCode).toBe(400);
      expect((await call('GET', '/api/system/quarantine?limit=0')).json().error).toMatch(/limit must be 1..500/);
      const [film, dup] = [first.items[0], second.items[0]].sort((a, b) => a.locator.localeCompare(b.locator));
      expect(film.locator).toBe('/items/6');
      expect(dup.reason).toContain('duplicate id');

      const shown = (await call('GET', `/api/system/quarantine/${film.id}`)).json().record;
      expect(shown).toMatchObject({ file: 'library.json', locator: '/items/6', admissible: true });
      expect(shown.reason).toContain('kind');
      expect(JSON.parse(shown.raw)).toMatchObject({ id: 'mbdm3nfc', kind: 'film' });
      expect((await call('GET', `/api/system/quarantine/${'f'.repeat(32)}`)).statusCode).toBe(404);

      const asIs = await call('POST', `/api/system/quarantine/${film.id}/admit`, {});
      expect(asIs.statusCode).toBe(400);
      expect(asIs.json().error).toContain('kind');
      const clash = await call('POST', `/api/system/quarantine/${film.id}/admit`, { set: { kind: 'movie', title: 'Heat' } });
      expect(clash.statusCode).toBe(400);
      expect(clash.json().error).toMatch(/^title: the library item "mbdlzeo0k3p9q1" has the same kind and title/);
      expect((await call('POST', `/api/system/quarantine/${film.id}/admit`, { set: { '': 1 } })).statusCode).toBe(400);
      const dupAdmit = await call('POST', `/api/system/quarantine/${dup.id}/admit`, {});
      expect(dupAdmit.json().error).toBe('id: a record with the key "mbdlzeo0k3p9q1" is already in library_items');

      const preview = await call('POST', `/api/system/quarantine/${film.id}/admit?preview=true`, { set: { kind: 'movie' } });
      expect(preview.json()).toMatchObject({ done: false, table: 'library_items', key: 'mbdm3nfc', record: { kind: 'movie' } });
      expect((await call('GET', '/api/library/mbdm3nfc')).statusCode).toBe(404);
      const admitted = await call('POST', `/api/system/quarantine/${film.id}/admit`, { set: { kind: 'movie' } });
      expect(admitted.json()).toMatchObject({ ok: true, done: true, key: 'mbdm3nfc' });
      const item = await call('GET', '/api/library/mbdm3nfc');
      expect(item.statusCode).toBe(200);
      expect(JSON.stringify(item.json())).toContain('"kind":"movie"');

      expect((await call('POST', `/api/system/quarantine/${dup.id}/drop`, { preview: true })).json().done).toBe(false);
      expect((await call('GET', '/api/system/quarantine')).json().total).toBe(1);
      expect((await call('POST', `/api/system/quarantine/${dup.id}/drop`, {})).json()).toMatchObject({ done: true });
      expect((await call('GET', '/api/system/quarantine')).json()).toMatchObject({ total: 0, items: [] });
      const audit = (await call('GET', '/api/system/audit?entity=quarantine')).json().items.map((e: { action: string }) => e.action);
      expect(audit).toEqual(['drop', 'admit']);
    });

    it('verifies, previews and moves phases, and rolls back', async () => {
      const verify = (await call('POST', '/api/system/migration/verify', { from: legacy })).json();
      expect(verify.checked).toBeGreaterThan(10);
      // the files still hold the record as it was before it was fixed and the dropped duplicate
      expect(verify.mismatchCount).toBeGreaterThan(0);
      expect(verify.lines.length).toBe(verify.mismatches.length);

      const preview = (await call('POST', '/api/system/migration/phase', { phase: 'dual-read-db', from: legacy })).json();
      expect(preview).toMatchObject({ preview: true, verifies: true, refused: false });
      expect(preview.summary).toMatch(/^will compare every record of .* record phase dual-read-db/);
      const refused = await call('POST', '/api/system/migration/phase', { phase: 'dual-read-db', from: legacy, confirm: true });
      expect(refused.statusCode).toBe(400);
      expect(refused.json().error).toMatch(/refusing to move from files to dual-read-db/);
      const forced = (await call('POST', '/api/system/migration/phase', { phase: 'db', from: legacy, force: true, confirm: true })).json();
      expect(forced).toMatchObject({ preview: false, to: 'db' });
      const back = (await call('POST', '/api/system/migration/phase', { phase: 'files' })).json();
      expect(back).toMatchObject({ refused: true });
      expect(back.summary).toContain('run `mediaos rollback`');

      const rbPreview = (await call('POST', '/api/system/migration/rollback', {})).json();
      expect(rbPreview.summary).toMatch(/^will archive /);
      expect(existsSync(join(t.configDir, 'library.json'))).toBe(false);
      const rb = (await call('POST', '/api/system/migration/rollback', { confirm: true })).json();
      expect(rb.preview).toBe(false);
      const lib = JSON.parse(readFileSync(join(t.configDir, 'library.json'), 'utf8')) as { items: { id: string; kind: string }[] };
      expect(lib.items).toHaveLength(9);
      expect(lib.items.find((i) => i.id === 'mbdm3nfc')?.kind).toBe('movie');
      expect((await call('GET', '/api/system/migration/status')).json().phase.recorded).toBe('files');
      const actions = (await call('GET', '/api/system/audit?entity=migration')).json().items.map((e: { action: string }) => e.action);
      expect(actions).toEqual(['rollback', 'phase', 'import']);
    });
  });
}

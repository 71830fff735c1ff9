/**
 * The SQL every store sends, checked in (STYLE.md §8): each public method of each `*.sql.ts`
 * factory runs with fixed arguments on a fresh, migrated database per domain and engine, and the
 * statements it sent (Kysely's log hook) must equal test/sql/<domain>.<engine>.sql. A changed
 * query shows up in review as a diff of those files; regenerate them with `npm run sql:update`.
 * The library (and its query plans) lives in library.snapshots.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { createBlocklistSql } from '../../src/automation/blocklist.sql.js';
import { createAppStateSql } from '../../src/db/app-state.sql.js';
import { createLocksSql, LockBusyError } from '../../src/db/locks.sql.js';
import { downloaderToRow } from '../../src/downloaders/downloaders.codec.js';
import { createDownloadersSql } from '../../src/downloaders/downloaders.sql.js';
import { grabToRow } from '../../src/grabs/grabs.codec.js';
import { createGrabsSql } from '../../src/grabs/grabs.sql.js';
import { createIndexersSql } from '../../src/indexers/indexers.sql.js';
import { createJobsSql } from '../../src/jobs/jobs.sql.js';
import { createLibrarySql } from '../../src/library/library.sql.js';
import { createMediaFilesSql } from '../../src/media/media-files.sql.js';
import { createMetadataCacheSql } from '../../src/metadata/metadata-cache.sql.js';
import { createQualitySql } from '../../src/quality/quality.sql.js';
import { createSecretBox } from '../../src/security/secret-box.js';
import { createSessionsSql } from '../../src/sessions/sessions.sql.js';
import { createSettingsSql } from '../../src/settings/settings.sql.js';
import { createAuditSql } from '../../src/system/audit.sql.js';
import { createUsersSql } from '../../src/users/users.sql.js';
import { verifyResultToRow } from '../../src/verify/verify.codec.js';
import { createVerifyJobsSql, createVerifySql, insertResultRows } from '../../src/verify/verify.sql.js';
import { createWantedSql } from '../../src/wanted/wanted.sql.js';
import { TEST_ENCRYPTION_KEY } from '../helpers/app.js';
import { sqlEngines } from '../helpers/engines.js';
import { openRecorder, type SqlRecorder } from './sql-recorder.js';

const box = createSecretBox(TEST_ENCRYPTION_KEY);
const T0 = '2024-01-01T00:00:00.000Z';
const T1 = '2024-01-02T00:00:00.000Z';
const T2 = '2024-01-03T00:00:00.000Z';

/** A library item for the stores that link to one (wanted, grabs, verify); its SQL is not recorded. */
async function seedLibraryItem(rec: SqlRecorder): Promise<void> {
  await rec.quiet(() => createLibrarySql(rec.db.kysely, rec.engine).create({ id: 'lib_1', kind: 'movie', title: 'Heat' }, T0));
}

const DOMAINS: Record<string, (rec: SqlRecorder) => Promise<void>> = {
  async users(rec) {
    const users = createUsersSql(rec.db.kysely);
    const user = { id: 'user_1', email: 'Ada@Example.org', passwordHash: 'salt:hash', role: 'admin' as const, createdAt: T0, updatedAt: T0 };
    await rec.call('users.insert', () => users.insert(user));
    await rec.call('users.getById', () => users.getById('user_1'));
    await rec.call('users.getByEmail', () => users.getByEmail('ada@example.org'));
    await rec.call('users.count', () => users.count());
    await rec.call('users.list', () => users.list());
    await rec.call('users.update', () => users.update({ ...user, passwordHash: 'salt:hash2', updatedAt: T1, lastLoginAt: T1 }));
    expect(await rec.call('users.remove', () => users.remove('user_1'))).toBe(true);
  },

  async sessions(rec) {
    const sessions = createSessionsSql(rec.db.kysely);
    const s = { id: 'sess_1', userId: 'user_1', tokenHash: 'hash_a', expiresAt: T2, createdAt: T0, userAgent: 'ua', ip: '10.0.0.1' };
    await rec.call('sessions.create', () => sessions.create(s));
    await rec.call('sessions.get', () => sessions.get('sess_1'));
    await rec.call('sessions.getWithUser', () => sessions.getWithUser('sess_1', 'user_1'));
    await rec.call('sessions.listForUser', () => sessions.listForUser('user_1'));
    expect(await rec.call('sessions.rotate', () => sessions.rotate('sess_1', { fromHash: 'hash_a', toHash: 'hash_b', expiresAt: T2, usedAt: T1 }))).toBe(true);
    expect(await rec.call('sessions.revoke', () => sessions.revoke('sess_1', 'logout', T1))).toBe(true);
    await rec.call('sessions.revokeForUser', () => sessions.revokeForUser('user_1', 'admin', T1));
    expect(await rec.call('sessions.deleteExpired', () => sessions.deleteExpired('2030-01-01T00:00:00.000Z'))).toBe(1);
  },

  async 'app-state'(rec) {
    const state = createAppStateSql(rec.db.kysely);
    await rec.call('appState.set', () => state.set('storage-phase', { phase: 'db' }));
    expect(await rec.call('appState.get', () => state.get('storage-phase'))).toEqual({ phase: 'db' });
    expect((await rec.call('appState.list', () => state.list('storage-'))).map((r) => r.key)).toEqual(['storage-phase']);
    await rec.call('appState.remove', () => state.remove('storage-phase'));
  },

  async settings(rec) {
    const settings = createSettingsSql(rec.db.kysely, box);
    await rec.call('settings.get (absent)', () => settings.get('metadata'));
    await rec.call('settings.put', () => settings.put('metadata', { tmdb: { apiKey: 'k-123' }, language: 'en' }));
    expect(await rec.call('settings.get', () => settings.get('metadata'))).toEqual({ tmdb: { apiKey: 'k-123' }, language: 'en' });
    await rec.call('settings.remove', () => settings.remove('metadata'));
  },

  async wanted(rec) {
    await seedLibraryItem(rec);
    const wanted = createWantedSql(rec.db.kysely, rec.db.engine);
    expect(await rec.call('wanted.add', () => wanted.add({ id: 'lib_1', kind: 'movies', title: 'Heat', addedAt: T0 }))).toBe(true);
    expect(await rec.call('wanted.add (already wanted)', () => wanted.add({ id: 'lib_1', kind: 'movies', title: 'Heat' }))).toBe(false);
    await rec.call('wanted.list', () => wanted.list());
    await rec.call('wanted.recordScans', () => wanted.recordScans([{ kind: 'movies', id: 'lib_1', lastScan: { at: T1, found: 2, grabbed: 1 } }]));
    const byAge = await rec.call('wanted.listBySearchAge', () => wanted.listBySearchAge(null, 1));
    await rec.call('wanted.listBySearchAge (next batch)', () => wanted.listBySearchAge(byAge.next, 1));
    await rec.call('wanted.linkToLibrary', () => wanted.linkToLibrary());
    expect(await rec.call('wanted.remove', () => wanted.remove('movies', 'lib_1'))).toBe(true);
  },

  async downloaders(rec) {
    const downloaders = createDownloadersSql(rec.db.kysely, box);
    const settings = {
      qbittorrent: { enabled: true, baseUrl: 'http://qb:8080', username: 'admin', password: 'pw', category: 'mediaos' },
      sabnzbd: { enabled: false, baseUrl: 'http://sab:8080', apiKey: 'sab-key' },
    };
    await rec.call('downloaders.save', () => downloaders.save(settings));
    expect(await rec.call('downloaders.get', () => downloaders.get())).toMatchObject(settings);
    await rec.call('downloaders.upsertRows', () => downloaders.upsertRows([downloaderToRow('nzbget', { enabled: true, baseUrl: 'http://nzb:6789' }, box)]));
    expect(await rec.call('downloaders.clientTypes', () => downloaders.clientTypes())).toEqual(['nzbget', 'qbittorrent', 'sabnzbd']);
  },

  async grabs(rec) {
    await seedLibraryItem(rec);
    const grabs = createGrabsSql(rec.db.kysely, rec.db.engine);
    const record = {
      kind: 'movie',
      id: 'lib_1',
      title: 'Heat',
      link: 'magnet:?xt=1',
      protocol: 'torrent',
      client: 'qbittorrent',
      ok: true,
      status: 200,
      at: T0,
    };
    await rec.call('grabs.put', () => grabs.put('movie:lib_1', record));
    await rec.call('grabs.get', () => grabs.get('movie:lib_1'));
    await rec.call('grabs.list', () => grabs.list());
    await rec.call('grabs.insertRows', () => grabs.insertRows([grabToRow('movie:lib_2', { ...record, id: 'lib_2' }, 1)]));
    expect(await rec.call('grabs.count', () => grabs.count())).toBe(2);
    expect((await rec.call('grabs.historyPage', () => grabs.historyPage(null, 1))).next).toEqual({ at: T0, key: 'movie:lib_2' });
    expect((await rec.call('grabs.historyPage (after)', () => grabs.historyPage({ at: T0, key: 'movie:lib_2' }, 1))).next).toBeNull();
    expect((await rec.call('grabs.queuePage (after)', () => grabs.queuePage({ position: 0, key: 'movie:lib_1' }, 10))).entries).toHaveLength(1);
    expect(await rec.call('grabs.countQueue', () => grabs.countQueue())).toBe(2);
  },

  async verify(rec) {
    await seedLibraryItem(rec);
    const results = createVerifySql(rec.db.kysely);
    const result = { phase: 'all', issues: [], analyzedAt: T0, topSeverity: 'none', kind: 'movie', id: 'lib_1', title: 'Heat' };
    await rec.call('verify.putResult', () => results.putResult('movie:lib_1', result));
    await rec.call('verify.getResult', () => results.getResult('movie:lib_1'));
    await rec.call('verify.listResults', () => results.listResults());
    await rec.call('verify.insertResultRows', () =>
      insertResultRows(rec.db.kysely, [verifyResultToRow('movie:lib_2', { ...result, id: 'lib_2' }, undefined, 1)]),
    );

    const jobs = createVerifyJobsSql(rec.db.kysely);
    const job = { id: 'vjob_1', status: 'queued' as const, input: { phase: 'all', kind: 'movie', id: 'lib_1', title: 'Heat' }, enqueuedAt: T0 };
    await rec.call('verifyJobs.insert', () => jobs.insert(job));
    await rec.call('verifyJobs.get', () => jobs.get('vjob_1'));
    await rec.call('verifyJobs.markRunning', () => jobs.markRunning('vjob_1', T1));
    await rec.call('verifyJobs.markQueued', () => jobs.markQueued('vjob_1', 'probe timed out'));
    await rec.call('verifyJobs.markCompleted', () => jobs.markCompleted('vjob_1', { phase: 'all', issues: [], analyzedAt: T1, topSeverity: 'none' }, T1));
    await rec.call('verifyJobs.markFailed', () => jobs.markFailed('vjob_1', 'ffprobe missing', T2));
  },

  async jobs(rec) {
    const jobs = createJobsSql(rec.db.kysely, rec.engine);
    const newJob = (id: string) => ({ id, type: 'housekeeping', payload: { n: 1 }, maxAttempts: 2, runAt: T0, createdAt: T0 });
    await rec.call('jobs.insert', () => jobs.insert(newJob('job_1')));
    await rec.quiet(() => Promise.all([jobs.insert(newJob('job_2')), jobs.insert(newJob('job_3'))]));
    await rec.call('jobs.get', () => jobs.get('job_1'));
    expect(await rec.call('jobs.claim', () => jobs.claim('worker_a', T1))).toMatchObject({ id: 'job_1' });
    expect(await rec.call('jobs.complete', () => jobs.complete('job_1', 'worker_a', { ok: true }, T1))).toBe(true);
    await rec.quiet(() => jobs.claim('worker_a', T1));
    expect(await rec.call('jobs.fail (retry later)', () => jobs.fail('job_2', 'worker_a', 'boom', T1, T2))).toBe(true);
    await rec.quiet(() => jobs.claim('worker_a', T1));
    expect(await rec.call('jobs.fail (for good)', () => jobs.fail('job_3', 'worker_a', 'boom', T1))).toBe(true);
    await rec.call('jobs.recoverOrphans', () => jobs.recoverOrphans(T2, T1));
    await rec.quiet(() => jobs.insert(newJob('job_4')));
    await rec.quiet(() => jobs.claim('worker_a', T1));
    expect(await rec.call('jobs.heartbeat', () => jobs.heartbeat('job_4', 'worker_a', T2))).toBe(true);
    expect(await rec.call('jobs.cancel', () => jobs.cancel('job_4', 'cancelled', T2))).toBe(true);
    expect(await rec.call('jobs.retry', () => jobs.retry('job_4', T2))).toBe(true);
    await rec.call('jobs.list', () => jobs.list({ status: 'queued', limit: 5 }));
    await rec.call('jobs.countByStatus', () => jobs.countByStatus());
    await rec.call('jobs.deleteFinishedBefore', () => jobs.deleteFinishedBefore(T2));
  },

  async indexers(rec) {
    const indexers = createIndexersSql(rec.db.kysely, box);
    const manual = { id: 'idx_1', name: 'Manual', type: 'manual' as const, protocol: 'torrent' as const, enabled: true, baseUrl: 'http://t', apiKey: 'k1' };
    const synced = (id: string) => ({ id, name: 'Synced', type: 'prowlarr' as const, protocol: 'usenet' as const, enabled: true, priority: 10 });
    const doc = { prowlarr: { enabled: true, baseUrl: 'http://p', apiKey: 'pk' }, indexers: [manual, synced('idx_2')] };
    await rec.call('indexers.replaceDocument', () => indexers.replaceDocument(doc));
    await rec.call('indexers.get', () => indexers.get(), { unordered: true });
    await rec.call('indexers.getSources', () => indexers.getSources());
    await rec.call('indexers.listIndexers', () => indexers.listIndexers());
    await rec.call('indexers.saveSources', () => indexers.saveSources({ jackett: { enabled: false } }));
    await rec.call('indexers.addIndexer', () => indexers.addIndexer({ ...manual, id: 'idx_3', name: 'Second' }));
    expect(await rec.call('indexers.patchIndexer', () => indexers.patchIndexer('idx_3', { enabled: false }))).toMatchObject({ enabled: false });
    expect(await rec.call('indexers.removeIndexer', () => indexers.removeIndexer('idx_3'))).toMatchObject({ id: 'idx_3' });
    // Drops the earlier prowlarr entry, keeps the manual one, appends the new entry.
    await rec.call('indexers.syncIndexers', () => indexers.syncIndexers('prowlarr', [synced('idx_4')]));
  },

  async quality(rec) {
    const quality = createQualitySql(rec.db.kysely);
    const profile = (id: string, name: string) => ({
      id,
      name,
      upgradeAllowed: true,
      cutoff: '1080p',
      qualities: [{ quality: '1080p', allowed: true, preferred: true }],
    });
    const defaults = [profile('any', 'Any')];
    await rec.call('quality.getMap', () => quality.getMap());
    await rec.call('quality.saveMap', () => quality.saveMap({ movie: { allowed: ['1080p'], cutoff: '1080p' } }));
    expect(await rec.call('quality.listProfiles (no file)', () => quality.listProfiles())).toBeUndefined();
    await rec.call('quality.addProfile (no file: defaults first)', () => quality.addProfile(profile('hd', 'HD'), defaults));
    await rec.call('quality.addProfile', () => quality.addProfile(profile('uhd', 'UHD'), defaults));
    await rec.call('quality.listProfiles', () => quality.listProfiles());
    await rec.call('quality.patchProfile', () => quality.patchProfile('hd', { name: 'HD-1080p', minSize: null }, defaults));
    await rec.call('quality.removeProfile', () => quality.removeProfile('uhd', defaults));
    await rec.call('quality.replaceProfiles', () => quality.replaceProfiles([profile('sd', 'SD')]));
    await rec.call('quality.getProfilesFile', () => quality.getProfilesFile());
    await rec.call('quality.putProfilesFile', () => quality.putProfilesFile({ profiles: [profile('hd', 'HD')], version: 2 }));
    await rec.call('quality.putProfilesFile (remove)', () => quality.putProfilesFile(undefined));
  },

  async blocklist(rec) {
    const blocklist = createBlocklistSql(rec.db.kysely);
    await rec.call('blocklist.add', () =>
      blocklist.add({ title: 'Heat.1995.720p.BluRay.x264-GRP', guid: 'https://x/details/1', reason: 'download failed' }, 'b'.repeat(32)),
    );
    await rec.call('blocklist.list', () => blocklist.list());
    const m = await rec.call('blocklist.matcher', () =>
      blocklist.matcher([{ title: 'Heat.1995.720p.BluRay.x264-GRP', guid: 'https://x/details/2', link: 'magnet:?xt=urn:btih:abc' }]),
    );
    expect(m({ title: 'Heat.1995.720p.BluRay.x264-GRP' })).toBe(true);
    expect(await rec.call('blocklist.remove', () => blocklist.remove('b'.repeat(32)))).toBe(true);
  },

  async 'metadata-cache'(rec) {
    const cache = createMetadataCacheSql(rec.db.kysely);
    const entry = { key: 'tmdb:abc', provider: 'tmdb', request: '/movie/949#language=en-US', value: { id: 949 }, fetchedAt: T0, expiresAt: T1 };
    await rec.call('metadataCache.put', () => cache.put(entry));
    await rec.call('metadataCache.put (renew)', () => cache.put({ ...entry, expiresAt: T2 }));
    expect(await rec.call('metadataCache.get', () => cache.get('tmdb:abc', T1))).toEqual({ id: 949 });
    expect(await rec.call('metadataCache.purgeExpired', () => cache.purgeExpired(T2))).toBe(1);
  },

  async 'media-files'(rec) {
    const files = createMediaFilesSql(rec.db.kysely);
    const f = {
      id: 'f'.repeat(32),
      path: '/media/movies/Heat (1995)/Heat.1995.mkv',
      root: '/media/movies',
      kind: 'movie' as const,
      itemId: 'lib_1',
      size: 5_000_000_000,
      mtimeMs: 1_700_000_000_000,
      quality: '1080p',
      parsed: { type: 'movie' as const, title: 'Heat', year: 1995, extension: 'mkv', originalFilename: 'Heat.1995.mkv' },
    };
    await rec.call('mediaFiles.insert', () => files.insert([f], T0));
    const known = await rec.call('mediaFiles.knownUnder', () => files.knownUnder('/media/movies', '/media/movies'));
    expect(known.get(f.path)).toEqual({ id: f.id, size: 5_000_000_000, mtimeMs: 1_700_000_000_000, status: 'present', itemId: 'lib_1' });
    const byPath = await rec.call('mediaFiles.byPaths', () => files.byPaths([f.path, '/media/movies/other.mkv']));
    expect([...byPath.keys()]).toEqual([f.path]);
    await rec.call('mediaFiles.update', () => files.update([{ ...f, size: 6 }], T1));
    await rec.call('mediaFiles.markMissing', () => files.markMissing([f.id], T2));
    const listed = await rec.call('mediaFiles.list', () => files.list({ itemId: 'lib_1', status: 'missing' }));
    expect(listed.map((r) => [r.size, r.status, r.missingSince, r.firstSeenAt, r.lastSeenAt])).toEqual([[6, 'missing', T2, T0, T1]]);
  },

  async audit(rec) {
    const audit = createAuditSql(rec.db.kysely);
    await rec.call('audit.insert', () =>
      audit.insert({ actor: 'cli', entity: 'settings', entityId: 'k', action: 'update', before: { a: 1 }, after: { a: 2 } }, T0),
    );
    await rec.call('audit.list (filtered, after a cursor)', () =>
      audit.list({ entity: 'settings', actor: 'cli', from: T0, to: T2, limit: 10, before: { at: T1, id: 99 } }),
    );
    expect(await rec.call('audit.deleteBefore', () => audit.deleteBefore(T1))).toBe(1);
  },

  async locks(rec) {
    const locks = createLocksSql(rec.db.kysely);
    const held = await rec.call('locks.acquire', () => locks.acquire('maintenance', 'import pid 1 on host-a', { waitMs: 0 }));
    const busy = await rec.call('locks.acquire (busy)', () => locks.acquire('maintenance', 'import pid 2 on host-a', { waitMs: 0 }).catch((e: unknown) => e));
    expect(busy).toBeInstanceOf(LockBusyError);
    await rec.call('locks.current', () => locks.current('maintenance'));
    await rec.call('locks.heartbeat', () => held.heartbeat());
    await rec.call('locks.release', () => held.release());
  },
};

describe.each(sqlEngines())('store SQL on %s', (engine) => {
  for (const [domain, run] of Object.entries(DOMAINS)) {
    it(`${domain} matches test/sql/${domain}.${engine}.sql`, async () => {
      const rec = await openRecorder(engine);
      try {
        await run(rec);
      } finally {
        await rec.close();
      }
      await expect(rec.text()).toMatchFileSnapshot(`./${domain}.${engine}.sql`);
    });
  }
});

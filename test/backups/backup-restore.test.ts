import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readArchiveManifest } from '../../src/backups/archive-reader.js';
import { takeBackup } from '../../src/backups/backups.service.js';
import { restoreBackupArchive } from '../../src/backups/restore-archive.js';
import { createServerPresenceSql, serverLockName } from '../../src/backups/server-presence.sql.js';
import { openDatabase } from '../../src/db/connect.js';
import { migrations } from '../../src/db/migrations/index.js';
import { runCli } from '../db/transfer/transfer-fixtures.js';
import { sqlEngines } from '../helpers/engines.js';
import { type BackupWorld, backupWorld, fileBytes, flipByte, newSession, repack } from './backup-fixtures.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function world(engine: 'sqlite' | 'postgres'): Promise<BackupWorld> {
  const w = await backupWorld(engine);
  cleanups.push(() => w.tdb.cleanup());
  return w;
}

async function sessionIds(w: BackupWorld): Promise<Set<string>> {
  const db = openDatabase(w.tdb.target);
  try {
    return new Set((await db.kysely.selectFrom('sessions').select('id').execute()).map((r) => r.id));
  } finally {
    await db.close();
  }
}

const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');
const latest = migrations[migrations.length - 1].version;

for (const engine of sqlEngines()) {
  describe(`backup archives on ${engine}`, () => {
    it('backs up while 50 writers run; the restore passes integrity_check and holds every write acknowledged before the backup began', async () => {
      const w = await world(engine);
      const acked: string[] = [];
      let stop = false;
      const writers = Array.from({ length: 50 }, async (_, i) => {
        for (let n = 0; !stop; n++) {
          await w.ctx.stores.sessions.create(newSession(`w${i}-${n}`));
          acked.push(`w${i}-${n}`);
          // like requests arriving over HTTP: each write is its own event-loop turn (on SQLite the
          // driver resolves in microtasks only, which would starve timers and the backup's steps)
          await new Promise((r) => setImmediate(r));
        }
      });
      while (acked.length < 300) await new Promise((r) => setTimeout(r, 2));
      const before = [...acked];
      const taken = await takeBackup(w.tdb.db, w.config, 'manual');
      stop = true;
      await Promise.all(writers);
      const written = acked.length;
      expect(taken.manifest.engine).toBe(engine);
      expect(taken.manifest.schemaVersion).toBe(latest);
      expect(taken.manifest.members.map((m) => m.name)).toContain('secrets.json');
      expect(taken.manifest.tables.sessions).toBeGreaterThanOrEqual(before.length);
      expect(statSync(taken.file).mode & 0o777).toBe(0o600);
      await w.tdb.db.close(); // the server is stopped before a restore

      const restored = await restoreBackupArchive(w.config, taken.file);
      expect(restored.manifest.createdAt).toBe(taken.manifest.createdAt);
      expect(restored.secretsRestored).toBe(true);
      // the database as it was (every write) is kept as a pre-restore archive
      const pre = await readArchiveManifest(restored.preRestoreBackup!);
      expect(pre?.kind).toBe('pre-restore');
      expect(pre?.tables.sessions).toBe(written);

      const ids = await sessionIds(w);
      expect(before.filter((id) => !ids.has(id))).toEqual([]);
      expect(ids.size).toBe(taken.manifest.tables.sessions);
      if (engine === 'sqlite') {
        const db = openDatabase(w.tdb.target);
        expect(db.sqlite!.pragma('integrity_check', { simple: true })).toBe('ok');
        expect(db.sqlite!.pragma('journal_mode', { simple: true })).toBe('wal');
        await db.close();
      }
    });

    describe('a damaged or newer archive is refused and changes nothing', () => {
      const cases: [string, (file: string, bad: string) => Promise<void>, RegExp][] = [
        [
          'a flipped byte in the compressed stream',
          async (f, bad) => writeFileSync(bad, flipByte(fileBytes(f), Math.floor(statSync(f).size / 2))),
          /damaged or truncated|fails its sha256/,
        ],
        [
          'a truncated file',
          async (f, bad) => writeFileSync(bad, fileBytes(f).subarray(0, Math.floor(statSync(f).size / 2))),
          /damaged or truncated \(unexpected end of file\)/,
        ],
        [
          'a flipped byte inside the database member',
          (f, bad) => repack(f, bad, (n, d) => (n.startsWith('database.') ? flipByte(d, Math.floor(d.length / 2)) : d)),
          /member database\.(db|dump\.gz) fails its sha256 check/,
        ],
        [
          'a newer schema version',
          (f, bad) =>
            repack(f, bad, (n, d) => (n === 'manifest.json' ? Buffer.from(JSON.stringify({ ...JSON.parse(String(d)), schemaVersion: latest + 1 })) : d)),
          new RegExp(`schema version ${latest + 1}, newer than this MediaOS build \\(${latest}\\): upgrade MediaOS first`),
        ],
        ['no manifest', (f, bad) => repack(f, bad, (n, d) => (n === 'manifest.json' ? null : d)), /manifest\.json is missing/],
        [
          'an unlisted member',
          (f, bad) =>
            repack(f, bad, (n, d) =>
              n === 'manifest.json'
                ? Buffer.from(
                    JSON.stringify({
                      ...JSON.parse(String(d)),
                      members: JSON.parse(String(d)).members.filter((m: { name: string }) => m.name !== 'secrets.json'),
                    }),
                  )
                : d,
            ),
          /member secrets\.json is not listed in the manifest/,
        ],
        [
          'a manifest field of the wrong type',
          (f, bad) => repack(f, bad, (n, d) => (n === 'manifest.json' ? Buffer.from(JSON.stringify({ ...JSON.parse(String(d)), schemaVersion: 'four' })) : d)),
          /manifest\.json field schemaVersion/,
        ],
      ];
      for (const [what, damage, message] of cases) {
        it(what, async () => {
          const w = await world(engine);
          await w.ctx.stores.sessions.create(newSession('in-backup'));
          const taken = await takeBackup(w.tdb.db, w.config, 'manual');
          await w.ctx.stores.sessions.create(newSession('only-in-current'));
          await w.tdb.db.close();
          const bad = join(w.tdb.dir, 'bad.tar.gz');
          await damage(taken.file, bad);
          const secrets = join(w.tdb.dir, 'secrets.json');
          const secretsBefore = readFileSync(secrets, 'utf8');
          const dbBefore = engine === 'sqlite' ? sha(w.tdb.target.location) : '';
          const backupsBefore = readdirSync(join(w.tdb.dir, 'backups')).sort();

          await expect(restoreBackupArchive(w.config, bad)).rejects.toThrow(message);
          await expect(restoreBackupArchive(w.config, bad)).rejects.toThrow(/nothing was changed/);

          expect([...(await sessionIds(w))].sort()).toEqual(['in-backup', 'only-in-current']);
          if (engine === 'sqlite') expect(sha(w.tdb.target.location)).toBe(dbBefore);
          expect(readFileSync(secrets, 'utf8')).toBe(secretsBefore);
          expect(readdirSync(join(w.tdb.dir, 'backups')).sort()).toEqual(backupsBefore);
          expect(readdirSync(w.tdb.dir).filter((f) => f.startsWith('.mediaos-restore-'))).toEqual([]);
        });
      }
    });

    it('refuses to restore while a server announces itself in the database, and not once its heartbeat is stale', async () => {
      const w = await world(engine);
      const taken = await takeBackup(w.tdb.db, w.config, 'manual');
      const now = new Date().toISOString();
      await w.tdb.db.kysely
        .insertInto('locks')
        .values({ name: 'server:nas-2:4242', holder: 'mediaos serve pid 4242 on nas-2', acquired_at: now, heartbeat_at: now })
        .execute();
      await expect(restoreBackupArchive(w.config, taken.file)).rejects.toThrow(
        'a MediaOS server is using this database (mediaos serve pid 4242 on nas-2): stop it first; nothing was changed',
      );
      await w.tdb.db.kysely.updateTable('locks').set({ heartbeat_at: '2020-01-01T00:00:00.000Z' }).execute();
      await w.tdb.db.close();
      await expect(restoreBackupArchive(w.config, taken.file)).resolves.toMatchObject({ migrationPending: false });
    });
  });
}

describe('server presence', () => {
  it('announce() holds a row named for this process until release()', async () => {
    const w = await world('sqlite');
    const presence = createServerPresenceSql(w.tdb.db.kysely);
    const held = await presence.announce();
    const rows = await w.tdb.db.kysely.selectFrom('locks').select('name').execute();
    expect(rows.map((r) => r.name)).toEqual([serverLockName()]);
    expect(await presence.liveServers()).toEqual([]); // our own row never blocks us
    await held.release();
    expect(await w.tdb.db.kysely.selectFrom('locks').select('name').execute()).toEqual([]);
  });
});

describe('mediaos backup / restore (CLI)', () => {
  it('writes an archive with --to and restores it; a truncated one exits 1 naming the file', async () => {
    const w = await world('sqlite');
    await w.ctx.stores.sessions.create(newSession('s-cli'));
    await w.tdb.db.close();
    const file = join(w.tdb.dir, 'out', 'nightly.bak'); // recognised by its tar header, not its name
    mkdirSync(join(w.tdb.dir, 'out'));
    const made = await runCli(['backup', '--to', file], w.env, w.tdb.dir);
    expect(made.errors).toEqual([]);
    expect(made.lines.join('\n')).toMatch(/wrote .*nightly\.bak \(\d+ bytes; schema version \d+; 2 rows; database\.db, secrets\.json\)/);
    const restored = await runCli(['restore', file], w.env, w.tdb.dir);
    expect(restored.errors).toEqual([]);
    expect(restored.exitCode).toBe(0);
    expect(restored.lines.join('\n')).toMatch(/backup of the database being replaced: .*mediaos-backup-pre-restore-.*\.tar\.gz/);
    expect(restored.lines.join('\n')).toMatch(/every checksum verified/);
    expect(await sessionIds(w)).toEqual(new Set(['s-cli']));
    writeFileSync(join(w.tdb.dir, 'cut.tar.gz'), fileBytes(file).subarray(0, 100));
    const cut = await runCli(['restore', 'cut.tar.gz'], w.env, w.tdb.dir);
    expect(cut.exitCode).toBe(1);
    expect(cut.errors.join('\n')).toMatch(/cut\.tar\.gz: the archive is damaged or truncated .*; nothing was changed/);
    expect(existsSync(w.tdb.target.location)).toBe(true);
  });
});

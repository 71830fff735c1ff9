import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { listBackups, parseBackupName } from '../../src/backups/backup-catalog.js';
import { startBackupSchedule } from '../../src/backups/backups.schedule.js';
import { takeBackup } from '../../src/backups/backups.service.js';
import { backupDatabase } from '../../src/db/backup.js';
import { type BackupWorld, backupWorld } from './backup-fixtures.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function world(env: Record<string, string>): Promise<BackupWorld> {
  const w = await backupWorld('sqlite', env);
  cleanups.push(() => w.tdb.cleanup());
  return w;
}

const logs: string[] = [];
const log = { info: (_o: object, m: string) => void logs.push(m), warn: (_o: object, m: string) => void logs.push(m) };

describe('backup retention per kind', () => {
  it('the schedule takes one archive per interval, keeps MEDIAOS_BACKUP_KEEP, and never removes the pre-migration or pre-import ones', async () => {
    const w = await world({ MEDIAOS_BACKUP_KEEP: '2', MEDIAOS_BACKUP_INTERVAL_HOURS: '24' });
    const preMigration = await takeBackup(w.tdb.db, w.config, 'pre-migration');
    const preImport = await takeBackup(w.tdb.db, w.config, 'pre-import');
    let clock = Date.now();
    const schedule = startBackupSchedule({ db: w.tdb.db, config: w.config, now: () => new Date(clock) }, log);
    cleanups.push(async () => schedule.stop());
    const first = await schedule.first;
    expect(first && parseBackupName(first.slice(first.lastIndexOf('/') + 1))?.kind).toBe('scheduled');
    expect(await schedule.tick()).toBeUndefined(); // not due yet
    const taken: string[] = [first!];
    for (let day = 1; day <= 3; day++) {
      clock += 25 * 3_600_000;
      const file = await schedule.tick();
      expect(file).toBeDefined();
      taken.push(file!);
    }
    const names = listBackups(w.config.dataDir).map((b) => b.name);
    const scheduled = listBackups(w.config.dataDir)
      .filter((b) => b.kind === 'scheduled')
      .map((b) => b.path);
    expect(scheduled.sort()).toEqual(taken.slice(-2).sort());
    expect(names).toContain(preMigration.file.slice(preMigration.file.lastIndexOf('/') + 1));
    expect(names).toContain(preImport.file.slice(preImport.file.lastIndexOf('/') + 1));
    expect(logs.filter((m) => m === 'scheduled backup written')).toHaveLength(4);
  });

  it('a backup due at start is taken only after the start delay (the server serves first); stopped before, none is taken', async () => {
    const w = await world({ MEDIAOS_BACKUP_INTERVAL_HOURS: '24' });
    const held = startBackupSchedule(w.ctx, log, { delayMs: 10 * 60_000 });
    const early = await Promise.race([held.first.then(() => 'ran'), new Promise((r) => setTimeout(() => r('waiting'), 300))]);
    expect(early).toBe('waiting');
    expect(listBackups(w.config.dataDir)).toEqual([]);
    held.stop();
    expect(await held.first).toBeUndefined();
    expect(listBackups(w.config.dataDir)).toEqual([]);

    const soon = startBackupSchedule(w.ctx, log, { delayMs: 50 });
    cleanups.push(async () => soon.stop());
    const file = await soon.first;
    expect(file && parseBackupName(file.slice(file.lastIndexOf('/') + 1))?.kind).toBe('scheduled');
    expect(listBackups(w.config.dataDir).map((b) => b.kind)).toEqual(['scheduled']);
  });

  it('MEDIAOS_BACKUP_INTERVAL_HOURS=0 turns the schedule off', async () => {
    const w = await world({ MEDIAOS_BACKUP_INTERVAL_HOURS: '0' });
    const schedule = startBackupSchedule(w.ctx, log);
    expect(await schedule.first).toBeUndefined();
    expect(await schedule.tick()).toBeUndefined();
    schedule.stop();
    expect(listBackups(w.config.dataDir)).toEqual([]);
  });

  it('single-file SQLite copies are pruned per label: daily copies never push out the pre-migration one', async () => {
    const w = await world({});
    const preMigrate = await backupDatabase(w.tdb.db, w.config.dataDir, 'pre-migrate-v1', 3);
    for (let i = 0; i < 5; i++) await backupDatabase(w.tdb.db, w.config.dataDir, 'daily', 3);
    const files = readdirSync(join(w.config.dataDir, 'backups'));
    expect(files.filter((f) => f.startsWith('mediaos-daily-'))).toHaveLength(3);
    expect(files).toContain(preMigrate!.slice(preMigrate!.lastIndexOf('/') + 1));
    const kinds = listBackups(w.config.dataDir).map((b) => `${b.format}:${b.kind}`);
    expect(kinds.filter((k) => k === 'sqlite:pre-migration')).toHaveLength(1);
    expect(kinds.filter((k) => k === 'sqlite:scheduled')).toHaveLength(3);
  });

  it('recognises only its own names', () => {
    expect(parseBackupName('mediaos-backup-manual-2025-01-02T03-04-05-678Z-12-3.tar.gz')).toEqual({
      name: 'mediaos-backup-manual-2025-01-02T03-04-05-678Z-12-3.tar.gz',
      format: 'archive',
      kind: 'manual',
      createdAt: '2025-01-02T03:04:05.678Z',
    });
    expect(parseBackupName('mediaos-pre-import-2025-01-02T03-04-05-678Z-1-1.db')?.kind).toBe('pre-import');
    expect(parseBackupName('mediaos-pre-db-copy-2025-01-02T03-04-05-678Z-1-1.db')?.kind).toBe('other');
    for (const bad of ['../mediaos.db', 'mediaos.db', 'secrets.json', 'mediaos-backup-manual-x.tar.gz', 'config-2025-01-02T03-04-05-678Z.tar.gz']) {
      expect(parseBackupName(bad), bad).toBeUndefined();
    }
  });
});

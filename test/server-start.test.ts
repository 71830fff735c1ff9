import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { intervalJobId, missingSearchJobId } from '../src/automation/automation.schedule.js';
import { RSS_SYNC_JOB_TYPE } from '../src/automation/rss-sync.js';
import { listBackups } from '../src/backups/backup-catalog.js';
import { loadConfig } from '../src/config.js';
import { openDatabase } from '../src/db/connect.js';
import { INTEGRITY_CHECK_JOB_TYPE } from '../src/housekeeping/housekeeping.service.js';
import { createJobsSql } from '../src/jobs/jobs.sql.js';
import { type RunningServer, startServer } from '../src/server.js';
import { tempDir } from './helpers/engines.js';

describe('what `serve` runs at start', () => {
  const cleanups: (() => unknown)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  it('answers at once; the due backup, the first missing-items sweep, the first RSS sync and the integrity check wait for MEDIAOS_START_DELAY_SECONDS', async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const config = loadConfig({ MEDIAOS_DATA_DIR: dir, MEDIAOS_CONFIG_DIR: join(dir, 'config'), HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'silent' }, dir);
    expect(config.startDelaySeconds).toBe(300);
    const started = Date.now();
    const server: RunningServer = await startServer(config, { print: () => {} });
    cleanups.push(() => server.close());
    expect((await fetch(`${server.url}/api/health`)).status).toBe(200);

    const db = openDatabase({ engine: 'sqlite', location: config.databaseLocation });
    cleanups.push(() => db.close());
    const jobs = createJobsSql(db.kysely, db.engine);
    const now = new Date();
    expect(await jobs.get(missingSearchJobId(now, config.missingSearchHours * 3_600_000))).toBeUndefined();
    expect(await jobs.get(intervalJobId(RSS_SYNC_JOB_TYPE, now, config.rssSyncMinutes * 60_000))).toBeUndefined();
    // no scheduled backup yet, although none exists (it is due)
    expect(listBackups(config.dataDir).filter((b) => b.kind === 'scheduled')).toEqual([]);
    // the integrity check is queued, to run after the delay
    const [integrity] = await jobs.list({ type: INTEGRITY_CHECK_JOB_TYPE, limit: 10 });
    expect(integrity).toMatchObject({ status: 'queued', attempts: 0 });
    expect(Date.parse(integrity!.runAt)).toBeGreaterThanOrEqual(started + 300_000);
  });
});

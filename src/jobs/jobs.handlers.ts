import { type DownloadTracker, TRACK_DOWNLOADS_JOB_TYPE } from '../automation/download-tracker.js';
import { RSS_SYNC_JOB_TYPE, type RssSync } from '../automation/rss-sync.js';
import { MISSING_SEARCH_JOB_TYPE, parseSearchPayload, WANTED_SEARCH_JOB_TYPE, type WantedSearch } from '../automation/wanted-search.js';
import {
  DB_OPTIMIZE_JOB_TYPE,
  HOUSEKEEPING_JOB_TYPE,
  type HousekeepingDeps,
  INTEGRITY_CHECK_JOB_TYPE,
  runCheckpoint,
  runHousekeeping,
  runIntegrity,
  runOptimize,
  WAL_CHECKPOINT_JOB_TYPE,
} from '../housekeeping/housekeeping.service.js';
import { MEDIA_SCAN_JOB_TYPE, type ScannerService } from '../media/scanner.service.js';
import { VERIFY_JOB_TYPE, type VerifyService } from '../verify/verify.service.js';
import type { JobHandlers } from './jobs.types.js';

/**
 * THE table of job handlers, by job type. A new kind of background work adds one line here
 * (its service does the work; the handler only unpacks the payload).
 */
export function jobHandlers(deps: {
  verify: Pick<VerifyService, 'runJob'>;
  scanner: Pick<ScannerService, 'runJob'>;
  housekeeping: HousekeepingDeps;
  wantedSearch: Pick<WantedSearch, 'searchOne' | 'searchMissing'>;
  downloadTracker: Pick<DownloadTracker, 'trackOnce'>;
  rssSync: Pick<RssSync, 'runOnce'>;
}): JobHandlers {
  const { verify, scanner, housekeeping, wantedSearch, downloadTracker, rssSync } = deps;
  return {
    [VERIFY_JOB_TYPE]: (payload, run) => verify.runJob(payload, run),
    [MEDIA_SCAN_JOB_TYPE]: (payload, run) => scanner.runJob(payload, run),
    [HOUSEKEEPING_JOB_TYPE]: async () => runHousekeeping(housekeeping),
    [DB_OPTIMIZE_JOB_TYPE]: async () => runOptimize(housekeeping),
    [WAL_CHECKPOINT_JOB_TYPE]: async () => runCheckpoint(housekeeping),
    [INTEGRITY_CHECK_JOB_TYPE]: async () => runIntegrity(housekeeping),
    [WANTED_SEARCH_JOB_TYPE]: async (payload) => wantedSearch.searchOne(parseSearchPayload(payload)),
    [MISSING_SEARCH_JOB_TYPE]: async () => wantedSearch.searchMissing(),
    [TRACK_DOWNLOADS_JOB_TYPE]: async () => downloadTracker.trackOnce(),
    [RSS_SYNC_JOB_TYPE]: async () => rssSync.runOnce(),
  };
}

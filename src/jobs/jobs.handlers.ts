import { VERIFY_JOB_TYPE, type VerifyService } from '../verify/verify.service.js';
import type { JobHandlers } from './jobs.types.js';
import { MEDIA_SCAN_JOB_TYPE, type ScannerService } from '../media/scanner.service.js';
import { MISSING_SEARCH_JOB_TYPE, WANTED_SEARCH_JOB_TYPE, parseSearchPayload, type WantedSearch } from '../automation/wanted-search.js';
import { TRACK_DOWNLOADS_JOB_TYPE, type DownloadTracker } from '../automation/download-tracker.js';
import { HOUSEKEEPING_JOB_TYPE, runHousekeeping, type HousekeepingDeps } from '../housekeeping/housekeeping.service.js';

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
}): JobHandlers {
  const { verify, scanner, housekeeping, wantedSearch, downloadTracker } = deps;
  return {
    [VERIFY_JOB_TYPE]: (payload, run) => verify.runJob(payload, run),
    [MEDIA_SCAN_JOB_TYPE]: (payload, run) => scanner.runJob(payload, run),
    [HOUSEKEEPING_JOB_TYPE]: async () => runHousekeeping(housekeeping),
    [WANTED_SEARCH_JOB_TYPE]: async (payload) => wantedSearch.searchOne(parseSearchPayload(payload)),
    [MISSING_SEARCH_JOB_TYPE]: async () => wantedSearch.searchMissing(),
    [TRACK_DOWNLOADS_JOB_TYPE]: async () => downloadTracker.trackOnce(),
  };
}

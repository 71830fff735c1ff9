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
import { MEDIA_IMPORT_JOB_TYPE, type ScannerImport } from '../media/scanner.import.js';
import { MEDIA_SCAN_JOB_TYPE, type ScannerService } from '../media/scanner.service.js';
import { ORGANIZE_JOB_TYPE, ORGANIZE_UNDO_JOB_TYPE, type OrganizerRuns } from '../organizer/organizer.run.js';
import { SUBTITLE_JOB_TYPE, SUBTITLE_SCAN_JOB_TYPE, type SubtitleAutomation } from '../subtitles/subtitles.automation.js';
import { CONTENT_VERIFY_JOB_TYPE, type ContentQueue } from '../verify/content.queue.js';
import { VERIFY_JOB_TYPE, type VerifyService } from '../verify/verify.service.js';
import type { JobHandlers } from './jobs.types.js';

/**
 * THE table of job handlers, by job type. A new kind of background work adds one line here
 * (its service does the work; the handler only unpacks the payload).
 */
export function jobHandlers(deps: {
  verify: Pick<VerifyService, 'runJob'>;
  scanner: Pick<ScannerService, 'runJob'>;
  scannerImport: Pick<ScannerImport, 'runJob'>;
  organizer: Pick<OrganizerRuns, 'runJob' | 'undoJob'>;
  contentQueue: Pick<ContentQueue, 'runJob'>;
  subtitleTools: Pick<SubtitleAutomation, 'runScan' | 'runProcess'>;
  housekeeping: HousekeepingDeps;
  wantedSearch: Pick<WantedSearch, 'searchOne' | 'searchMissing'>;
  downloadTracker: Pick<DownloadTracker, 'trackOnce'>;
  rssSync: Pick<RssSync, 'runOnce'>;
}): JobHandlers {
  const { verify, scanner, scannerImport, organizer, contentQueue, subtitleTools, housekeeping, wantedSearch, downloadTracker, rssSync } = deps;
  return {
    [VERIFY_JOB_TYPE]: (payload, run) => verify.runJob(payload, run),
    [MEDIA_SCAN_JOB_TYPE]: (payload, run) => scanner.runJob(payload, run),
    [MEDIA_IMPORT_JOB_TYPE]: (payload, run) => scannerImport.runJob(payload, run),
    [ORGANIZE_JOB_TYPE]: (payload, run) => organizer.runJob(payload, run),
    [ORGANIZE_UNDO_JOB_TYPE]: (payload) => organizer.undoJob(payload),
    [CONTENT_VERIFY_JOB_TYPE]: (payload, run) => contentQueue.runJob(payload, run),
    [SUBTITLE_SCAN_JOB_TYPE]: async () => subtitleTools.runScan(),
    [SUBTITLE_JOB_TYPE]: (payload, run) => subtitleTools.runProcess(payload, run),
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

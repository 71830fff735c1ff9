import { VERIFY_JOB_TYPE, type VerifyService } from '../verify/verify.service.js';
import type { JobHandlers } from './jobs.types.js';
import { MEDIA_SCAN_JOB_TYPE, type ScannerService } from '../media/scanner.service.js';
import { HOUSEKEEPING_JOB_TYPE, runHousekeeping, type HousekeepingDeps } from '../housekeeping/housekeeping.service.js';

/**
 * THE table of job handlers, by job type. A new kind of background work adds one line here
 * (its service does the work; the handler only unpacks the payload).
 */
export function jobHandlers(deps: { verify: Pick<VerifyService, 'runJob'>; scanner: Pick<ScannerService, 'runJob'>; housekeeping: HousekeepingDeps }): JobHandlers {
  const { verify, scanner, housekeeping } = deps;
  return {
    [VERIFY_JOB_TYPE]: (payload, run) => verify.runJob(payload, run),
    [MEDIA_SCAN_JOB_TYPE]: (payload, run) => scanner.runJob(payload, run),
    [HOUSEKEEPING_JOB_TYPE]: async () => runHousekeeping(housekeeping),
  };
}

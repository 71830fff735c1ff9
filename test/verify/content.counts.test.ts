// The verify results' counts (total and passed over every check a job made) are counted once per
// process and kept until a check is saved (src/db/cached-counts.ts): never wrong after a save here.

import { afterEach, describe, expect, it } from 'vitest';
import type { ContentVerifyResult } from '../../src/verify/content.rules.js';
import { createContentChecksSql } from '../../src/verify/content.sql.js';
import { createTestDatabase, sqlEngines, type TestDatabase } from '../helpers/engines.js';

const result = (passed: boolean) =>
  ({ passed, issues: [], securityIssues: [], checks: {}, verifiedAt: '2025-01-01T00:00:00.000Z' }) as unknown as ContentVerifyResult;
const AT = '2025-01-01T00:00:00.000Z';

for (const engine of sqlEngines()) {
  describe(`verify result counts kept by this process (${engine})`, () => {
    let t: TestDatabase | undefined;
    afterEach(async () => {
      await t?.cleanup();
      t = undefined;
    });

    it('keeps total and passed until a check is saved; exact after saves that add, replace and flip passed', async () => {
      t = await createTestDatabase(engine);
      const checks = createContentChecksSql(t.db.kysely, engine);
      await checks.save('/m/a.mkv', result(true), 'j1', AT);
      expect(await checks.countFromJobs()).toEqual({ total: 1, passed: 1 });
      // Written beside the store: not seen while kept...
      await t.db.kysely
        .insertInto('content_checks')
        .values({ path: '/m/ghost.mkv', passed: true, issue_count: 0, security_issue_count: 0, result: '{}', metadata: null, job_id: 'j0', checked_at: AT })
        .execute();
      expect(await checks.countFromJobs()).toEqual({ total: 1, passed: 1 });
      // ...a save drops the counts.
      await checks.save('/m/b.mkv', result(false), 'j2', AT);
      expect(await checks.countFromJobs()).toEqual({ total: 3, passed: 2 });
      await checks.save('/m/a.mkv', result(false), 'j3', AT); // replaced: passed flips
      expect(await checks.countFromJobs()).toEqual({ total: 3, passed: 1 });
      await checks.save('/m/c.mkv', result(true), null, AT); // not a job's check: not counted
      expect(await checks.countFromJobs()).toEqual({ total: 3, passed: 1 });
    });
  });
}

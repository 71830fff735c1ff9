import type { Kysely } from 'kysely';
import { fromBool, fromJson, toJson, toJsonOrNull } from '../db/json.js';
import type { DB } from '../db/schema.js';
import type { ContentMetadata, ContentVerifyResult } from './content.rules.js';

/** One row of GET /api/verify/queue/results. */
export interface ContentCheckSummary {
  id: string;
  path: string;
  passed: boolean;
  issueCount: number;
  securityIssueCount: number;
  metadata?: ContentMetadata;
  checkedAt: string;
}

/** The last content check per file (`content_checks`, migration 0009). */
export function createContentChecksSql(db: Kysely<DB>) {
  return {
    async save(path: string, result: ContentVerifyResult, jobId: string | null, at: string): Promise<void> {
      const row = {
        passed: result.passed,
        issue_count: result.issues.length,
        security_issue_count: result.securityIssues.length,
        result: toJson(result),
        metadata: toJsonOrNull(result.metadata),
        job_id: jobId,
        checked_at: at,
      };
      await db
        .insertInto('content_checks')
        .values({ path, ...row })
        .onConflict((oc) => oc.column('path').doUpdateSet(row))
        .execute();
    },

    async get(path: string): Promise<ContentVerifyResult | undefined> {
      const r = await db.selectFrom('content_checks').select('result').where('path', '=', path).executeTakeFirst();
      return r ? fromJson<ContentVerifyResult>(r.result) : undefined;
    },

    /** Checks made by queue jobs, newest first. */
    async fromJobs(limit: number): Promise<ContentCheckSummary[]> {
      const rows = await db
        .selectFrom('content_checks')
        .select(['path', 'passed', 'issue_count', 'security_issue_count', 'metadata', 'job_id', 'checked_at'])
        .where('job_id', 'is not', null)
        .orderBy('checked_at', 'desc')
        .orderBy('path')
        .limit(limit)
        .execute();
      return rows.map((r) => {
        const out: ContentCheckSummary = {
          id: r.job_id as string,
          path: r.path,
          passed: fromBool(r.passed) ?? false,
          issueCount: Number(r.issue_count),
          securityIssueCount: Number(r.security_issue_count),
          checkedAt: r.checked_at,
        };
        const md = fromJson<ContentMetadata>(r.metadata);
        if (md !== undefined) out.metadata = md;
        return out;
      });
    },
  };
}
export type ContentChecksSql = ReturnType<typeof createContentChecksSql>;

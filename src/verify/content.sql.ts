import type { Kysely, Selectable } from 'kysely';
import { cachedCounts } from '../db/cached-counts.js';
import type { Engine } from '../db/dialect.js';
import { fromBool, fromJson, toJson, toJsonOrNull } from '../db/json.js';
import type { ContentChecksTable, DB } from '../db/schema.js';
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

/** Where a page of checks ends: the last check's time and path. */
export interface ContentCheckCursor {
  checkedAt: string;
  path: string;
}

type SummaryRow = Pick<Selectable<ContentChecksTable>, 'path' | 'passed' | 'issue_count' | 'security_issue_count' | 'metadata' | 'job_id' | 'checked_at'>;

function toSummary(r: SummaryRow): ContentCheckSummary {
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
}

/** The last content check per file (`content_checks`, migration 0009). */
export function createContentChecksSql(db: Kysely<DB>, engine: Engine) {
  // The results page's counts (every check a job made) are kept until a check is saved: a save
  // may insert, replace or change `passed`, so it drops them (db/cached-counts.ts).
  const counts = cachedCounts(db, engine, 'content_checks');
  const countChecks = async (passedOnly: boolean) => {
    const r = await db
      .selectFrom('content_checks')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('job_id', 'is not', null)
      .$if(passedOnly, (q) => q.where('passed', '=', true))
      .executeTakeFirstOrThrow();
    return Number(r.n);
  };
  /** Checks made by queue jobs: `checked_at` descending, then path ascending (idx_content_checks_jobs), after `after`. */
  const jobChecks = (after: ContentCheckCursor | null, limit: number): Promise<SummaryRow[]> =>
    db
      .selectFrom('content_checks')
      .select(['path', 'passed', 'issue_count', 'security_issue_count', 'metadata', 'job_id', 'checked_at'])
      .where('job_id', 'is not', null)
      // `<=` bounds the index range; the OR only drops the ties already shown
      .$if(after !== null, (q) =>
        q.where('checked_at', '<=', after!.checkedAt).where((eb) => eb.or([eb('checked_at', '<', after!.checkedAt), eb('path', '>', after!.path)])),
      )
      .orderBy('checked_at', 'desc')
      .orderBy('path')
      .limit(limit)
      .execute();

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
      await counts.write(
        () =>
          db
            .insertInto('content_checks')
            .values({ path, ...row })
            .onConflict((oc) => oc.column('path').doUpdateSet(row))
            .execute(),
        () => 'drop',
      );
    },

    async get(path: string): Promise<ContentVerifyResult | undefined> {
      const r = await db.selectFrom('content_checks').select('result').where('path', '=', path).executeTakeFirst();
      return r ? fromJson<ContentVerifyResult>(r.result) : undefined;
    },

    /** Checks made by queue jobs, newest first (then by path). */
    async fromJobs(limit: number): Promise<ContentCheckSummary[]> {
      return (await jobChecks(null, limit)).map(toSummary);
    },

    /**
     * One keyset page of `fromJobs`' order after `after` (the last check of the previous page)
     * on idx_content_checks_jobs, one row more than the page to know whether another follows.
     */
    async fromJobsPage(after: ContentCheckCursor | null, limit: number): Promise<{ items: ContentCheckSummary[]; next: ContentCheckCursor | null }> {
      const rows = await jobChecks(after, limit + 1);
      const items = rows.slice(0, limit).map(toSummary);
      const last = items[items.length - 1];
      return { items, next: rows.length > limit && last ? { checkedAt: last.checkedAt, path: last.path } : null };
    },

    /** How many checks queue jobs made, and how many of them passed. */
    async countFromJobs(): Promise<{ total: number; passed: number }> {
      const [total, passed] = await Promise.all([counts.read('total', () => countChecks(false)), counts.read('passed', () => countChecks(true))]);
      return { total, passed };
    },
  };
}
export type ContentChecksSql = ReturnType<typeof createContentChecksSql>;

import type { Command } from 'commander';
import { createJobsAdmin, type JobsAdmin } from '../jobs/jobs.admin.js';
import { createJobsSql } from '../jobs/jobs.sql.js';
import type { JobRecord } from '../jobs/jobs.types.js';
import type { CliIo } from './io.js';
import { guarded, openMigrationContext } from './migration-context.js';

/**
 * `mediaos jobs list|retry ID|cancel ID`: the database job queue, for the console (no server
 * needed; a running server picks up a retried job at its next poll).
 */
export function registerJobsCommand(program: Command, io: CliIo): void {
  const jobs = program.command('jobs').description('list the background job queue, retry a failed job, cancel a queued or running one');

  async function withAdmin(body: (admin: JobsAdmin) => Promise<void>): Promise<void> {
    await guarded(io, 1, async () => {
      const ctx = await openMigrationContext(io);
      try {
        await body(createJobsAdmin({ sql: createJobsSql(ctx.db.kysely, ctx.db.engine), now: () => new Date() }));
      } finally {
        await ctx.close();
      }
    });
  }

  const show = (j: JobRecord) =>
    [
      j.id,
      j.type,
      j.status,
      `attempts ${j.attempts}/${j.maxAttempts}`,
      j.status === 'queued' ? `run at ${j.runAt}` : `updated ${j.updatedAt}`,
      j.lockedBy ? `by ${j.lockedBy}` : '',
      j.error ? `error: ${j.error}` : '',
    ]
      .filter(Boolean)
      .join('  ');

  jobs
    .command('list')
    .description('list jobs, newest first (id, type, status, attempts, time, worker, last error)')
    .option('--status <status>', 'only jobs in this status: queued | running | completed | failed')
    .option('--limit <n>', 'at most this many (1-10000)', '50')
    .option('--json', 'one JSON object per line')
    .action(async (opts: { status?: string; limit: string; json?: boolean }) =>
      withAdmin(async (admin) => {
        const list = await admin.list({ status: opts.status, limit: Number(opts.limit) });
        for (const j of list) io.out(opts.json ? JSON.stringify(j) : show(j));
        if (!opts.json && list.length === 0) io.out('no jobs');
      }),
    );

  jobs
    .command('retry')
    .description('queue a failed job again, with a fresh set of attempts')
    .argument('<id>')
    .action(async (id: string) =>
      withAdmin(async (admin) => {
        io.out(`retrying ${show(await admin.retry(id))}`);
      }),
    );

  jobs
    .command('cancel')
    .description('cancel a queued or running job (kept as failed, with the reason)')
    .argument('<id>')
    .action(async (id: string) =>
      withAdmin(async (admin) => {
        io.out(`cancelled ${show(await admin.cancel(id))}`);
      }),
    );
}

import type { Command } from 'commander';
import { AppError } from '../errors.js';
import { noticesForServers } from '../events/cluster-relay.js';
import { createQuarantineReview, type FieldSet, parseSetArgument } from '../migration/quarantine.js';
import { createAuditService } from '../system/audit.service.js';
import { createAuditSql } from '../system/audit.sql.js';
import type { CliIo } from './io.js';
import { guarded, type MigrationContext, openMigrationContext } from './migration-context.js';

/** An AppError's message (`error` plus the `message` it carries) as one line. */
function describe(err: unknown): Error {
  if (err instanceof AppError) return new Error(typeof err.extra.message === 'string' ? err.extra.message : err.code);
  return err instanceof Error ? err : new Error(String(err));
}

export function registerQuarantineCommand(program: Command, io: CliIo): void {
  const q = program.command('quarantine').description('review the records an import set aside: list, show, admit (fixed, through the import checks) or drop');

  async function withReview(body: (review: ReturnType<typeof createQuarantineReview>, ctx: MigrationContext) => Promise<void>): Promise<void> {
    await guarded(io, 2, async () => {
      const ctx = await openMigrationContext(io);
      try {
        const log = { error: (o: unknown, m: string) => io.err(`${m}: ${JSON.stringify(o)}`) };
        const audit = createAuditService({ audit: createAuditSql(ctx.db.kysely), log, now: () => new Date() });
        const review = createQuarantineReview({ db: ctx.db, secretBox: ctx.secretBox, legacyKey: ctx.encryptionKey, audit });
        // An admitted record changes what running servers keep counted: they are told (events/cluster-relay.ts).
        const notices = noticesForServers(ctx.db);
        await body(review, ctx)
          .catch((err: unknown) => {
            throw describe(err);
          })
          .finally(notices.stop);
        await notices
          .flush()
          .catch((err: unknown) => io.err(`warning: running servers were not told at once (they count again within 5 s): ${describe(err).message}`));
      } finally {
        await ctx.close();
      }
    });
  }

  q.command('list')
    .description('list the quarantined records (id, file, locator, reason)')
    .option('--limit <n>', 'records per page', '100')
    .option('--cursor <cursor>', 'the next page (printed under a full page)')
    .action(async (opts: { limit: string; cursor?: string }) =>
      withReview(async (review) => {
        const limit = Number(opts.limit);
        if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) throw new Error(`--limit must be 1..10000 (got "${opts.limit}")`);
        const page = await review.list({ limit, cursor: opts.cursor });
        if (page.total === 0) io.out('no quarantined records');
        for (const r of page.items) io.out(`${r.id}\t${r.file}\t${r.locator || '(whole file)'}\t${r.reason}`);
        if (page.nextCursor) io.out(`more: mediaos quarantine list --cursor ${page.nextCursor}`);
        if (page.total > 0) io.out(`${page.total} quarantined record(s)`);
      }),
    );

  q.command('show')
    .description('print one quarantined record: where it was, why, and its text (secrets redacted)')
    .argument('<id>')
    .action(async (id: string) =>
      withReview(async (review) => {
        const r = await review.show(id);
        io.out(`id: ${r.id}`);
        io.out(`file: ${r.file}`);
        io.out(`locator: ${r.locator || '(whole file)'}`);
        io.out(`reason: ${r.reason}`);
        io.out(r.admissible ? 'admit: possible once fixed (mediaos quarantine admit ID --set field=value)' : `admit: not possible: ${r.notAdmissible}`);
        io.out(r.raw === null ? 'raw: (not shown: the file may hold secrets)' : `raw:\n${r.raw}`);
      }),
    );

  q.command('admit')
    .description('fix a quarantined record and insert it through the same checks as the import (nothing changes if one fails)')
    .argument('<id>')
    .option('--set <field=value...>', 'set a field before the checks (value as JSON when it parses, else text; dotted names for nested fields)')
    .option('--dry-run', 'run the checks and print what it would do; change nothing')
    .action(async (id: string, opts: { set?: string[]; dryRun?: boolean }) =>
      withReview(async (review) => {
        const set: FieldSet = {};
        for (const arg of opts.set ?? []) {
          const [field, value] = parseSetArgument(arg);
          set[field] = value;
        }
        const r = await review.admit(id, set, 'cli', { preview: opts.dryRun });
        io.out(r.summary);
      }),
    );

  q.command('drop')
    .description('delete a quarantined record on purpose (export no longer writes it back; audited)')
    .argument('<id>')
    .option('--dry-run', 'print what it would do; change nothing')
    .action(async (id: string, opts: { dryRun?: boolean }) =>
      withReview(async (review) => {
        const r = await review.drop(id, 'cli', { preview: opts.dryRun });
        io.out(r.summary);
      }),
    );
}

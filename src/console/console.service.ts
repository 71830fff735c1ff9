/**
 * The migration console (admin, web console and API): the operations of `mediaos import`,
 * `import --dry-run`, `verify-import`, `phase` and `rollback`, called through the same functions
 * (src/migration/*), plus the quarantine review. The import runs as a job on the database queue
 * (`migration.import`), reports progress on the job and on the event bus (`import.*`), and audits
 * what it did. Every mutating operation has a preview that says what it will do and changes nothing.
 */
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Config } from '../config.js';
import type { Database } from '../db/connect.js';
import { migrationStatus } from '../db/migrator.js';
import { Invalid } from '../errors.js';
import type { EventBus } from '../events/events.bus.js';
import type { JobQueue } from '../jobs/jobs.queue.js';
import { type JobHandlers, type JobRunContext, PermanentJobError } from '../jobs/jobs.types.js';
import { type ImportProgress, type ImportReport, runImport } from '../migration/import.js';
import { createImportSql } from '../migration/import.sql.js';
import { planPhase, setPhase, verifyConfigDir } from '../migration/phases.js';
import { createQuarantineReview } from '../migration/quarantine.js';
import { mismatchLines, summaryLines } from '../migration/report.js';
import { runRollback, unverifiableUsers } from '../migration/rollback.js';
import { ensureInstanceSecrets } from '../secrets-file.js';
import { createSecretBox } from '../security/secret-box.js';
import { createFileSyncLedger } from '../storage/file-sync.js';
import { readPhase } from '../storage/phase.js';
import type { StoragePhase } from '../storage/phase-list.js';
import type { AuditRecorder } from '../system/audit.types.js';

export const IMPORT_JOB_TYPE = 'migration.import';

export interface MigrationConsoleDeps {
  config: Config;
  db: Database;
  audit: AuditRecorder;
  events?: Pick<EventBus, 'publish'>;
  now: () => Date;
}

export interface ImportRequest {
  from: string;
  skipBrokenFiles?: boolean;
  prune?: boolean;
  allowEmpty?: boolean;
}

/** Most mismatches an answer lists (the count is always complete). */
const MISMATCH_LIMIT = 200;

/** The legacy directory an admin named: an existing directory, as an absolute path. */
export function legacyDir(from: string): string {
  const dir = resolve(from);
  let isDir = false;
  try {
    isDir = statSync(dir).isDirectory();
  } catch {
    /* absent */
  }
  if (!isDir) throw new Invalid(`from: ${dir} is not an existing directory`);
  return dir;
}

/** Progress of an import as 0..100 and a phrase, from the importer's callbacks. */
export function importProgress(report: (percent: number, message: string) => void): ImportProgress {
  const at: Record<string, number> = { backup: 2, read: 5, write: 40, verify: 90, commit: 98, statistics: 99 };
  return {
    phase: (name) => report(at[name] ?? 0, `${name}`),
    library: (stage, items, bytes, total) => {
      const f = total > 0 ? Math.min(1, bytes / total) : 1;
      const percent = stage === 'read' ? 5 + 35 * f : 40 + 50 * f;
      report(Math.floor(percent), stage === 'read' ? `reading library.json (${Math.round(f * 100)}%)` : `writing library items (${items})`);
    },
  };
}

export function createMigrationConsole(deps: MigrationConsoleDeps) {
  const { config, db } = deps;
  const secrets = () => {
    const s = ensureInstanceSecrets(config);
    return { legacyKey: s.encryptionKey, secretBox: createSecretBox(s.encryptionKey) };
  };
  const quarantine = createQuarantineReview({
    db,
    get secretBox() {
      return secrets().secretBox;
    },
    get legacyKey() {
      return secrets().legacyKey;
    },
    audit: deps.audit,
    now: deps.now,
  });
  const importSql = () => createImportSql(db.kysely, db.engine);
  /** The last progress of each import job this process ran (polled by the console; events carry it live). */
  const progressByJob = new Map<string, { percent: number; message: string }>();

  function importOptions(req: ImportRequest, dryRun: boolean, progress?: ImportProgress) {
    const s = secrets();
    return {
      db,
      from: legacyDir(req.from),
      dataDir: config.dataDir,
      backupRetention: config.backupRetention,
      legacyKey: s.legacyKey,
      secretBox: s.secretBox,
      dryRun,
      skipBrokenFiles: req.skipBrokenFiles,
      allowEmpty: req.allowEmpty,
      prune: req.prune,
      label: 'console-import',
      progress,
    };
  }

  /** Errors of the import that say what to fix become 400s (nothing was changed). */
  async function asInvalid<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (err) {
      if (err instanceof Invalid) throw err;
      const message = err instanceof Error ? err.message : String(err);
      throw new Invalid(message.includes('nothing was changed') ? message : `${message} (nothing was changed)`);
    }
  }

  const reportView = (r: ImportReport) => ({ report: r, lines: summaryLines(r) });

  async function runImportJob(payload: unknown, run: JobRunContext): Promise<unknown> {
    const req = payload as ImportRequest & { actor?: string };
    const publish = (type: 'import.started' | 'import.progress' | 'import.completed' | 'import.failed', data: Record<string, unknown>) =>
      deps.events?.publish(type, { jobId: run.job.id, ...data });
    let last = -1;
    const progress = importProgress((percent, message) => {
      if (percent === last) return;
      last = percent;
      progressByJob.set(run.job.id, { percent, message });
      if (progressByJob.size > 20) progressByJob.delete(progressByJob.keys().next().value as string);
      run.progress?.({ percent, message });
      publish('import.progress', { percent, message });
    });
    publish('import.started', { from: req.from });
    try {
      const report = await runImport(importOptions(req, false, progress));
      publish('import.completed', { percent: 100, exitCode: report.exitCode, quarantined: report.quarantine.length, changed: report.changed });
      await deps.audit.record({
        actor: req.actor ?? 'system',
        entity: 'migration',
        entityId: report.id,
        action: 'import',
        after: { from: req.from, exitCode: report.exitCode, quarantined: report.quarantine.length, changed: report.changed },
      });
      return { reportId: report.id, exitCode: report.exitCode, quarantined: report.quarantine.length, changed: report.changed };
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      publish('import.failed', { error: message });
      // nothing was changed; running it again would fail the same way until the files are fixed
      throw new PermanentJobError(message);
    }
  }

  return {
    quarantine,
    jobHandlers: { [IMPORT_JOB_TYPE]: runImportJob } as JobHandlers,
    progressOf: (jobId: string) => progressByJob.get(jobId),

    async status() {
      const phase = await readPhase(db, config);
      const schema = await migrationStatus(db);
      const last = (await importSql().lastRuns(1))[0];
      const lastReport = await this.lastReport();
      return {
        engine: db.engine,
        phase,
        schemaVersion: { current: schema.current, latest: schema.latest, pending: schema.pending.map((p) => p.version) },
        configDir: config.configDir,
        lastImport: last
          ? {
              id: String(last.id),
              sourceDir: String(last.source_dir),
              startedAt: String(last.started_at),
              finishedAt: last.finished_at === null ? null : String(last.finished_at),
              status: String(last.status),
              exitCode: Number(last.exit_code),
              ...(lastReport && lastReport.id === last.id ? { files: lastReport.files.length, quarantined: lastReport.quarantine.length } : {}),
            }
          : null,
        pendingFileSync: (await createFileSyncLedger(db.kysely).list()).map((p) => p.store),
        quarantined: (await quarantine.list({ limit: 1 })).total,
      };
    },

    /** `mediaos import --dry-run --from DIR`: per file new/changed/removed, what would be quarantined; writes nothing. */
    async dryRun(req: ImportRequest) {
      return reportView(await asInvalid(() => runImport(importOptions(req, true))));
    },

    /** Preview: the dry run and what the real import adds (backups first, one transaction). Else: the job id. */
    async startImport(queue: Pick<JobQueue, 'enqueue'>, req: ImportRequest, actor: string, opts: { preview?: boolean } = {}) {
      const from = legacyDir(req.from);
      if (opts.preview) {
        const dry = await this.dryRun({ ...req, from });
        const totals = dry.report.files.reduce((t, f) => ({ n: t.n + f.inserted, c: t.c + f.updated, r: t.r + f.deleted }), { n: 0, c: 0, r: 0 });
        const summary = `will back up the database and ${from} into ${config.dataDir}/backups, then in one transaction make the database equal to the files: ${totals.n} new, ${totals.c} changed, ${totals.r} removed, ${dry.report.quarantine.length} quarantined; then read it back and compare`;
        return { preview: true, summary, ...dry };
      }
      const jobId = await queue.enqueue(IMPORT_JOB_TYPE, { ...req, from, actor }, { maxAttempts: 1, now: deps.now() });
      return { preview: false, jobId, summary: `import of ${from} queued as job ${jobId}` };
    },

    /** The report of the newest import that wrote (as recorded at its commit). */
    async lastReport(): Promise<ImportReport | undefined> {
      const row = await importSql().lastReport();
      if (!row) return undefined;
      const report = (typeof row.report === 'string' ? JSON.parse(row.report) : row.report) as ImportReport;
      return report && Array.isArray(report.files) ? report : undefined;
    },

    /** `mediaos verify-import`: every legacy record compared with the database. */
    async verify(req: { from?: string }) {
      const from = legacyDir(req.from ?? config.configDir);
      const s = secrets();
      const r = await asInvalid(() => verifyConfigDir(db, from, s.legacyKey, s.secretBox));
      return {
        from,
        checked: r.checked,
        mismatchCount: r.mismatches.length,
        truncated: Boolean(r.truncated),
        mismatches: r.mismatches.slice(0, MISMATCH_LIMIT),
        lines: mismatchLines(r.mismatches.slice(0, MISMATCH_LIMIT)),
      };
    },

    /** `mediaos phase set`: with preview, what the move checks and whether it would be refused. */
    async setPhase(req: { target: StoragePhase; from?: string; force?: boolean }, actor: string, opts: { preview?: boolean } = {}) {
      const from = legacyDir(req.from ?? config.configDir);
      const plan = await planPhase({ db, config, target: req.target, force: req.force });
      const restart = 'the running server keeps its phase until it is restarted';
      if (opts.preview) {
        const check = plan.verifies
          ? `compare every record of ${from} with the database first (verify-import) and refuse on any mismatch${req.force ? ' (unless forced)' : ''}, then `
          : '';
        const summary = plan.refusal ? plan.refusal : `will ${check}record phase ${req.target} (from ${plan.from}); ${restart}`;
        return { preview: true, from: plan.from, to: req.target, verifies: plan.verifies, refused: Boolean(plan.refusal), summary };
      }
      const s = secrets();
      const r = await asInvalid(() =>
        setPhase({ db, config, target: req.target, legacyKey: s.legacyKey, secretBox: s.secretBox, force: req.force, configDir: from }),
      );
      await deps.audit.record({ actor, entity: 'migration', action: 'phase', before: { phase: r.from }, after: { phase: r.to, forced: Boolean(req.force) } });
      return {
        preview: false,
        from: r.from,
        to: r.to,
        ...(r.verify ? { verify: { checked: r.verify.checked, mismatchCount: r.verify.mismatches.length } } : {}),
        summary: `storage phase: ${r.from} -> ${r.to}; ${restart}`,
      };
    },

    /** `mediaos rollback`: archive the config dir, export the database into it, phase files. */
    async rollback(actor: string, opts: { preview?: boolean } = {}) {
      const users = await unverifiableUsers(db);
      if (opts.preview) {
        const summary = `will archive ${config.configDir} into ${config.dataDir}/backups, write the database into it as legacy files (quarantined records included), and record phase files; ${users.length} user(s) would have to reset their password on the old server`;
        return { preview: true, summary, unverifiable: users };
      }
      const s = secrets();
      const r = await asInvalid(() =>
        runRollback({
          db,
          configDir: config.configDir,
          dataDir: config.dataDir,
          backupRetention: config.backupRetention,
          legacyKey: s.legacyKey,
          secretBox: s.secretBox,
        }),
      );
      await deps.audit.record({ actor, entity: 'migration', action: 'rollback', after: { archive: r.archive, written: r.exported.written.length } });
      return {
        preview: false,
        archive: r.archive,
        written: r.exported.written,
        removed: r.removed,
        unverifiable: r.unverifiable,
        summary: `exported the database into ${config.configDir} and recorded phase files; the running server keeps its phase until it is restarted`,
      };
    },
  };
}

export type MigrationConsole = ReturnType<typeof createMigrationConsole>;

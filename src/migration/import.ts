/**
 * `mediaos import`: back up, read and validate every legacy file, then ONE transaction that makes
 * the database equal to the files (upsert by key, delete what is gone, quarantine what cannot go
 * into a column), read back and compare inside that transaction, and record the run. Any error
 * before the commit leaves the database as it was. Re-running on the same directory changes no
 * row and says so.
 */
import { mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import { createAppStateSql } from '../db/app-state.sql.js';
import { backupsDir } from '../db/backup.js';
import { dropCounts } from '../db/cached-counts.js';
import type { Database } from '../db/connect.js';
import { createLocksSql, describeHolder, MAINTENANCE_LOCK } from '../db/locks.sql.js';
import type { DB } from '../db/schema.js';
import { bumpLibraryTotals } from '../library/library.sql.js';
import type { SecretBox } from '../security/secret-box.js';
import { randomHexId } from '../security/tokens.js';
import { backupDatabaseBeforeImport, type PreImportBackup, pruneAfterImport, stamp } from './backup.js';
import { jsonEqual } from './compare.js';
import type { SetDigest } from './digest.js';
import { checkFreeSpace, directoryBytes, type FreeSpaceProbe, IMPORT_FACTOR, type SpaceNeed } from './free-space.js';
import { createImportSql, type ImportSql } from './import.sql.js';
import { checkImportSource, excessiveRemovals, pruneRefusal } from './import-guards.js';
import { boundSqliteMemory, rollbackJournalWhileAlone, withoutSmallHeap } from './import-memory.js';
import { refreshStatistics, type StatisticsResult } from './import-statistics.js';
import { type Counts, syncQuarantine, syncTarget } from './import-sync.js';
import { type KeyedCounts, writeKeyed } from './keyed-import.js';
import { importLibraryFile } from './library-file.js';
import type { KindWarning } from './library-kind.js';
import { deferredKeyedSnapshots, keyedOptions, readWhileWritingKeyed } from './read-phase.js';
import type { FileSnapshot, QuarantineEntry } from './snapshot.js';
import { type Mismatch, verifyAgainstDatabase } from './verify.js';

/** app_state key: which legacy files existed at the last import (export writes those back even when empty). */
export const LEGACY_FILES_KEY = 'legacy_files';

export const EXIT_OK = 0;
export const EXIT_ERROR = 2;
export const EXIT_QUARANTINED = 3;

export interface ImportProgress {
  phase(name: 'backup' | 'read' | 'write' | 'verify' | 'commit' | 'statistics'): void;
  /** library.json while it is read or written (bytes give the fraction). */
  library(stage: 'read' | 'write', items: number, bytes: number, totalBytes: number): void;
}

export interface ImportOptions {
  db: Database;
  /** The legacy config/ directory. */
  from: string;
  dataDir: string;
  backupRetention: number;
  legacyKey: string | undefined;
  secretBox: SecretBox;
  dryRun?: boolean;
  skipBrokenFiles?: boolean;
  /** Import a directory that holds none of the legacy files (empties the database). */
  allowEmpty?: boolean;
  /** Remove more than import-guards' threshold of what the database holds. */
  prune?: boolean;
  lockWaitMs?: number;
  /**
   * false: leave SQLite's memory bounds (no mmap, temp to files) in place after the import; the
   * CLI closes the database right after, and re-enabling the map would only inflate RSS at close.
   */
  restorePragmas?: boolean;
  /** Bytes free on a file system (default: statfs); tests pass their own. */
  freeSpace?: FreeSpaceProbe;
  /** Label of the backups and of the lock holder (`import`, `auto-import`). */
  label?: string;
  progress?: ImportProgress;
  /**
   * Switches V8's small-heap setting (import-memory.ts favorSmallHeap), which the caller has on:
   * off while library.json is checked (read phase) and parsed (its write), on again after. Only for
   * a process the import owns.
   */
  smallHeap?: (on: boolean) => void;
  /**
   * SQLite: write with a rollback journal instead of WAL when no other connection has the database
   * open (import-memory.ts rollbackJournalWhileAlone; the commit copies nothing a second time).
   * For the CLI, whose process holds the only connection; a server keeps its readers going in WAL.
   */
  rollbackJournal?: boolean;
}

export interface FileReport {
  file: string;
  exists: boolean;
  broken?: string;
  read: number;
  imported: number;
  quarantined: number;
  inserted: number;
  updated: number;
  deleted: number;
  unchanged: number;
}

export interface ImportReport {
  id: string;
  sourceDir: string;
  startedAt: string;
  finishedAt: string;
  dryRun: boolean;
  status: 'completed' | 'failed';
  exitCode: number;
  /** True when any row (or quarantined record) was added, changed or removed. */
  changed: boolean;
  backup?: PreImportBackup;
  files: FileReport[];
  /** Every quarantined record (never its value: it may hold a secret). */
  quarantine: { file: string; locator: string; reason: string }[];
  /** Records imported with a normalized value (library kinds spelled in another case, with spaces or plural). */
  warnings: KindWarning[];
  /** `byDigest`: the files checked by the import's digests alone (no second read of the file; verify.ts). */
  verify?: { checked: number; mismatches: Mismatch[]; byDigest?: string[] };
  /** PostgreSQL, after a commit that changed rows: the planner statistics refreshed (import-statistics.ts). */
  statistics?: StatisticsResult;
  /** Dry run: the removals a real run would refuse without `--prune`. */
  pruneNeeded?: string[];
  error?: string;
  reportFile?: string;
}

class RollbackSignal extends Error {}

export class ImportVerifyError extends Error {
  constructor(readonly mismatches: Mismatch[]) {
    super(
      `read-back check failed: ${mismatches.length} mismatch(es), first: ${mismatches[0]?.file} ${mismatches[0]?.locator} ${mismatches[0]?.field} ${mismatches[0]?.problem}; nothing was changed`,
    );
  }
}

function fileReport(snap: FileSnapshot): FileReport {
  return {
    file: snap.spec.file,
    exists: snap.exists,
    ...(snap.broken ? { broken: snap.broken } : {}),
    read: snap.read,
    imported: snap.keyed ? snap.keyed.accepted : snap.accepted.filter((u) => u.target === snap.spec.target).length,
    quarantined: snap.quarantine.length,
    inserted: 0,
    updated: 0,
    deleted: 0,
    unchanged: 0,
  };
}

function add(r: FileReport, c: Counts): void {
  r.inserted += c.inserted;
  r.updated += c.updated;
  r.deleted += c.deleted;
  r.unchanged += c.unchanged;
}

/** The whole import. Throws (LegacyFileError, LockBusyError, ImportVerifyError, ...) when nothing was changed because of an error. */
export async function runImport(opts: ImportOptions): Promise<ImportReport> {
  checkImportSource(opts.from, { allowEmpty: opts.allowEmpty });
  const started = new Date();
  const id = randomHexId();
  const label = opts.label ?? 'import';
  const report: ImportReport = {
    id,
    sourceDir: opts.from,
    startedAt: started.toISOString(),
    finishedAt: '',
    dryRun: Boolean(opts.dryRun),
    status: 'completed',
    exitCode: EXIT_OK,
    changed: false,
    files: [],
    quarantine: [],
    warnings: [],
  };
  // The lock first (reading only): a run that has to wait or is refused has read and backed up nothing.
  const locks = createLocksSql(opts.db.kysely);
  await locks.waitUntilFree(MAINTENANCE_LOCK, { waitMs: opts.lockWaitMs });
  let lock: Awaited<ReturnType<typeof locks.acquire>> | undefined;
  const restorePragmas = boundSqliteMemory(opts.db);
  let restoreJournal = () => {};
  try {
    if (!opts.dryRun) {
      await checkImportSpace(opts);
      opts.progress?.phase('backup');
      report.backup = await backupDatabaseBeforeImport(opts.db, opts.dataDir, label);
    }
    lock = await locks.acquire(MAINTENANCE_LOCK, describeHolder(label), { waitMs: opts.lockWaitMs });
    if (opts.rollbackJournal && !opts.dryRun) restoreJournal = rollbackJournalWhileAlone(opts.db);
    // SQLite only: on PostgreSQL the keyed rows written before the library would all be rewritten
    // by relink() (an UPDATE of each linked row: a new row version and index entries), which ate the
    // gain (1M items: 59.9 s before, 61.7 s with them written while reading); there they follow the library.
    const keyed = opts.db.engine === 'sqlite' ? await deferredKeyedSnapshots(opts.from) : [];

    await opts.db.kysely
      .transaction()
      .execute(async (trx) => {
        const sql = createImportSql(trx, opts.db.engine, opts.db.copyIn);
        if (!opts.dryRun) await sql.insertRun(runRow(report));
        opts.progress?.phase('read');
        const { snapshot, written } = await readWhileWritingKeyed(sql, { ...opts, label }, keyed, (config) => {
          report.backup = { ...report.backup, config };
        });
        await applySnapshot(trx, sql, opts, snapshot, written, report);
        if (opts.dryRun) throw new RollbackSignal();
      })
      .catch((err: unknown) => {
        if (!(err instanceof RollbackSignal)) throw err;
      })
      // Rows went in beside the stores: this process's kept list counts and library totals are counted again.
      .finally(() => {
        for (const drop of opts.dryRun ? [] : [dropCounts, bumpLibraryTotals]) drop(opts.db.kysely);
      });
  } catch (err) {
    // Nothing was imported: the backups of this run are copies of what is still there.
    removeBackups(report.backup);
    const file = sqliteFile(opts.db);
    const message = err instanceof Error ? err.message : String(err);
    if (file && /SQLITE_FULL|disk is full|ENOSPC/i.test(message) && !message.includes(file))
      throw new Error(`writing the database ${file} failed: ${message}`, { cause: err });
    throw err;
  } finally {
    if (opts.restorePragmas !== false) restorePragmas();
    restoreJournal();
    await lock?.release();
  }
  if (!opts.dryRun && report.changed && opts.db.engine === 'postgres') {
    opts.progress?.phase('statistics');
    report.statistics = await refreshStatistics(opts.db);
  }
  report.finishedAt = new Date().toISOString();
  if (!opts.dryRun) {
    pruneAfterImport(opts.dataDir, opts.backupRetention);
    const dir = join(opts.dataDir, 'imports');
    mkdirSync(dir, { recursive: true });
    report.reportFile = join(dir, `import-${stamp(started)}.json`);
    writeFileSync(report.reportFile, JSON.stringify(report, null, 2), { mode: 0o600 });
  }
  return report;
}

function sqliteFile(db: Database): string | undefined {
  return db.engine === 'sqlite' && db.target.location !== ':memory:' ? db.target.location : undefined;
}

/** Refuses (NotEnoughSpaceError) when the backups and the import would not fit (free-space.ts). */
async function checkImportSpace(opts: ImportOptions): Promise<void> {
  const legacy = directoryBytes(opts.from);
  const backups = backupsDir(opts.dataDir);
  const needs: SpaceNeed[] = [{ path: backups, bytes: legacy, what: 'the backup of the legacy directory (its size)' }];
  const file = sqliteFile(opts.db);
  if (file) {
    if (await createImportSql(opts.db.kysely, opts.db.engine).hasData())
      needs.push({ path: backups, bytes: statSync(file).size, what: 'the backup of the database (the size of its file)' });
    needs.push({ path: file, bytes: legacy * IMPORT_FACTOR, what: `the import (${IMPORT_FACTOR} x the legacy directory)` });
  }
  checkFreeSpace(needs, opts.freeSpace);
}

function removeBackups(backup: PreImportBackup | undefined): void {
  for (const file of [backup?.config, backup?.database]) if (file) rmSync(file, { force: true });
}

/** The insert of the run's row (its report is written at the commit, finishRun). */
function runRow(report: ImportReport) {
  return {
    id: report.id,
    source_dir: report.sourceDir,
    started_at: report.startedAt,
    finished_at: report.startedAt,
    status: 'completed' as const,
    dry_run: false,
    exit_code: 0,
    report: '{}',
  };
}

async function applySnapshot(
  trx: Kysely<DB>,
  sql: ImportSql,
  opts: ImportOptions,
  snapshot: FileSnapshot[],
  written: Map<FileSnapshot, KeyedCounts | undefined>,
  report: ImportReport,
): Promise<void> {
  const box = opts.secretBox;
  opts.progress?.phase('write');
  const quarantine: QuarantineEntry[] = [];
  let libraryDigest: SetDigest | undefined;
  for (const snap of snapshot) {
    // written while the other files were read (readWhileWritingKeyed), or here when it turned up since
    const keyed = snap.keyed?.deferred ? await writeKeyed(sql, snap, keyedOptions(opts)) : written.get(snap);
    // library.json: checked as it is written when the read phase left it unchecked, so its
    // snapshot (report, quarantine) is read only after
    const lib = snap.spec.streamed
      ? await withoutSmallHeap(opts.smallHeap, () =>
          importLibraryFile(snap, {
            sql,
            dir: opts.from,
            skipBrokenFiles: opts.skipBrokenFiles,
            importTime: report.startedAt,
            onItems: (n, b, t) => opts.progress?.library('write', n, b, t),
          }),
        )
      : undefined;
    const r = fileReport(snap);
    quarantine.push(...snap.quarantine);
    if (lib) {
      add(r, lib);
      libraryDigest = lib.digest;
      report.warnings.push(...lib.kindWarnings);
      r.read = lib.read;
      r.imported = lib.read - lib.quarantine.length;
      r.quarantined += lib.quarantine.length;
      quarantine.push(...lib.quarantine);
    } else if (keyed) {
      add(r, keyed);
    } else {
      const targets = [snap.spec.target];
      if (snap.spec.shape.kind === 'array' && snap.spec.shape.rest) targets.push(snap.spec.shape.rest);
      for (const t of targets)
        add(
          r,
          await syncTarget(
            sql,
            t,
            snap.accepted.filter((u) => u.target === t),
            box,
          ),
        );
    }
    report.files.push(r);
  }
  const over = excessiveRemovals(report.files);
  if (over.length > 0 && !opts.prune) {
    if (!opts.dryRun) throw pruneRefusal(over);
    report.pruneNeeded = over;
  }
  await sql.relink();
  const qChanges = await syncQuarantine(sql, quarantine, opts.dryRun ? null : report.id); // a dry run records no run row
  report.quarantine = quarantine.map((q) => ({ file: q.file, locator: q.locator, reason: q.reason }));
  report.changed = qChanges > 0 || report.files.some((f) => f.inserted + f.updated + f.deleted > 0);

  const appState = createAppStateSql(trx);
  const present = Object.fromEntries(snapshot.map((s) => [s.spec.file, s.exists]));
  if (!jsonEqual(await appState.get(LEGACY_FILES_KEY), present)) await appState.set(LEGACY_FILES_KEY, present);

  opts.progress?.phase('verify');
  const verify = await verifyAgainstDatabase({
    kysely: trx,
    engine: opts.db.engine,
    dir: opts.from,
    snapshot,
    open: box,
    libraryDigest,
    sqlite: opts.db.sqlite,
  });
  const byDigest = [...(verify.libraryByDigest ? ['library.json'] : []), ...(verify.keyedByDigest ?? [])];
  report.verify = { checked: verify.checked, mismatches: verify.mismatches, ...(byDigest.length > 0 ? { byDigest } : {}) };
  if (verify.mismatches.length > 0) throw new ImportVerifyError(verify.mismatches);

  report.exitCode = quarantine.length > 0 ? EXIT_QUARANTINED : EXIT_OK;
  if (!opts.dryRun) {
    opts.progress?.phase('commit');
    const finishedAt = new Date().toISOString();
    await sql.finishRun(report.id, finishedAt, report.exitCode, JSON.stringify({ ...report, finishedAt }));
  }
}

/**
 * The seed's storage phases (files -> dual-read-files -> dual-read-db -> db), recorded in
 * app_state `storage_phase`. Moving forward first checks that the database equals the legacy
 * files (verify-import) and refuses on any mismatch. Leaving `db` for an earlier phase would make
 * the server read files that stopped being written: that is `mediaos rollback` (export first).
 */
import type { Config } from '../config.js';
import type { Database } from '../db/connect.js';
import type { SecretBox } from '../security/secret-box.js';
import { createFileSyncLedger } from '../storage/file-sync.js';
import { readPhase, recordPhase } from '../storage/phase.js';
import { STORAGE_PHASES, type StoragePhase } from '../storage/phase-list.js';
import { readSnapshot } from './snapshot.js';
import { type VerifyResult, verifyAgainstDatabase } from './verify.js';

export class PhaseRefused extends Error {
  constructor(
    message: string,
    readonly verify?: VerifyResult,
  ) {
    super(message);
  }
}

/** Verifies the configured legacy directory against the database. */
export async function verifyConfigDir(db: Database, dir: string, legacyKey: string | undefined, box: SecretBox): Promise<VerifyResult> {
  const snapshot = await readSnapshot({ dir, legacyKey, skipBrokenFiles: true });
  return verifyAgainstDatabase({ kysely: db.kysely, engine: db.engine, dir, snapshot, open: box });
}

export interface SetPhaseOptions {
  db: Database;
  config: Config;
  target: StoragePhase;
  legacyKey: string | undefined;
  secretBox: SecretBox;
  force?: boolean;
  /** The legacy config directory to check against (default: MEDIAOS_CONFIG_DIR). */
  configDir?: string;
}

/** What a move does before recording it: check the files against the database, or refuse (no --force). */
export interface PhasePlan {
  from: StoragePhase;
  to: StoragePhase;
  /** True when verify-import runs first (moving forward, or nothing recorded yet). */
  verifies: boolean;
  /** Set when the move is refused without `force` regardless of the check (leaving db without a rollback). */
  refusal?: string;
}

/** The plan of a move (reads only): setPhase follows it, the console shows it before doing it. */
export async function planPhase(opts: Pick<SetPhaseOptions, 'db' | 'config' | 'target' | 'force'>): Promise<PhasePlan & { recorded?: StoragePhase }> {
  const { recorded } = await readPhase(opts.db, opts.config);
  // Nothing recorded (a manual import, or a new install): any move is allowed, checked unless to `files`.
  const current = recorded ?? 'files';
  const rank = (p: StoragePhase) => STORAGE_PHASES.indexOf(p);
  const verifies = rank(opts.target) > rank(current) || (recorded === undefined && opts.target !== 'files');
  const refusal =
    !verifies && recorded === 'db' && opts.target !== 'db' && !opts.force
      ? `refusing to move from db to ${opts.target}: the legacy files were not written in phase db; run \`mediaos rollback\` (it exports the database into the files first)`
      : undefined;
  return { from: recorded ?? current, to: opts.target, verifies, recorded, ...(refusal ? { refusal } : {}) };
}

export async function setPhase(opts: SetPhaseOptions): Promise<{ from: StoragePhase; to: StoragePhase; verify?: VerifyResult }> {
  const plan = await planPhase(opts);
  const current = plan.recorded ?? 'files';
  let verify: VerifyResult | undefined;
  if (plan.verifies) {
    const dir = opts.configDir ?? opts.config.configDir;
    verify = await verifyConfigDir(opts.db, dir, opts.legacyKey, opts.secretBox);
    if (verify.mismatches.length > 0 && !opts.force) {
      const differs = `refusing to move from ${current} to ${opts.target}: the database differs from ${dir} (${verify.mismatches.length} mismatch(es))`;
      throw new PhaseRefused(`${differs}; ${await mismatchAdvice(opts.db, current)}`, verify);
    }
  } else if (plan.refusal) {
    throw new PhaseRefused(plan.refusal);
  }
  await recordPhase(opts.db, opts.target);
  return { from: plan.from, to: opts.target, verify };
}

/**
 * What to do about a database that differs from the files. Before the dual phases the files are
 * the truth and an import copies them in. In a dual phase the DATABASE is the truth: the files
 * may lag behind it (a crash or a failed file write), and an import would delete the newer rows.
 */
async function mismatchAdvice(db: Database, current: StoragePhase): Promise<string> {
  if (current !== 'dual-read-files' && current !== 'dual-read-db') return 'run `mediaos import` (or fix the listed records) first';
  const pending = (await createFileSyncLedger(db.kysely).list()).map((p) => p.store);
  const lag = pending.length
    ? `the files of ${pending.join(', ')} are behind the database (failed or interrupted file writes): start the server once, it rewrites them from the database, then retry`
    : 'check the listed records';
  return `${lag}. In phase ${current} the database is the source of truth: do not run \`mediaos import\`, it would make the database equal the files and delete the newer rows`;
}

/**
 * The seed's storage phases (files -> dual-read-files -> dual-read-db -> db), recorded in
 * app_state `storage_phase`. Moving forward first checks that the database equals the legacy
 * files (verify-import) and refuses on any mismatch. Leaving `db` for an earlier phase would make
 * the server read files that stopped being written: that is `mediaos rollback` (export first).
 */
import { STORAGE_PHASES, type Config, type StoragePhase } from '../config.js';
import type { Database } from '../db/connect.js';
import { createAppStateSql } from '../db/app-state.sql.js';
import { PHASE_KEY } from '../runtime.js';
import type { SecretBox } from '../security/secret-box.js';
import { readSnapshot } from './snapshot.js';
import { verifyAgainstDatabase, type VerifyResult } from './verify.js';

export interface PhaseState {
  /** What the server will use: MEDIAOS_STORAGE_PHASE when set, else the recorded phase, else `db`. */
  effective: StoragePhase;
  recorded?: StoragePhase;
  fromEnv?: StoragePhase;
}

export async function readPhase(db: Database, config: Config): Promise<PhaseState> {
  const recorded = await createAppStateSql(db.kysely).get<StoragePhase>(PHASE_KEY);
  return { effective: config.storagePhase ?? recorded ?? 'db', recorded, fromEnv: config.storagePhase };
}

export async function recordPhase(db: Database, phase: StoragePhase): Promise<void> {
  await createAppStateSql(db.kysely).set(PHASE_KEY, phase);
}

export function isPhase(v: string): v is StoragePhase {
  return (STORAGE_PHASES as readonly string[]).includes(v);
}

export class PhaseRefused extends Error {
  constructor(message: string, readonly verify?: VerifyResult) {
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

export async function setPhase(opts: SetPhaseOptions): Promise<{ from: StoragePhase; to: StoragePhase; verify?: VerifyResult }> {
  const { recorded } = await readPhase(opts.db, opts.config);
  // Nothing recorded (a manual import, or a new install): any move is allowed, checked unless to `files`.
  const current = recorded ?? 'files';
  const rank = (p: StoragePhase) => STORAGE_PHASES.indexOf(p);
  let verify: VerifyResult | undefined;
  if (rank(opts.target) > rank(current) || (recorded === undefined && opts.target !== 'files')) {
    const dir = opts.configDir ?? opts.config.configDir;
    verify = await verifyConfigDir(opts.db, dir, opts.legacyKey, opts.secretBox);
    if (verify.mismatches.length > 0 && !opts.force) {
      throw new PhaseRefused(`refusing to move from ${current} to ${opts.target}: the database differs from ${dir} (${verify.mismatches.length} mismatch(es)); run \`mediaos import\` (or fix the listed records) first`, verify);
    }
  } else if (recorded === 'db' && opts.target !== 'db' && !opts.force) {
    throw new PhaseRefused(`refusing to move from db to ${opts.target}: the legacy files were not written in phase db; run \`mediaos rollback\` (it exports the database into the files first)`);
  }
  await recordPhase(opts.db, opts.target);
  return { from: recorded ?? current, to: opts.target, verify };
}

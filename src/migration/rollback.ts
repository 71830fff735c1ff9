/**
 * `mediaos rollback`: archive the current config dir, export the database into it (files the
 * database does not hold are removed from it; they are in the archive), set phase `files`, and
 * list the users whose password hash the old server cannot verify (argon2, set in phase db).
 */
import type { Database } from '../db/connect.js';
import { createLocksSql, describeHolder, MAINTENANCE_LOCK } from '../db/locks.sql.js';
import { isLegacyPasswordHash } from '../security/passwords.js';
import type { SecretBox } from '../security/secret-box.js';
import { recordPhase } from '../storage/phase.js';
import { archiveConfigDir } from './backup.js';
import { type ExportResult, exportDatabase } from './export.js';
import { createImportSql } from './import.sql.js';

export interface RollbackOptions {
  db: Database;
  configDir: string;
  dataDir: string;
  backupRetention: number;
  legacyKey: string;
  secretBox: SecretBox;
  lockWaitMs?: number;
}

export interface RollbackResult {
  archive?: string;
  exported: ExportResult;
  removed: string[];
  /** Users the old server cannot log in (their hash is argon2). */
  unverifiable: { id: string; email: string }[];
}

export async function runRollback(opts: RollbackOptions): Promise<RollbackResult> {
  const lock = await createLocksSql(opts.db.kysely).acquire(MAINTENANCE_LOCK, describeHolder('rollback'), { waitMs: opts.lockWaitMs });
  try {
    const archive = await archiveConfigDir(opts.configDir, opts.dataDir, opts.backupRetention, 'rollback');
    // The config dir was archived above: its legacy files are replaced by the export as one set
    // (files the database does not hold are removed; they are in the archive).
    const exported = await exportDatabase({ db: opts.db, to: opts.configDir, legacyKey: opts.legacyKey, secretBox: opts.secretBox, force: true });
    const removed = exported.removed;
    await recordPhase(opts.db, 'files');
    return { archive, exported, removed, unverifiable: await unverifiableUsers(opts.db) };
  } finally {
    await lock.release();
  }
}

/** Users the old server cannot log in after a rollback (their password hash is argon2, set here). */
export async function unverifiableUsers(db: Database): Promise<{ id: string; email: string }[]> {
  const users = await createImportSql(db.kysely, db.engine).selectRows('users', ['id', 'email', 'password_hash']);
  return users.filter((u) => !isLegacyPasswordHash(u.password_hash)).map((u) => ({ id: String(u.id), email: String(u.email) }));
}

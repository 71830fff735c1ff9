/**
 * Restore at the next start: a running server cannot swap its own database (`mediaos restore`
 * refuses while one is announced), so an admin asks for a restore over HTTP, and `serve` does it
 * when it starts next, before it opens the database: the same checked restore as the CLI
 * (checksums, schema, a `pre-restore` backup first; a failure changes nothing).
 *
 * `<data>/restore-on-start.json` holds the request; `<data>/restore-on-start.last.json` what the
 * last start did with one. The request file is removed before the restore begins, so a restore
 * that takes the process down is not tried again at every start.
 */
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Config } from '../config.js';
import { migrations } from '../db/migrations/index.js';
import { readArchiveManifest } from './archive-reader.js';
import { findBackup } from './backup-catalog.js';
import { restoreBackupArchive } from './restore-archive.js';

export interface RestoreRequest {
  name: string;
  createdAt: string;
  requestedAt: string;
  /** The admin's user id. */
  requestedBy: string;
}

export interface RestoreOutcome {
  name: string;
  at: string;
  ok: boolean;
  /** What was done, or why nothing was changed. */
  message: string;
  /** The archive of the database as it was before (in <data>/backups/). */
  preRestoreBackup?: string;
}

/** Why a restore cannot be asked for (the HTTP route answers 404 or 400 by `reason`). */
export class RestoreRequestError extends Error {
  override name = 'RestoreRequestError';
  constructor(
    message: string,
    readonly reason: 'not_found' | 'invalid',
  ) {
    super(message);
  }
}

const requestPath = (dataDir: string) => join(dataDir, 'restore-on-start.json');
const outcomePath = (dataDir: string) => join(dataDir, 'restore-on-start.last.json');

function writeJson(path: string, value: unknown): void {
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify(value, null, 2)}\n`, { mode: 0o600 });
  renameSync(temp, path);
}

function readJson<T>(path: string): T | null {
  if (!existsSync(path)) return null;
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch {
    return null;
  }
}

export function pendingRestore(dataDir: string): RestoreRequest | null {
  return readJson<RestoreRequest>(requestPath(dataDir));
}

export function lastRestoreOutcome(dataDir: string): RestoreOutcome | null {
  return readJson<RestoreOutcome>(outcomePath(dataDir));
}

/**
 * Checks that `name` can be restored into this server's database (an archive from the backups
 * folder, not newer than this build, not a SQLite archive for a PostgreSQL server) and says what
 * the restore will do. Changes nothing.
 */
export async function describeRestore(config: Pick<Config, 'dataDir' | 'engine'>, name: string): Promise<{ createdAt: string; summary: string }> {
  const found = findBackup(config.dataDir, name);
  if (!found) throw new RestoreRequestError(`${name}: no such backup in the backups folder`, 'not_found');
  if (found.format !== 'archive')
    throw new RestoreRequestError(
      `${name} is a single-file SQLite copy, not a backup archive: restore it by hand with the server stopped (docs/operations.md, "Backups and restore")`,
      'invalid',
    );
  const m = await readArchiveManifest(found.path);
  if (!m) throw new RestoreRequestError(`${name}: the archive has no readable manifest`, 'invalid');
  const latest = migrations[migrations.length - 1].version;
  if (m.schemaVersion > latest)
    throw new RestoreRequestError(
      `${name} is at schema version ${m.schemaVersion}, newer than this MediaOS build (${latest}): upgrade MediaOS first`,
      'invalid',
    );
  if (m.engine === 'sqlite' && config.engine !== 'sqlite')
    throw new RestoreRequestError(
      `${name} holds a SQLite database and this server runs on PostgreSQL: restore it into SQLite, then \`mediaos db copy\``,
      'invalid',
    );
  const migrate = m.schemaVersion < latest ? ` (schema version ${m.schemaVersion}; migrated to ${latest} right after)` : '';
  return {
    createdAt: m.createdAt,
    summary:
      `will restore ${name} at the next start of MediaOS: check every member against its manifest, keep the current database as a pre-restore backup, ` +
      `replace the whole database with its state of ${m.createdAt}${migrate} (every change made since is lost) and put its secrets.json back. ` +
      'Nothing happens until MediaOS is restarted; a damaged archive then changes nothing.',
  };
}

/** Asks for the restore of `name` at the next start (replacing an earlier request). */
export async function requestRestore(
  config: Pick<Config, 'dataDir' | 'engine'>,
  name: string,
  by: string,
  now: Date,
): Promise<RestoreRequest & { summary: string }> {
  const { createdAt, summary } = await describeRestore(config, name);
  const request: RestoreRequest = { name, createdAt, requestedAt: now.toISOString(), requestedBy: by };
  writeJson(requestPath(config.dataDir), request);
  return { ...request, summary };
}

/** Withdraws the request; the request withdrawn, or null when there was none. */
export function cancelRestore(dataDir: string): RestoreRequest | null {
  const pending = pendingRestore(dataDir);
  rmSync(requestPath(dataDir), { force: true });
  return pending;
}

/**
 * `serve`, before it opens the database: carries out a requested restore, prints what happened and
 * keeps it for GET /api/system/backups. A failed restore changed nothing and the server starts on
 * the database it had.
 */
export async function applyRestoreOnStart(config: Config, print: (line: string) => void, now = () => new Date()): Promise<RestoreOutcome | null> {
  const path = requestPath(config.dataDir);
  if (!existsSync(path)) return null;
  const request = pendingRestore(config.dataDir);
  rmSync(path, { force: true });
  const name = request?.name ?? '(unreadable request)';
  let outcome: RestoreOutcome;
  const found = request ? findBackup(config.dataDir, request.name) : undefined;
  if (!found) {
    outcome = { name, at: now().toISOString(), ok: false, message: `restore on start: ${name} is not in the backups folder any more; nothing was changed` };
  } else {
    print(`restore on start: restoring ${found.name} (asked for at ${request?.requestedAt})`);
    try {
      const r = await restoreBackupArchive(config, found.path);
      outcome = {
        name,
        at: now().toISOString(),
        ok: true,
        message: `restored ${name}, the database of ${r.manifest.createdAt}${r.migrationPending ? ` (schema ${r.manifest.schemaVersion}, migrated next)` : ''}`,
        ...(r.preRestoreBackup ? { preRestoreBackup: basename(r.preRestoreBackup) } : {}),
      };
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      outcome = { name, at: now().toISOString(), ok: false, message: `restore on start of ${name} failed: ${message}` };
    }
  }
  writeJson(outcomePath(config.dataDir), outcome);
  print(outcome.ok ? `restore on start: ${outcome.message}; the database before it: ${outcome.preRestoreBackup ?? 'none'}` : outcome.message);
  return outcome;
}

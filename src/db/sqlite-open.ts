/**
 * Opening a SQLite file with errors that say which file and what to do (better-sqlite3 alone says
 * "unable to open database file", and a failed mkdir only "ENOENT ... mkdir"). Only the data
 * directory is created; any other missing directory is refused, so a typo in DATABASE_URL
 * (`sqlite:/nonexistent/dir/x.db`) is an error instead of a new directory tree.
 */
import { accessSync, constants, mkdirSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { PRIVATE_DIR_MODE } from './file-mode.js';

function codeOf(err: unknown): string {
  const c = (err as { code?: unknown } | null)?.code;
  return typeof c === 'string' ? c : 'error';
}

/** Makes sure the file's directory exists: created when `create` (the data directory), else refused. */
export function ensureSqliteDirectory(location: string, create: boolean): void {
  const dir = dirname(location);
  if (create) {
    try {
      mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
    } catch (err) {
      throw new Error(
        `cannot create the data directory ${dir} (${codeOf(err)}${codeOf(err) === 'EROFS' || codeOf(err) === 'ENOENT' ? ': read-only or missing mount?' : ''}): set MEDIAOS_DATA_DIR to a writable directory`,
      );
    }
    return;
  }
  let isDir = false;
  try {
    isDir = statSync(dir).isDirectory();
  } catch {
    throw new Error(
      `cannot open the SQLite database ${location}: the directory ${dir} does not exist (only the data directory is created); create it or fix DATABASE_URL`,
    );
  }
  if (!isDir) throw new Error(`cannot open the SQLite database ${location}: ${dir} is not a directory; fix DATABASE_URL`);
}

/** The error of `new BetterSqlite3(location)` turned into one that names the file and the reason. */
export function sqliteOpenError(location: string, err: unknown): Error {
  const dir = dirname(location);
  let reason = err instanceof Error ? err.message : String(err);
  try {
    if (statSync(location, { throwIfNoEntry: false })?.isDirectory()) reason = 'the path is a directory';
    else accessSync(dir, constants.W_OK);
  } catch (e) {
    reason = `the directory ${dir} is not writable (${codeOf(e)}; read-only mount or wrong owner?)`;
  }
  return new Error(`cannot open the SQLite database ${location}: ${reason}; set DATABASE_URL or MEDIAOS_DATA_DIR to a writable location`, { cause: err });
}

// Files that hold password hashes, sessions and secrets (the SQLite database, its -wal/-shm,
// database backups, config archives) are readable by their owner only, like secrets.json; the
// directories we create for them are 0700. A directory that already exists keeps its mode: the
// admin chose it.
import { chmodSync, closeSync, mkdirSync, openSync } from 'node:fs';

export const PRIVATE_FILE_MODE = 0o600;
export const PRIVATE_DIR_MODE = 0o700;

/** mkdir -p; directories it creates are 0700. */
export function mkdirPrivate(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
}

/** Creates `path` empty with mode 0600 unless it exists, so it is never readable by others, even briefly. */
export function createPrivateFile(path: string): void {
  try {
    closeSync(openSync(path, 'wx', PRIVATE_FILE_MODE));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
}

/**
 * chmod 0600 for each path that exists. Best effort for files we cannot change (another owner, a
 * read-only mount): those stay as they are, the caller goes on.
 */
export function makePrivate(...paths: string[]): void {
  for (const p of paths) {
    try {
      chmodSync(p, PRIVATE_FILE_MODE);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'EPERM' && code !== 'EROFS' && code !== 'EACCES') throw err;
    }
  }
}

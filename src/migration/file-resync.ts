/**
 * At start, in the dual phases: the legacy files whose store the file-sync ledger marks as behind
 * the database (a crash between the two writes, or a failed file write) are rewritten from the
 * database, which is the source of truth in those phases. The database is exported (the same
 * code as `mediaos export`) into a temp directory inside the config dir, and each file of a
 * marked store is fsynced and renamed over its legacy file; then its mark is removed. In the
 * `files` and `db` phases marks left from an earlier dual phase no longer apply and are dropped
 * (the files are the truth in `files`; they are not written in `db`).
 */
import { open, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Config } from '../config.js';
import type { Database } from '../db/connect.js';
import { ensureInstanceSecrets } from '../secrets-file.js';
import { createSecretBox } from '../security/secret-box.js';
import { createFileSyncLedger } from '../storage/file-sync.js';
import { resolvePhase } from '../storage/phase.js';
import { exportDatabase } from './export.js';

/** The legacy files each dual-written store writes (phasedStore names). */
export const STORE_FILES: Record<string, readonly string[]> = {
  library: ['library.json'],
  users: ['users.json'],
  wanted: ['wanted.json'],
  downloaders: ['downloaders.json'],
  indexers: ['indexers.json'],
  quality: ['quality.json', 'quality-profiles.json'],
  grabs: ['grabs.json'],
  verify: ['verify-results.json'],
  settings: ['settings.json', 'verify.json', 'metadata.json', 'organizer.json', 'subtitle-automation.json', 'monitor.json'],
};

export interface ResyncResult {
  stores: string[];
  files: string[];
}

async function fsyncPath(path: string): Promise<void> {
  const h = await open(path, 'r');
  try {
    await h.sync();
  } catch {
    // a directory cannot be fsynced on every platform: best effort, as in json-file.ts
  } finally {
    await h.close();
  }
}

export async function resyncPendingFiles(config: Config, db: Database, print: (line: string) => void): Promise<ResyncResult> {
  const ledger = createFileSyncLedger(db.kysely);
  const pending = await ledger.list();
  const result: ResyncResult = { stores: [], files: [] };
  if (pending.length === 0) return result;
  const phase = await resolvePhase(db, config);
  if (phase !== 'dual-read-files' && phase !== 'dual-read-db') {
    for (const p of pending) await ledger.clear(p.store);
    print(
      `file sync: dropped ${pending.length} pending record(s) of an earlier dual phase (${pending.map((p) => p.store).join(', ')}); phase ${phase} does not dual-write`,
    );
    return result;
  }
  const wanted = new Set(pending.flatMap((p) => STORE_FILES[p.store] ?? []));
  const unknown = pending.filter((p) => !STORE_FILES[p.store]);
  const secrets = ensureInstanceSecrets(config);
  const temp = join(config.configDir, '.mediaos-resync'); // one server per config dir; debris of a killed run goes first
  await rm(temp, { recursive: true, force: true });
  try {
    const exported = await exportDatabase({ db, to: temp, legacyKey: secrets.encryptionKey, secretBox: createSecretBox(secrets.encryptionKey) });
    for (const { file } of exported.written) {
      // A store we know nothing about: every file the database holds is rewritten.
      if (!wanted.has(file) && unknown.length === 0) continue;
      await fsyncPath(join(temp, file));
      await rename(join(temp, file), join(config.configDir, file));
      result.files.push(file);
    }
    await fsyncPath(config.configDir);
  } finally {
    await rm(temp, { recursive: true, force: true });
  }
  for (const p of pending) {
    await ledger.clear(p.store);
    result.stores.push(p.store);
  }
  print(
    `file sync: ${result.files.length ? result.files.join(', ') : 'no file'} rewritten from the database (pending after a crash or a failed file write: ${result.stores.join(', ')})`,
  );
  return result;
}

import type { Config } from './config.js';
import type { Database } from './db/connect.js';
import { autoImportOnFirstStart } from './migration/auto-import.js';
import { resyncPendingFiles } from './migration/file-resync.js';

/**
 * Work `serve` does after migrating and before building the app (for example the automatic
 * first import of a legacy config/ directory). Each hook is listed here in order.
 */
export async function runStartupHooks(config: Config, db: Database, print: (line: string) => void): Promise<void> {
  void config;
  void db;
  void print;
  // (startup hooks)
  await autoImportOnFirstStart(config, db, print);
  await resyncPendingFiles(config, db, print);
}

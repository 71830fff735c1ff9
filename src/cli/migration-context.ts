/** What every migration command opens: config, the migrated database, our secret box and keys. */

import { type Config, loadConfig } from '../config.js';
import type { Database } from '../db/connect.js';
import { ensureInstanceSecrets } from '../secrets-file.js';
import { createSecretBox, type SecretBox } from '../security/secret-box.js';
import { prepareDatabase } from '../storage/database.js';
import type { CliIo } from './io.js';

export interface MigrationContext {
  config: Config;
  db: Database;
  secretBox: SecretBox;
  /** ENCRYPTION_KEY (env or instance secrets): the default legacy key for import and export. */
  encryptionKey: string;
  /** Schema migrations this open applied (so a failure after them can say so), and their backup. */
  schemaMigrated: { names: string[]; backup?: string };
  close(): Promise<void>;
}

export async function openMigrationContext(io: CliIo): Promise<MigrationContext> {
  const config = loadConfig(io.env, io.cwd);
  const prepared = await prepareDatabase(config);
  if (prepared.backup) io.out(`backup of the database before migrating its schema: ${prepared.backup}`);
  for (const r of prepared.migrated) io.out(`schema migration ${r.name}: ${r.status}`);
  const secrets = ensureInstanceSecrets(config);
  return {
    config,
    db: prepared.db,
    secretBox: createSecretBox(secrets.encryptionKey),
    encryptionKey: secrets.encryptionKey,
    schemaMigrated: { names: prepared.migrated.filter((r) => r.status === 'applied').map((r) => r.name), backup: prepared.backup },
    close: () => prepared.db.close(),
  };
}

/** Runs a command body; any error is printed and becomes `code` (2: nothing changed because of an error). */
export async function guarded(io: CliIo, code: number, body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } catch (err) {
    io.err(`error: ${err instanceof Error ? err.message : String(err)}`);
    io.setExitCode(code);
  }
}

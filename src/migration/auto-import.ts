/**
 * First start of `serve` on an existing MediaOS install: legacy files in the config dir and an
 * empty database -> the same import as `mediaos import` (same backup, same checks), then the
 * server runs in `dual-read-db` (database read, both written), and says what it did.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../config.js';
import type { Database } from '../db/connect.js';
import { ensureInstanceSecrets } from '../secrets-file.js';
import { createSecretBox } from '../security/secret-box.js';
import { readPhase, recordPhase } from '../storage/phase.js';
import { EXIT_ERROR, type ImportReport, runImport } from './import.js';
import { createImportSql } from './import.sql.js';
import { LEGACY_FILES } from './legacy-files.js';
import { summaryLines } from './report.js';

export async function autoImportOnFirstStart(config: Config, db: Database, print: (line: string) => void): Promise<'imported' | 'skipped'> {
  if (!config.autoImport) return 'skipped';
  if (config.storagePhase === 'files' || config.storagePhase === 'dual-read-files') return 'skipped';
  if (!LEGACY_FILES.some((f) => existsSync(join(config.configDir, f.file)))) return 'skipped';
  const sql = createImportSql(db.kysely, db.engine);
  if ((await sql.hasData()) || (await sql.lastRuns(1)).length > 0) return 'skipped';
  if ((await readPhase(db, config)).recorded !== undefined) return 'skipped';

  print(`first start: legacy MediaOS files found in ${config.configDir} and the database is empty; importing them (MEDIAOS_AUTO_IMPORT=false turns this off)`);
  const secrets = ensureInstanceSecrets(config);
  let report: ImportReport;
  try {
    report = await runImport({
      db,
      from: config.configDir,
      dataDir: config.dataDir,
      backupRetention: config.backupRetention,
      legacyKey: secrets.encryptionKey,
      secretBox: createSecretBox(secrets.encryptionKey),
      label: 'auto-import',
      lockWaitMs: 60_000,
    });
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new Error(
      `automatic import of ${config.configDir} failed, nothing was changed: ${why}. Fix it and restart, or run \`mediaos import\` (see --skip-broken-files), or set MEDIAOS_AUTO_IMPORT=false (exit ${EXIT_ERROR})`,
    );
  }
  for (const line of summaryLines(report)) print(line);
  await recordPhase(db, 'dual-read-db');
  print(
    `storage phase: dual-read-db (the database is read; the database and ${config.configDir} are both written). Move on with \`mediaos phase set db\`, go back with \`mediaos rollback\`.`,
  );
  if (config.storagePhase && config.storagePhase !== 'dual-read-db') print(`note: MEDIAOS_STORAGE_PHASE=${config.storagePhase} overrides the recorded phase`);
  return 'imported';
}

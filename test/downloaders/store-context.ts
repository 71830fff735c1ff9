import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createSecretBox } from '../../src/security/secret-box.js';
import type { StoragePhase } from '../../src/storage/phase-list.js';
import { newFileSyncStatus } from '../../src/storage/phased-store.js';
import type { StoreContext } from '../../src/storage/store-context.js';
import { createTestDatabase, sqlEngines, type TestDatabase } from '../helpers/engines.js';

export const LEGACY_KEY = 'test-encryption-key-0123456789abcdef';

/** Every backend a store suite covers: the sql store on each engine, json, and the dual phases. */
export function storeBackends(): { label: string; engine: 'sqlite' | 'postgres'; phase: StoragePhase }[] {
  const out: { label: string; engine: 'sqlite' | 'postgres'; phase: StoragePhase }[] = sqlEngines().map((engine) => ({
    label: `sql:${engine}`,
    engine,
    phase: 'db' as const,
  }));
  out.push({ label: 'json', engine: 'sqlite', phase: 'files' });
  out.push({ label: 'dual-read-files', engine: 'sqlite', phase: 'dual-read-files' });
  out.push({ label: 'dual-read-db', engine: 'sqlite', phase: 'dual-read-db' });
  return out;
}

export interface StoreFixture {
  ctx: StoreContext;
  tdb: TestDatabase;
  configDir: string;
  warnings: string[];
  cleanup(): Promise<void>;
}

export async function storeFixture(engine: 'sqlite' | 'postgres', phase: StoragePhase): Promise<StoreFixture> {
  const tdb = await createTestDatabase(engine);
  const configDir = join(tdb.dir, 'config');
  mkdirSync(configDir, { recursive: true });
  const warnings: string[] = [];
  const ctx: StoreContext = {
    db: tdb.db,
    phase,
    configDir,
    secretBox: createSecretBox(LEGACY_KEY),
    legacyEncryptionKey: LEGACY_KEY,
    fileSync: newFileSyncStatus(),
    log: { warn: (o, m) => warnings.push(JSON.stringify({ ...o, msg: m })), info() {}, error: (o, m) => warnings.push(JSON.stringify({ ...o, msg: m })) },
  };
  return { ctx, tdb, configDir, warnings, cleanup: () => tdb.cleanup() };
}

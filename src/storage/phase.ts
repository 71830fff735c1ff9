/**
 * Reading and recording the storage phase: MEDIAOS_STORAGE_PHASE when set, else the phase
 * recorded in app_state `storage_phase`, else `db` (a new install).
 */
import type { Config } from '../config.js';
import { createAppStateSql } from '../db/app-state.sql.js';
import type { Database } from '../db/connect.js';
import type { StoragePhase } from './phase-list.js';

export const PHASE_KEY = 'storage_phase';

export interface PhaseState {
  /** What the server will use: MEDIAOS_STORAGE_PHASE when set, else the recorded phase, else `db`. */
  effective: StoragePhase;
  recorded?: StoragePhase;
  fromEnv?: StoragePhase;
}

export async function readPhase(db: Database, config: Pick<Config, 'storagePhase'>): Promise<PhaseState> {
  const recorded = await createAppStateSql(db.kysely).get<StoragePhase>(PHASE_KEY);
  return { effective: config.storagePhase ?? recorded ?? 'db', recorded, fromEnv: config.storagePhase };
}

/** The phase the server runs in (see readPhase). */
export async function resolvePhase(db: Database, config: Pick<Config, 'storagePhase'>): Promise<StoragePhase> {
  if (config.storagePhase) return config.storagePhase;
  return (await readPhase(db, config)).effective;
}

export async function recordPhase(db: Database, phase: StoragePhase): Promise<void> {
  await createAppStateSql(db.kysely).set(PHASE_KEY, phase);
}

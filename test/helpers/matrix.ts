import type { StoragePhase } from '../../src/storage/phase-list.js';
import { sqlEngines, type TestEngine } from './engines.js';

/**
 * Engine x phase combinations every route suite runs over (issue #3): the database phases on
 * every engine of this run, and the `files` phase once (its sessions live in the first engine).
 */
export function phaseMatrix(): [TestEngine, StoragePhase][] {
  const engines = sqlEngines();
  const m: [TestEngine, StoragePhase][] = [];
  for (const e of engines) m.push([e, 'db']);
  m.push([engines[0], 'files']);
  for (const e of engines) m.push([e, 'dual-read-files'], [e, 'dual-read-db']);
  return m;
}

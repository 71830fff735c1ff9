import type { StoragePhase } from '../../src/config.js';
import { sqlEngines, type TestEngine } from './engines.js';

/** Engine x phase combinations every route suite runs over (issue #3). */
export function phaseMatrix(): [TestEngine, StoragePhase][] {
  const m: [TestEngine, StoragePhase][] = [['sqlite', 'db']];
  if (sqlEngines().includes('postgres')) m.push(['postgres', 'db']);
  m.push(['sqlite', 'files'], ['sqlite', 'dual-read-files'], ['sqlite', 'dual-read-db']);
  return m;
}

/**
 * SQLite's `PRAGMA integrity_check` in a worker thread on its own read-only connection. The check
 * reads every page of the file (83 s for a 727 MB database on a NAS); on the server's connection it
 * held the event loop that long and no request was answered. In a worker the main thread keeps
 * serving, and a read-only connection sees the last committed state (WAL included) without taking
 * the writer's lock.
 *
 * The worker's code is a short script passed as text (`eval`), so it runs the same from the
 * sources (tests) and from the build, and it loads the same better-sqlite3 the server uses.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/** What the worker posts: SQLite's lines, or why the file could not be opened or checked. */
type IntegrityMessage = { lines: string[] } | { openError: string } | { checkError: string };

export type WorkerIntegrity = { lines: string[] } | { checkError: string };

const DRIVER = createRequire(import.meta.url).resolve('better-sqlite3');

const SCRIPT = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const message = (err) => (err && err.message) || String(err);
let db;
try {
  db = new Database(workerData.location, { readonly: true, fileMustExist: true });
  db.pragma('busy_timeout = 10000');
} catch (err) {
  parentPort.postMessage({ openError: message(err) });
}
if (db) {
  try {
    const rows = db.pragma('integrity_check(' + workerData.maxDetail + ')');
    parentPort.postMessage({ lines: rows.map((r) => r.integrity_check) });
  } catch (err) {
    parentPort.postMessage({ checkError: message(err) });
  } finally {
    db.close();
  }
}
`;

/** Threads started for integrity checks since the process started (tests read it to see the check left the main thread). */
let started = 0;
export const integrityWorkersStarted = (): number => started;

/**
 * Runs the check of the SQLite file at `location` in a worker. Undefined when the worker could not
 * open the file read-only (the caller then checks on its own connection); a failure of the check
 * itself ("database disk image is malformed") is the answer `{checkError}`.
 */
export async function integrityCheckInWorker(location: string, maxDetail: number): Promise<WorkerIntegrity | undefined> {
  const worker = new Worker(SCRIPT, { eval: true, workerData: { driver: DRIVER, location, maxDetail } });
  started++;
  try {
    const m = await new Promise<IntegrityMessage>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`the integrity check of ${location} stopped unexpectedly (worker exit ${code})`)));
    });
    if ('openError' in m) return undefined;
    return m;
  } finally {
    await worker.terminate();
  }
}

/**
 * The syntax check of library.json before anything is written: every element parsed once, the
 * other top-level keys kept as their text. In the compiled build it runs in a worker thread
 * (library-check.worker.js), so the main thread stays free for the backup that runs at the same
 * time (its gzip works on the thread pool but needs the main thread between pieces: with both on
 * the main thread, the read phase of a 1M-item import took 3.8 s instead of 2.5 s). In-process
 * otherwise (tests run the sources). Either way the result, and any error, are the same.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { LegacyFileError, type LegacyFileErrorInit } from '../legacy/file-error.js';
import { streamLegacyArray } from '../legacy/stream-library.js';

export interface ArrayCheck {
  /** Elements of the array. */
  count: number;
  /** Length of the longest element's JSON text (UTF-16 code units). */
  largest: number;
  /** Every other top-level key's JSON text, as found in the file, in file order. */
  otherKeysText: Map<string, string>;
}

/** What a worker posts: progress, the result, or the error (a LegacyFileError's fields, or a message). */
export type CheckMessage =
  | { progress: [number, number] }
  | { checked: { count: number; largest: number; otherKeysText: [string, string][] } }
  | { fileError: LegacyFileErrorInit }
  | { error: string };

const WORKER_URL = new URL('./library-check.worker.js', import.meta.url);

/** Runs the check here (the worker calls this too). */
export async function checkArrayHere(path: string, key: string, onProgress?: (bytes: number, total: number) => void): Promise<ArrayCheck> {
  const it = streamLegacyArray(path, key, { onProgress });
  let count = 0;
  let largest = 0;
  for (;;) {
    const step = await it.next();
    if (step.done) return { count, largest, otherKeysText: step.value.otherKeysText };
    count++;
    if (step.value.text.length > largest) largest = step.value.text.length;
  }
}

/** Throws LegacyFileError (invalid_json with line:column, invalid_shape, io) as checkArrayHere does. */
export async function checkLegacyArray(
  path: string,
  key: string,
  onProgress?: (bytes: number, total: number) => void,
  opts: { worker?: boolean } = {},
): Promise<ArrayCheck> {
  if (opts.worker === false || !existsSync(fileURLToPath(WORKER_URL))) return checkArrayHere(path, key, onProgress);
  // 8 MB of young generation: 524 scavenges at 1M items instead of 2,442 with the ~2 MB it had
  // (library-import.ts parserHeap), for a few MB of peak RSS.
  const worker = new Worker(WORKER_URL, { resourceLimits: { maxYoungGenerationSizeMb: 8, maxOldGenerationSizeMb: 256 } });
  try {
    return await new Promise<ArrayCheck>((resolve, reject) => {
      worker.on('message', (m: CheckMessage) => {
        if ('progress' in m) onProgress?.(m.progress[0], m.progress[1]);
        else if ('checked' in m) resolve({ count: m.checked.count, largest: m.checked.largest, otherKeysText: new Map(m.checked.otherKeysText) });
        else if ('fileError' in m) reject(new LegacyFileError(m.fileError));
        else reject(new Error(m.error));
      });
      worker.on('error', reject);
      // (after a result this changes nothing; before one, the thread died without a word)
      worker.on('exit', (code) => reject(new Error(`the check of ${path} stopped unexpectedly (worker exit ${code})`)));
      worker.postMessage({ path, key });
    });
  } finally {
    await worker.terminate();
  }
}

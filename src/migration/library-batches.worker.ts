/**
 * Worker thread for library-batches.ts: produces the batches and posts them to the import, at
 * most `credits` ahead of what the importer has written (so memory stays bounded when parsing is
 * faster than inserting).
 */
import { parentPort } from 'node:worker_threads';
import { libraryBatches, type RowHashing, type RowHashKind } from './library-batches.js';

const port = parentPort!;
let credits = 0;
let wake: (() => void) | undefined;

let hashing: RowHashing | undefined;

/** A credit also says whether the importer wants the next batches' row hashes (library-import.ts batchSource). */
port.on('message', (msg: { start?: { dir: string; importTime: string; credits: number; hashRows?: RowHashKind }; credit?: number; hash?: boolean }) => {
  if (hashing && msg.hash !== undefined) hashing.on = msg.hash;
  if (msg.credit) {
    credits += msg.credit;
    wake?.();
    wake = undefined;
  }
  if (msg.start) void run(msg.start.dir, msg.start.importTime, msg.start.credits, msg.start.hashRows);
});

async function run(dir: string, importTime: string, initial: number, hashRows: RowHashKind | undefined): Promise<void> {
  credits += initial;
  hashing = hashRows ? { kind: hashRows, on: true } : undefined;
  try {
    for await (const batch of libraryBatches(dir, importTime, hashing)) {
      while (credits <= 0) await new Promise<void>((r) => (wake = r));
      credits--;
      port.postMessage({ batch });
    }
    port.postMessage({ done: true });
  } catch (err) {
    port.postMessage({ error: err instanceof Error ? err.message : String(err) });
  }
}

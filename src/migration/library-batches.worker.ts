/**
 * Worker thread for library-batches.ts: produces the batches and posts them to the import, at
 * most `credits` ahead of what the importer has written (so memory stays bounded when parsing is
 * faster than inserting).
 */
import { parentPort } from 'node:worker_threads';
import { ElementTooLarge } from '../legacy/element-too-large.js';
import { fileErrorInit, LegacyFileError } from '../legacy/file-error.js';
import { libraryBatches, type RowHashing, type RowHashKind } from './library-batches.js';

const port = parentPort!;
let credits = 0;
let wake: (() => void) | undefined;

let hashing: RowHashing | undefined;

/** A credit also says whether the importer wants the next batches' row hashes (library-import.ts batchSource). */
interface Start {
  dir: string;
  importTime: string;
  credits: number;
  hashRows?: RowHashKind;
  /** Longest item this thread's heap is sized for (library-import.ts maxItemChars; Infinity: no bound), in bytes. */
  maxItemBytes: number;
}

port.on('message', (msg: { start?: Start; credit?: number; hash?: boolean }) => {
  if (hashing && msg.hash !== undefined) hashing.on = msg.hash;
  if (msg.credit) {
    credits += msg.credit;
    wake?.();
    wake = undefined;
  }
  if (msg.start) void run(msg.start);
});

async function run({ dir, importTime, credits: initial, hashRows, maxItemBytes }: Start): Promise<void> {
  credits += initial;
  hashing = hashRows ? { kind: hashRows, on: true } : undefined;
  try {
    for await (const batch of libraryBatches(dir, importTime, hashing, maxItemBytes)) {
      while (credits <= 0) await new Promise<void>((r) => (wake = r));
      credits--;
      port.postMessage({ batch });
    }
    port.postMessage({ done: true });
  } catch (err) {
    // an item too large for this heap: the import starts a thread with room for it
    if (err instanceof ElementTooLarge) port.postMessage({ tooLarge: err.bytes });
    // a file error keeps its fields (line and column of invalid JSON; the import may keep the file whole)
    else if (err instanceof LegacyFileError) {
      port.postMessage({ fileError: fileErrorInit(err) });
    } else port.postMessage({ error: err instanceof Error ? err.message : String(err) });
  }
}

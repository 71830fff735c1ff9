/**
 * Worker thread for keyed-batches.ts: makes one keyed file's batches and posts them, at most
 * `credits` ahead of what the importer has written (memory stays bounded when deciding is faster
 * than writing).
 */
import { parentPort } from 'node:worker_threads';
import { LegacyFileError } from '../legacy/file-error.js';
import { type KeyedBatchMessage, type KeyedBatchOptions, keyedBatchesHere, keyedSpec } from './keyed-batches.js';
import { NeedsWholeFile } from './keyed-stream.js';

const port = parentPort!;
const post = (m: KeyedBatchMessage) => port.postMessage(m);
let credits = 0;
let wake: (() => void) | undefined;

port.on('message', (msg: { start?: { file: string; dir: string; opts: KeyedBatchOptions; credits: number }; credit?: number }) => {
  if (msg.credit) {
    credits += msg.credit;
    wake?.();
    wake = undefined;
  }
  if (msg.start) void run(msg.start.file, msg.start.dir, msg.start.opts, msg.start.credits);
});

async function run(file: string, dir: string, opts: KeyedBatchOptions, initial: number): Promise<void> {
  credits += initial;
  try {
    for await (const batch of keyedBatchesHere(keyedSpec(file), dir, opts)) {
      while (credits <= 0) await new Promise<void>((r) => (wake = r));
      credits--;
      post({ batch });
    }
    post({ done: true });
  } catch (err) {
    if (err instanceof NeedsWholeFile) post({ needsWholeFile: err.message });
    else if (err instanceof LegacyFileError) {
      const { file: path, code, detail, line, column, offset } = err;
      post({ fileError: { file: path, code, detail, line, column, offset } });
    } else post({ error: err instanceof Error ? err.message : String(err) });
  }
}

/** Worker thread for library-check.ts: checks one file's array and posts the outcome. */
import { parentPort } from 'node:worker_threads';
import { fileErrorInit, LegacyFileError } from '../legacy/file-error.js';
import { type CheckMessage, checkArrayHere } from './library-check.js';

const port = parentPort!;
const post = (m: CheckMessage) => port.postMessage(m);

port.once('message', ({ path, key }: { path: string; key: string }) => {
  checkArrayHere(path, key, (bytes, total) => post({ progress: [bytes, total] })).then(
    (r) => post({ checked: { count: r.count, largest: r.largest, otherKeysText: [...r.otherKeysText] } }),
    (err: unknown) => {
      if (err instanceof LegacyFileError) {
        post({ fileError: fileErrorInit(err) });
      } else post({ error: err instanceof Error ? err.message : String(err) });
    },
  );
});

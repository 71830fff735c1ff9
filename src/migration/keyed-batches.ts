/**
 * The CPU half of writing a keyed file (grabs, verify results, wanted; keyed-import.ts does the
 * SQL): every record decided (keyed-stream.ts), each accepted one made into its row and added to
 * the read-back digest (keyed-digest.ts), BATCH_ROWS rows at a time. In the compiled build it runs
 * in a worker thread (keyed-batches.worker.js), so the thread that writes is left with the writing:
 * at 1M items those files are written while library.json's check and the directory's archive use
 * the other core, and deciding them there took ~3.5 s of the ~6.5 s the writing thread spent on
 * them. In-process otherwise (tests run the sources). Either way the batches, and any error, are the same.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { LegacyFileError, type LegacyFileErrorInit } from '../legacy/file-error.js';
import { type DigestState, type PgColumnType, SetDigest } from './digest.js';
import { BATCH_ROWS } from './import-batch.sql.js';
import { addKeyedRow, type KeyedDigest, keyedColumns } from './keyed-digest.js';
import { keyedDecisions, NeedsWholeFile } from './keyed-stream.js';
import { LEGACY_FILES, type LegacyFileSpec, type Opener, type Sealer } from './legacy-files.js';
import type { QuarantineEntry } from './record-check.js';

type Row = Record<string, unknown>;

/** What the batches are made with: whether they carry the records too, and the digest's kind. */
export interface KeyedBatchOptions {
  /** Each accepted record with its row (the table held rows: each is compared with the one stored). */
  records: boolean;
  /** The read-back digest to sum (`rows` on SQLite; `pg-rows` with the table's column types). */
  digest?: { of: 'rows' | 'pg-rows'; types?: readonly PgColumnType[] };
}

export interface KeyedBatch {
  /** The accepted records' rows, in file order, and their keys. */
  rows: Row[];
  keys: string[];
  records?: unknown[];
  /** Records quarantined since the batch before, in file order. */
  quarantine: QuarantineEntry[];
  /** Records read since the batch before (accepted or not). */
  read: number;
  /** The last batch: the digest of every row of the file. */
  digest?: DigestState;
}

/**
 * Keyed files hold no secrets (keyed-stream.ts isKeyedSpec): their codecs never seal or open. A
 * codec that started to would fail here instead of writing a secret in the clear.
 */
const NO_SECRETS: Sealer & Opener = {
  seal: () => {
    throw new Error('a keyed legacy file holds no secret to seal');
  },
  open: () => {
    throw new Error('a keyed legacy file holds no secret to open');
  },
};

/** The batches of one keyed file, made in this thread. Throws NeedsWholeFile or an io LegacyFileError. */
export async function* keyedBatchesHere(spec: LegacyFileSpec, dir: string, opts: KeyedBatchOptions): AsyncGenerator<KeyedBatch> {
  const target = spec.target;
  const digest: KeyedDigest | undefined = opts.digest && {
    digest: new SetDigest(opts.digest.of),
    table: target.table,
    columns: keyedColumns(target),
    ...(opts.digest.types ? { types: opts.digest.types } : {}),
  };
  const fresh = (): KeyedBatch => ({ rows: [], keys: [], ...(opts.records ? { records: [] } : {}), quarantine: [], read: 0 });
  let batch = fresh();
  for await (const d of keyedDecisions(spec, dir)) {
    batch.read++;
    if (d.quarantine) {
      batch.quarantine.push(d.quarantine);
      continue;
    }
    const row = target.toRow(d.ref, d.raw, NO_SECRETS);
    if (digest) addKeyedRow(digest, target, row, d.raw, NO_SECRETS);
    batch.rows.push(row);
    batch.keys.push(d.key!);
    batch.records?.push(d.raw);
    if (batch.rows.length >= BATCH_ROWS) {
      yield batch;
      batch = fresh();
    }
  }
  yield { ...batch, ...(digest ? { digest: digest.digest.state() } : {}) };
}

/** What the worker posts: a batch, the end, or the error (NeedsWholeFile's reason, a LegacyFileError's fields, or a message). */
export type KeyedBatchMessage =
  | { batch: KeyedBatch }
  | { done: true }
  | { needsWholeFile: string }
  | { fileError: LegacyFileErrorInit }
  | { outOfMemory: true }
  | { error: string };

const WORKER_URL = new URL('./keyed-batches.worker.js', import.meta.url);

/**
 * The deciding worker's heap: it holds one read and a few batches. A small old generation makes
 * V8 collect early (1M items: the import's peak RSS 226-248 MB, against 262-281 MB with V8's
 * default, which grew lazily); 8 MB of young generation, as library.json's check. A record too
 * big for it stops the worker (WorkerOutOfMemory): the caller decides that file in its own thread.
 */
const KEYED_WORKER_HEAP = { maxYoungGenerationSizeMb: 8, maxOldGenerationSizeMb: 64 };

/** The worker ran out of its heap (a record too big for it): nothing it made was kept by the caller. */
export class WorkerOutOfMemory extends Error {}

/** The spec of a keyed file by its name (the worker is told the file, not sent the spec). */
export function keyedSpec(file: string): LegacyFileSpec {
  const spec = LEGACY_FILES.find((s) => s.file === file);
  if (!spec) throw new Error(`no legacy file is called ${file}`);
  return spec;
}

/**
 * The batches of one keyed file, from a worker thread (compiled build) or this thread; at most two
 * batches ahead of the consumer. Stopping the iteration stops the worker.
 */
export async function* keyedBatches(spec: LegacyFileSpec, dir: string, opts: KeyedBatchOptions & { worker?: boolean }): AsyncGenerator<KeyedBatch> {
  const { worker: useWorker, ...made } = opts;
  if (useWorker === false || !existsSync(fileURLToPath(WORKER_URL))) {
    yield* keyedBatchesHere(spec, dir, made);
    return;
  }
  const worker = new Worker(WORKER_URL, { resourceLimits: KEYED_WORKER_HEAP });
  const queue: KeyedBatchMessage[] = [];
  let wake: (() => void) | undefined;
  const push = (m: KeyedBatchMessage) => {
    queue.push(m);
    wake?.();
    wake = undefined;
  };
  worker.on('message', push);
  worker.on('error', (err) => push((err as { code?: string }).code === 'ERR_WORKER_OUT_OF_MEMORY' ? { outOfMemory: true } : { error: err.message }));
  worker.on('exit', (code) => push({ error: `the reading of ${spec.file} stopped unexpectedly (worker exit ${code})` }));
  worker.postMessage({ start: { file: spec.file, dir, opts: made, credits: 2 } });
  try {
    for (;;) {
      while (queue.length === 0) await new Promise<void>((r) => (wake = r));
      const m = queue.shift()!;
      if ('done' in m) return;
      if ('needsWholeFile' in m) throw new NeedsWholeFile(m.needsWholeFile);
      if ('fileError' in m) throw new LegacyFileError(m.fileError);
      if ('outOfMemory' in m) throw new WorkerOutOfMemory(`deciding ${spec.file} needs more than the worker's ${KEYED_WORKER_HEAP.maxOldGenerationSizeMb} MB`);
      if ('error' in m) throw new Error(m.error);
      worker.postMessage({ credit: 1 });
      yield m.batch;
    }
  } finally {
    await worker.terminate();
  }
}

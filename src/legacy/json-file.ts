// One legacy JSON file as the `files` storage phase uses it: read once, cached, and written
// atomically by a single serialized writer. What the legacy app got wrong and this must not
// (NOTES.md §8): lost updates under concurrency, truncated files, bad files silently replaced.
//
// Rules:
// - One handle per file per process. Two handles on one path would race each other's renames.
// - `read()` returns the live cached value (no copy: library.json can hold 1M items). Never
//   mutate it; it may already show updates whose write is still in flight.
// - `update(mutate)` runs mutators one at a time, in call order, on the live value. Calls that
//   arrive while a write is in flight are applied together and flushed in ONE write; each
//   promise settles only once the write holding its change is durable (or has failed).
// - `replace(value)` keeps `value` by reference: the caller hands it over and stops using it.
import fsp from 'node:fs/promises';
import { dirname } from 'node:path';
import { ioError, LegacyFileError } from './file-error.js';
import { parseLegacyJson } from './read-json.js';
import { serializeLegacyJsonChunks } from './serialize-json.js';

/**
 * The low-level write: like `FileHandle.write(buffer, offset, length)`, it may write fewer bytes
 * than asked (a nearly full disk, a signal) or throw (ENOSPC, EIO). Injectable so tests can
 * play a full disk; the default is the real one.
 */
export type WriteChunk = (handle: fsp.FileHandle, buffer: Buffer, offset: number, length: number) => Promise<{ bytesWritten: number }>;

export interface JsonFileOptions<T> {
  defaultValue: () => T;
  /** Told about failed writes and failed rollbacks (the callers get the rejection too). */
  onError?: (err: Error) => void;
  write?: WriteChunk;
}

const realWrite: WriteChunk = (handle, buffer, offset, length) => handle.write(buffer, offset, length);

/**
 * Writes all of `buffer` or throws: a short write is continued where it stopped; a write that
 * makes no progress is a full disk as far as we can tell (ENOSPC), never a silent truncation.
 */
export async function writeFully(write: WriteChunk, handle: fsp.FileHandle, buffer: Buffer): Promise<void> {
  let offset = 0;
  while (offset < buffer.length) {
    const { bytesWritten } = await write(handle, buffer, offset, buffer.length - offset);
    if (!(bytesWritten > 0)) {
      throw Object.assign(new Error(`ENOSPC: no progress writing (${offset} of ${buffer.length} bytes written)`), { code: 'ENOSPC', syscall: 'write' });
    }
    offset += bytesWritten;
  }
}

export interface JsonFile<T> {
  readonly path: string;
  read(): Promise<T>;
  update<R>(mutate: (draft: T) => R | Promise<R>): Promise<R>;
  replace(value: T): Promise<void>;
  exists(): Promise<boolean>;
}

const UNCHANGED = Symbol('unchanged');
interface Unchanged<R> {
  [UNCHANGED]: true;
  result: R;
}

/**
 * Returned from a mutator: "I did not touch the draft". The update then needs no write of its
 * own, and `update` resolves to `result`. Use it for lookups and for refusals: a mutator that
 * throws forces a reload of the file (see rollback below), returning `unchanged(...)` and
 * throwing after `update` resolves does not.
 */
export function unchanged<R>(result: R): R {
  return { [UNCHANGED]: true, result } as Unchanged<R> as unknown as R;
}

function isUnchanged(v: unknown): v is Unchanged<unknown> {
  return typeof v === 'object' && v !== null && (v as Partial<Unchanged<unknown>>)[UNCHANGED] === true;
}

interface Job<T> {
  apply(current: T): Promise<{ value: T; result: unknown; changed: boolean }>;
  resolve(result: unknown): void;
  reject(err: unknown): void;
}

let tmpCounter = 0; // module-wide: temp names never repeat within a process
const WRITE_BATCH_CHARS = 1 << 20;

export function createJsonFile<T>(path: string, opts: JsonFileOptions<T>): JsonFile<T> {
  let value: T | undefined;
  let loaded = false;
  let loading: Promise<T> | undefined;
  let mode: number | undefined; // permissions of the existing file, kept across rewrites
  let pending: Job<T>[] = [];
  let draining = false;

  async function loadFromDisk(): Promise<T> {
    let handle: fsp.FileHandle;
    try {
      handle = await fsp.open(path, 'r');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return opts.defaultValue();
      throw ioError(path, err);
    }
    let raw: Buffer;
    try {
      mode = (await handle.stat()).mode & 0o7777;
      raw = await handle.readFile();
    } catch (err) {
      throw ioError(path, err);
    } finally {
      await handle.close();
    }
    return parseLegacyJson(path, raw) as T; // invalid JSON throws: a bad file is never replaced
  }

  function ensureLoaded(): Promise<T> {
    if (loaded) return Promise.resolve(value as T);
    loading ??= loadFromDisk().then(
      (v) => {
        value = v;
        loaded = true;
        loading = undefined;
        return v;
      },
      (err: unknown) => {
        loading = undefined;
        throw err;
      },
    );
    return loading;
  }

  /** Back to the last durable state: the file on disk (we are its only writer). */
  async function rollback(): Promise<T> {
    loaded = false;
    value = undefined;
    try {
      return await ensureLoaded();
    } catch (err) {
      // Stay unloaded: the next read/update tries again and reports the problem itself.
      opts.onError?.(err as Error);
      throw err;
    }
  }

  async function writeDurable(doc: T): Promise<void> {
    const tmp = `${path}.tmp-${process.pid}-${tmpCounter++}`;
    let handle: fsp.FileHandle | undefined;
    try {
      handle = await fsp.open(tmp, 'wx', mode ?? 0o666);
      if (mode !== undefined) await handle.chmod(mode); // the umask must not change an existing file's mode
      const write = opts.write ?? realWrite;
      let batch = '';
      for (const piece of serializeLegacyJsonChunks(doc)) {
        batch += piece;
        if (batch.length >= WRITE_BATCH_CHARS) {
          await writeFully(write, handle, Buffer.from(batch, 'utf8'));
          batch = '';
        }
      }
      if (batch !== '') await writeFully(write, handle, Buffer.from(batch, 'utf8'));
      await handle.sync();
      await handle.close();
      handle = undefined;
      await fsp.rename(tmp, path);
    } catch (err) {
      await handle?.close().catch(() => {});
      await fsp.rm(tmp, { force: true }).catch(() => {});
      // Never renamed into place: the previous file stays as it was, the temp file is gone.
      // System errors become LegacyFileError('io'); a serialization TypeError (BigInt, cycle) passes as is.
      throw (err as NodeJS.ErrnoException).syscall ? writeError(path, err) : err;
    }
    await syncDirectory(dirname(path));
  }

  /**
   * Applies a batch in order, then writes once.
   * Rollback choice: mutators work on the live value (a structuredClone per mutation, or even
   * per batch, would copy a 1M-item library on every write). So when a mutator throws, its
   * partial changes are undone by reloading the last durable file and re-applying the batch's
   * other mutators; they may therefore run twice and must only touch the draft. A failed write
   * also reloads the durable file. Both are rare paths; the common path copies nothing.
   */
  async function runBatch(batch: Job<T>[]): Promise<void> {
    let jobs = batch;
    let current: T;
    try {
      current = await ensureLoaded();
    } catch (err) {
      for (const job of jobs) job.reject(err);
      return;
    }
    let results = new Map<Job<T>, unknown>();
    let changed = false;
    for (;;) {
      let failed: Job<T> | undefined;
      for (const job of jobs) {
        try {
          const r = await job.apply(current);
          current = r.value;
          value = current;
          changed ||= r.changed;
          results.set(job, r.result);
        } catch (err) {
          failed = job;
          job.reject(err);
          break;
        }
      }
      if (!failed) break;
      jobs = jobs.filter((j) => j !== failed);
      results = new Map();
      changed = false;
      try {
        current = await rollback();
      } catch (err) {
        for (const job of jobs) job.reject(err);
        return;
      }
    }
    if (changed) {
      try {
        await writeDurable(current);
      } catch (err) {
        opts.onError?.(err as Error);
        await rollback().catch(() => {});
        for (const job of jobs) job.reject(err);
        return;
      }
    }
    for (const job of jobs) job.resolve(results.get(job));
  }

  async function drain(): Promise<void> {
    try {
      while (pending.length > 0) {
        const batch = pending;
        pending = [];
        await runBatch(batch);
      }
    } finally {
      draining = false;
    }
  }

  function enqueue<R>(apply: Job<T>['apply']): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      pending.push({ apply, resolve: resolve as (r: unknown) => void, reject });
      if (!draining) {
        draining = true;
        // A microtask later, so calls made in the same tick share the first write too.
        queueMicrotask(() => void drain());
      }
    });
  }

  return {
    path,
    read: ensureLoaded,
    update<R>(mutate: (draft: T) => R | Promise<R>): Promise<R> {
      return enqueue<R>(async (current) => {
        const out = await mutate(current);
        if (isUnchanged(out)) return { value: current, result: out.result, changed: false };
        return { value: current, result: out, changed: true };
      });
    },
    replace(next: T): Promise<void> {
      return enqueue<void>(async () => ({ value: next, result: undefined, changed: true }));
    },
    async exists(): Promise<boolean> {
      try {
        await fsp.access(path);
        return true;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
        throw ioError(path, err);
      }
    },
  };
}

/** fsync the directory so the rename itself survives a crash. Best effort: not every FS allows it. */
async function syncDirectory(dir: string): Promise<void> {
  let handle: fsp.FileHandle | undefined;
  try {
    handle = await fsp.open(dir, 'r');
    await handle.sync();
  } catch {
    // ignored on purpose (e.g. EISDIR/EINVAL on some platforms)
  } finally {
    await handle?.close().catch(() => {});
  }
}

/** A failed write, named by file and errno code; the message says the previous file is kept. */
function writeError(path: string, err: unknown): LegacyFileError {
  const code = (err as NodeJS.ErrnoException).code;
  const why = code === 'ENOSPC' || code === 'EDQUOT' ? `${code}: no space left on the device` : (code ?? (err as Error).message);
  return new LegacyFileError({ file: path, code: 'io', detail: `${why}; the previous file is unchanged`, cause: err });
}

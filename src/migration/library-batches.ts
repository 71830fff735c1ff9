/**
 * The CPU half of the library import: library.json streamed, each item validated, mapped to its
 * row (the library codec), checked to come back unchanged and stamped with created_at; emitted in
 * batches of flat insert parameters. (The read-back digest is taken by the importer, on the main
 * thread, which waits for batches more than it works.) It runs in a worker
 * thread when the compiled worker exists (dist/), so parsing overlaps the SQLite inserts on the
 * main thread; in-process otherwise (tests run the sources). Either way the output is the same.
 */
import { join } from 'node:path';
import { closeStream, streamLegacyArray } from '../legacy/stream-library.js';
import { type LibraryRow, legacyLibraryItemFromRow } from '../library/library.codec.js';
import { canonicalKind } from '../library/library.kinds.js';
import { jsonEqual } from './compare.js';
import { pgRowHash, rowHash } from './digest.js';
import { BATCH_ROWS, LIBRARY_DATA_COLUMNS, LIBRARY_DATA_PG_TYPES } from './import.sql.js';
import { libraryTarget, pointer } from './legacy-files.js';
import type { KindWarning } from './library-kind.js';
import { checkRecord, type QuarantineEntry, verbatimReason } from './snapshot.js';

/** Insert columns, in parameter order. */
export const LIBRARY_INSERT_COLUMNS = [...LIBRARY_DATA_COLUMNS, 'created_at'] as const;
const WIDTH = LIBRARY_INSERT_COLUMNS.length;
const EARLIEST = Date.UTC(2015, 0, 1);

export interface LibraryBatch {
  /** rows × LIBRARY_INSERT_COLUMNS values, row after row. */
  params: unknown[];
  /** Array index of each row in library.json. */
  pos: number[];
  /**
   * Each row's read-back digest hash of its data columns (digest.ts rowHash / pgRowHash), when
   * asked for: taken here, on the parsing thread, so the writing thread only adds it.
   */
  hashes?: string[];
  /** Items that failed validation, in file order. */
  quarantine: QuarantineEntry[];
  /** Items whose kind spelling was normalized (library-kind.ts). */
  kindWarnings: KindWarning[];
  /** Items read so far, and library.json bytes read of total. */
  read: number;
  bytes: number;
  total: number;
  /**
   * The last batch only: the file's other top-level keys with their JSON text as found, in file
   * order (pairs: a batch crosses threads), and the length of its longest item's text. With it the
   * parse has checked the whole file as library-check.ts does.
   */
  end?: { otherKeysText: [string, string][]; largest: number };
}

/** The library codec did not give a record back unchanged: nothing is written. */
export class LibraryCodecError extends Error {
  constructor(readonly locator: string) {
    super(`library.json ${locator}: the record would not come back from the database unchanged (library codec round trip); nothing was changed`);
  }
}

/**
 * created_at of an imported item: legacy ids start with base36(Date.now()) (8 chars today;
 * FORMATS.md §0.4), so the time the item was added is in its id when the id looks generated and
 * the time is plausible; otherwise `fallback` (the import time).
 */
export function createdAtFromId(id: string, fallback: string, now = Date.now()): string {
  if (!/^[0-9a-z]{8,14}$/.test(id)) return fallback;
  const ms = parseInt(id.slice(0, 8), 36);
  if (!Number.isFinite(ms) || ms < EARLIEST || ms > now + 86_400_000) return fallback;
  return isoFromMs(ms);
}

const pad2 = (n: number): string => (n < 10 ? `0${n}` : `${n}`);

/**
 * `new Date(ms).toISOString()` for a time in years 1970-9999, without the Date object (a million
 * of them were a noticeable share of the import's parsing): days to a civil date by H. Hinnant's
 * days_from_civil inverse.
 */
export function isoFromMs(ms: number): string {
  const days = Math.floor(ms / 86_400_000);
  let rest = ms - days * 86_400_000;
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  const h = Math.floor(rest / 3_600_000);
  rest -= h * 3_600_000;
  const m = Math.floor(rest / 60_000);
  rest -= m * 60_000;
  const sec = Math.floor(rest / 1000);
  const milli = rest - sec * 1000;
  return `${year}-${pad2(month)}-${pad2(day)}T${pad2(h)}:${pad2(m)}:${pad2(sec)}.${milli < 10 ? '00' : milli < 100 ? '0' : ''}${milli}Z`;
}

/** Row object of row `i` of a batch. */
export function batchRow(batch: Pick<LibraryBatch, 'params'>, i: number): Record<string, unknown> {
  const row: Record<string, unknown> = {};
  LIBRARY_INSERT_COLUMNS.forEach((c, k) => {
    row[c] = batch.params[i * WIDTH + k];
  });
  return row;
}

/** Which read-back digest hash (digest.ts) each row of a batch gets, if any. */
export type RowHashKind = 'rows' | 'pg-rows';

/**
 * Whether the batches the parser starts from now on carry their rows' hashes (`on`, read at each
 * batch's start, so the consumer can switch it while the parse runs).
 */
export interface RowHashing {
  kind: RowHashKind;
  on: boolean;
}

/** `maxElementBytes`: see StreamLegacyArrayOptions (the parsing worker's bound by its heap, library-import.ts). */
export async function* libraryBatches(dir: string, importTime: string, hashing?: RowHashing, maxElementBytes?: number): AsyncGenerator<LibraryBatch> {
  let bytes = 0;
  let total = 0;
  let read = 0;
  let hashRows: RowHashKind | undefined;
  const fresh = (): LibraryBatch => {
    hashRows = hashing?.on ? hashing.kind : undefined;
    return { params: [], pos: [], ...(hashRows ? { hashes: [] } : {}), quarantine: [], kindWarnings: [], read, bytes, total };
  };
  let batch = fresh();
  const it = streamLegacyArray(join(dir, 'library.json'), 'items', {
    maxElementBytes,
    onProgress: (b, t) => {
      bytes = b;
      total = t;
    },
  });
  let largest = 0;
  let otherKeysText: Map<string, string>;
  try {
    for (;;) {
      const step = await it.next();
      if (step.done) {
        otherKeysText = step.value.otherKeysText;
        break;
      }
      const { index, value, text } = step.value;
      read++;
      if (text.length > largest) largest = text.length;
      const ref = { key: '', index };
      const lossy = verbatimReason(text, { start: 0, end: text.length });
      const check = lossy ? { ok: false, reason: lossy } : checkRecord(libraryTarget, ref, value, text.includes('\\u'));
      if (!check.ok) {
        // its exact text: JSON.stringify(value) would escape the same way, but not give a lossy number back
        batch.quarantine.push({ file: 'library.json', locator: pointer('items', index), reason: check.reason!, raw: text, encoding: 'json' });
        continue;
      }
      const row = libraryTarget.toRow(ref, value, { seal: (s) => s });
      const rebuilt = legacyLibraryItemFromRow(row as unknown as LibraryRow);
      if (!jsonEqual(rebuilt, value)) throw new LibraryCodecError(pointer('items', index));
      const kind = (value as { kind: string }).kind;
      const to = canonicalKind(kind);
      if (to) batch.kindWarnings.push({ file: 'library.json', locator: pointer('items', index), from: JSON.stringify(kind), to });
      row.created_at = createdAtFromId(check.key!, importTime);
      const at = batch.params.length;
      for (const c of LIBRARY_INSERT_COLUMNS) batch.params.push(row[c] ?? null);
      if (hashRows === 'rows') batch.hashes!.push(rowHash(batch.params, at, LIBRARY_DATA_COLUMNS.length));
      else if (hashRows === 'pg-rows') batch.hashes!.push(pgRowHash(batch.params, at, LIBRARY_DATA_PG_TYPES));
      batch.pos.push(index);
      if (batch.pos.length >= BATCH_ROWS) {
        Object.assign(batch, { read, bytes, total });
        yield batch;
        batch = fresh();
      }
    }
  } finally {
    await closeStream(it); // an error, or a consumer that stopped early: the file is closed now
  }
  Object.assign(batch, { read, bytes, total, end: { otherKeysText: [...otherKeysText], largest } });
  yield batch;
}

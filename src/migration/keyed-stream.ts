/**
 * The big keyed legacy files (grabs.json, verify-results.json: maps; wanted.json: `{items: [...]}`)
 * read record by record with bounded memory. One pass decides, for every record, exactly what the
 * whole-file reader (snapshot.ts) decides: accepted with its row key, or quarantined with a reason.
 * The import runs it twice instead of holding the file: deciding while it writes (keyed-import.ts),
 * then the read-back check; verify-import runs it to decide, then to compare.
 * Anything the whole-file reader handles as a file-level case (invalid JSON, a top level of
 * another shape, a key that appears twice, a key too long for a locator, other top-level keys of
 * wanted.json) stops the pass with NeedsWholeFile: the caller then reads that file whole, as before.
 */
import { join } from 'node:path';
import { LegacyFileError } from '../legacy/file-error.js';
import { closeStream, type StreamedElement, streamLegacyArray, streamLegacyMap } from '../legacy/stream-library.js';
import { HashedKeySet } from './key-set.js';
import { type LegacyFileSpec, pointer, type UnitRef } from './legacy-files.js';
import { keyTooLong, verbatimReason } from './quarantine-reasons.js';
import { checkRecord, type QuarantineEntry } from './record-check.js';

/** The file must be read whole (see the module comment); nothing was decided from this pass. */
export class NeedsWholeFile extends Error {}

export interface KeyedDecision {
  ref: UnitRef;
  locator: string;
  raw: unknown;
  /** Row key when accepted. */
  key?: string;
  quarantine?: QuarantineEntry;
}

/** True for the files this module reads (a map, or an array without a `rest` part, and no secrets). */
export function isKeyedSpec(spec: LegacyFileSpec): boolean {
  if (!spec.chunked || spec.target.secretPaths.length > 0 || spec.target.unique) return false;
  return spec.shape.kind === 'map' || (spec.shape.kind === 'array' && !spec.shape.rest);
}

const NUL_OR_SURROGATE = /[\u0000\ud800-\udfff]/;

/**
 * Every record of the file with its decision, in file order. Throws NeedsWholeFile or an io
 * LegacyFileError. With `known` (the locators an earlier pass quarantined: the read-back
 * check), records are not validated again: those locators are skipped and every other record is
 * taken by its identity (one that has none gets no key, and is then missing in the database).
 */
export async function* keyedDecisions(spec: LegacyFileSpec, dir: string, known?: ReadonlySet<string>): AsyncGenerator<KeyedDecision> {
  const path = join(dir, spec.file);
  const shape = spec.shape;
  const target = spec.target;
  const isMap = shape.kind === 'map';
  const arrayKey = shape.kind === 'array' ? shape.arrayKey : '';
  const it = isMap ? streamLegacyMap(path) : streamLegacyArray(path, arrayKey);
  const members = new HashedKeySet(1 << 12); // a maybe-repeated member key: the whole-file reader decides
  const firstByKey = new Map<string, string>(); // arrays only: row key -> locator of its first record
  try {
    for (;;) {
      let step: IteratorResult<StreamedElement, { otherKeysText: Map<string, string> }>;
      try {
        step = await it.next();
      } catch (err) {
        if (err instanceof LegacyFileError && err.code === 'io') throw err;
        throw new NeedsWholeFile(err instanceof Error ? err.message : String(err));
      }
      if (step.done) {
        if (step.value.otherKeysText.size > 0) throw new NeedsWholeFile('other top-level keys');
        return;
      }
      const { index, key, value, text } = step.value;
      if (isMap && (keyTooLong(key) || !members.add(key))) throw new NeedsWholeFile('a long or repeated key');
      const ref: UnitRef = { key, index };
      const locator = isMap ? pointer(key) : pointer(arrayKey, index);
      if (known) {
        if (!known.has(locator)) yield { ref, locator, raw: value, key: identityOf(spec, ref, value) };
        continue;
      }
      const lossy = verbatimReason(text, { start: 0, end: text.length });
      if (lossy) {
        yield { ref, locator, raw: value, quarantine: { file: spec.file, locator, reason: lossy, raw: text, encoding: 'json' } };
        continue;
      }
      const check = checkRecord(target, ref, value, text.includes('\\u') || NUL_OR_SURROGATE.test(key));
      if (!check.ok) {
        yield { ref, locator, raw: value, quarantine: quarantined(spec.file, locator, value, check.reason!) };
        continue;
      }
      if (!isMap) {
        const first = firstByKey.get(check.key!);
        if (first !== undefined) {
          yield { ref, locator, raw: value, quarantine: quarantined(spec.file, locator, value, `duplicate id: the record at ${first} has the same key`) };
          continue;
        }
        firstByKey.set(check.key!, locator);
      }
      yield { ref, locator, raw: value, key: check.key! };
    }
  } finally {
    await closeStream(it);
  }
}

function identityOf(spec: LegacyFileSpec, ref: UnitRef, raw: unknown): string | undefined {
  try {
    const id = spec.target.identity(ref, raw);
    return 'key' in id ? id.key : undefined;
  } catch {
    return undefined; // not even an object
  }
}

function quarantined(file: string, locator: string, raw: unknown, reason: string): QuarantineEntry {
  return { file, locator, reason, raw: JSON.stringify(raw) ?? 'null', encoding: 'json' };
}

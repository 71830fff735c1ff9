/**
 * Reads a legacy config/ directory into records, as the import and verify-import need them:
 * every record validated, its secrets decrypted (legacy ciphertext or plaintext), and either
 * accepted (with its row key) or headed for quarantine with a reason that names the field and
 * never the value. Nothing here writes anything. library.json is not held in memory: only its
 * syntax is checked here (streamed; the importer streams it again, library-import.ts), or not even
 * that for the import, whose parse checks it as it writes (deferLibrary, library-file.ts).
 */

import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { isObject, setOwn } from '../db/json.js';
import { LegacyFileError } from '../legacy/file-error.js';
import { jsonTextFacts, type Span, topLevelSpans } from '../legacy/json-text.js';
import { type LegacyReadResult, readLegacyJson, stripBom } from '../legacy/read-json.js';
import { readLegacySecretAsync } from '../security/legacy-crypto.js';
import type { KeyedDigest } from './keyed-digest.js';
import { isKeyedSpec, keyedDecisions, NeedsWholeFile } from './keyed-stream.js';
import { LEGACY_FILES, type LegacyFileSpec, pointer, type Target, type UnitRef } from './legacy-files.js';
import { checkLegacyArray } from './library-check.js';
import { brokenEntry, settleStreamed } from './library-snapshot.js';
import { keptAsText, keyTooLong, longKeyReason, MAX_DEPTH, reservedReason, unknownKey, verbatimReason } from './quarantine-reasons.js';
import { checkRecord, keptWhole, type QuarantineEntry } from './record-check.js';
import { unstorableReason } from './storable.js';

export { checkRecord, type QuarantineEntry, type RecordCheck } from './record-check.js';
export { keptAsText, MAX_DEPTH, verbatimReason };

export interface AcceptedUnit {
  target: Target;
  ref: UnitRef;
  locator: string;
  /** The record with plaintext secrets. */
  record: unknown;
  /** Row key (target.keyColumn). */
  key: string;
}

export interface FileSnapshot {
  spec: LegacyFileSpec;
  exists: boolean;
  /** Set when the file is not valid JSON and --skip-broken-files quarantined its bytes. */
  broken?: string;
  accepted: AcceptedUnit[];
  quarantine: QuarantineEntry[];
  /** Records read (array elements, map entries, sections, documents). */
  read: number;
  /** library.json: length of its longest item's JSON text (sizes the parsing worker's heap). */
  largest?: number;
  /**
   * library.json not checked yet (SnapshotOptions.deferLibrary): the import's parse checks it as
   * it writes, then settles this snapshot (settleStreamed), as the check would have.
   */
  libraryDeferred?: boolean;
  /**
   * Set when the file was read record by record (keyed-stream.ts): `accepted` stays empty, this
   * says how many records were accepted, and the import and the read-back check stream it again.
   * `deferred`: not read yet (SnapshotOptions.deferKeyed); the import's write pass decides its
   * records and fills in `read`, `quarantine` and `accepted`. `digest`: that pass's digest of
   * the rows of the file's accepted records (keyed-digest.ts), which the read-back check compares
   * with the table's before it streams the file again.
   */
  keyed?: { accepted: number; deferred?: boolean; digest?: KeyedDigest };
}

export interface SnapshotOptions {
  dir: string;
  legacyKey: string | undefined;
  skipBrokenFiles?: boolean;
  /** ciphertext -> plaintext, shared by every read in one run (each decryption is a 100k-round PBKDF2). */
  secretCache?: Map<string, string>;
  /** Called with library.json progress while its syntax is checked. */
  onLibraryBytes?: (done: number, total: number) => void;
  /** Check library.json in a worker thread when the compiled worker exists (default true). */
  worker?: boolean;
  /**
   * The keyed files (grabs, verify results, wanted) are not read here but left `keyed.deferred`:
   * the import decides their records while it writes them (keyed-import.ts), and reads one whole
   * (readWholeFileSnapshot) only when that pass meets a file it cannot take record by record.
   */
  deferKeyed?: boolean;
  /**
   * library.json's syntax is not checked here but by the import's parse, as it writes
   * (library-file.ts): a second pass over the file at 1M items, 3-4 s of CPU, saved.
   */
  deferLibrary?: boolean;
  /** Snapshots already made (the keyed files the import writes meanwhile): taken as they are, not read again. */
  made?: readonly FileSnapshot[];
}

function getPath(v: unknown, path: readonly string[]): unknown {
  let cur = v;
  for (const p of path) {
    if (!isObject(cur) || !Object.hasOwn(cur, p)) return undefined;
    cur = cur[p];
  }
  return cur;
}

/** A copy of `v` with the value at `path` replaced (the objects along the path are copied). */
export function setPath(v: unknown, path: readonly string[], value: unknown): unknown {
  if (path.length === 0) return value;
  const obj = v as Record<string, unknown>;
  const copy: Record<string, unknown> = {};
  for (const k of Object.keys(obj)) {
    const next = k === path[0] ? setPath(obj[k], path.slice(1), value) : obj[k];
    if (k === '__proto__') Object.defineProperty(copy, k, { value: next, writable: true, enumerable: true, configurable: true });
    else copy[k] = next;
  }
  return copy;
}

/**
 * Legacy secret fields -> plaintext. Returns the record and, per undecryptable field, its dotted
 * path and reason (never the value).
 */
export async function openRecordSecrets(
  target: Target,
  raw: unknown,
  legacyKey: string | undefined,
  cache: Map<string, string>,
): Promise<{ record: unknown; failures: { path: readonly string[]; reason: string }[] }> {
  let record = raw;
  const failures: { path: readonly string[]; reason: string }[] = [];
  for (const path of target.secretPaths) {
    const value = getPath(record, path);
    if (typeof value !== 'string' || value === '') continue;
    const hit = cache.get(value);
    if (hit !== undefined) {
      record = setPath(record, path, hit);
      continue;
    }
    const r = await readLegacySecretAsync(value, legacyKey);
    if (r.kind === 'decrypted') {
      cache.set(value, r.value);
      record = setPath(record, path, r.value);
    } else if (r.kind === 'undecryptable') {
      failures.push({ path, reason: r.reason });
    }
  }
  return { record, failures };
}

function quarantined(file: string, locator: string, raw: unknown, reason: string): QuarantineEntry {
  return { file, locator, reason, raw: JSON.stringify(raw) ?? 'null', encoding: 'json' };
}

interface Candidate {
  target: Target;
  ref: UnitRef;
  locator: string;
  raw: unknown;
  /** The rest of a file (not a record of its own): a secret failure quarantines only that top-level key. */
  rest?: boolean;
}

/**
 * Splits a parsed file into candidate records and strays (values with no place in the database).
 * A member or element whose text holds a number JSON.parse cannot give back exactly, or nests too
 * deep, is a stray kept as its exact text; a file whose top level has the wrong shape is kept as its bytes.
 */
function split(spec: LegacyFileSpec, value: unknown, bytes: Buffer, text: string): { candidates: Candidate[]; strays: QuarantineEntry[] } {
  const candidates: Candidate[] = [];
  const strays: QuarantineEntry[] = [];
  const shape = spec.shape;
  const file = spec.file;
  const facts = jsonTextFacts(text);
  const spans = facts.lossyAt >= 0 || facts.depth > MAX_DEPTH ? topLevelSpans(text, shape.kind === 'array' ? shape.arrayKey : undefined) : undefined;
  const done = { candidates, strays };
  const whole = (why: string) => {
    strays.push(keptWhole(file, bytes, why));
    return done;
  };
  const longKey = isObject(value) ? Object.keys(value).find(keyTooLong) : undefined;
  if (longKey !== undefined && shape.kind !== 'document') return whole(longKeyReason(longKey));
  /** A candidate, unless its text must be kept verbatim (verbatimReason): then a stray with that text. */
  const unit = (target: Target, ref: UnitRef, locator: string, raw: unknown, span: Span | undefined): void => {
    const lossy = span && verbatimReason(text, span);
    if (lossy) strays.push({ file, locator, reason: lossy, raw: text.slice(span.start, span.end), encoding: 'json' });
    else candidates.push({ target, ref, locator, raw });
  };
  const stray = (key: string, raw: unknown, why: string): void => {
    const span = spans?.members.get(key);
    const lossy = span && verbatimReason(text, span);
    strays.push(
      lossy
        ? { file, locator: pointer(key), reason: lossy, raw: text.slice(span.start, span.end), encoding: 'json' }
        : quarantined(file, pointer(key), raw, why),
    );
  };
  switch (shape.kind) {
    case 'document': {
      const lossy = spans && verbatimReason(text, { start: 0, end: text.length });
      if (lossy) return whole(lossy);
      candidates.push({ target: spec.target, ref: { key: spec.target.scope ?? '', index: 0 }, locator: '', raw: value });
      break;
    }
    case 'map': {
      if (!isObject(value)) return whole('the file is not a JSON object keyed by id');
      Object.keys(value).forEach((key, index) => {
        unit(spec.target, { key, index }, pointer(key), value[key], spans?.members.get(key));
      });
      break;
    }
    case 'sections': {
      if (!isObject(value)) return whole('the file is not a JSON object');
      Object.keys(value).forEach((key, index) => {
        if (shape.sections.includes(key)) unit(spec.target, { key, index }, pointer(key), value[key], spans?.members.get(key));
        else stray(key, value[key], unknownKey(key));
      });
      break;
    }
    case 'array': {
      const items = isObject(value) ? value[shape.arrayKey] : undefined;
      if (!isObject(value)) {
        // only a file with its own envelope (quality-profiles.json) keeps a non-object top level as a record
        if (!shape.rest || !shape.restOf || spans || unstorableReason(value)) return whole(`the file is not a JSON object with an "${shape.arrayKey}" array`);
        candidates.push({ target: shape.rest, ref: { key: shape.rest.scope ?? '', index: 0 }, locator: '', raw: shape.restOf(value), rest: true });
        break;
      }
      if (Array.isArray(items)) {
        items.forEach((raw, index) => {
          unit(spec.target, { key: '', index }, pointer(shape.arrayKey, index), raw, spans?.elements?.[index]);
        });
      } else if (!shape.restOf) {
        return whole(`the file is not a JSON object with an "${shape.arrayKey}" array`);
      }
      // The rest of the file: one record of its own (shape.rest), minus the top-level keys it cannot hold exactly.
      const kept: Record<string, unknown> = {};
      for (const k of Object.keys(value)) {
        if (k === shape.arrayKey && Array.isArray(items)) continue;
        const span = spans?.members.get(k);
        const why = !shape.rest
          ? unknownKey(k)
          : (unstorableReason(value[k], k) ?? (span && verbatimReason(text, span)) ?? (shape.reserved?.includes(k) ? reservedReason(k) : undefined));
        if (why) stray(k, value[k], why);
        else setOwn(kept, k, value[k]);
      }
      if (shape.rest) {
        const withArray: Record<string, unknown> = { ...kept };
        if (Array.isArray(items)) setOwn(withArray, shape.arrayKey, items);
        candidates.push({
          target: shape.rest,
          ref: { key: shape.rest.scope ?? '', index: 0 },
          locator: '',
          raw: shape.restOf ? shape.restOf(withArray) : kept,
          rest: true,
        });
      }
      break;
    }
  }
  return done;
}

/** Validates, opens secrets and de-duplicates the candidates of one file. */
async function settle(spec: LegacyFileSpec, candidates: Candidate[], opts: SnapshotOptions, out: FileSnapshot, escapes: boolean): Promise<void> {
  const cache = opts.secretCache ?? new Map<string, string>();
  const seen = new Map<string, Map<string, string>>(); // target name -> key -> first locator
  const seenUnique = new Map<string, Map<string, string>>();
  for (const c of candidates) {
    if (!c.rest) out.read++;
    const check = checkRecord(c.target, c.ref, c.raw, escapes);
    if (!check.ok) {
      out.quarantine.push(quarantined(spec.file, c.locator, c.raw, check.reason!));
      continue;
    }
    let { record, failures } = await openRecordSecrets(c.target, c.raw, opts.legacyKey, cache);
    if (failures.length > 0 && c.rest) {
      // Only the top-level key holding the bad secret is set aside; the rest is imported.
      for (const f of failures) {
        const top = f.path[0]!;
        if (!isObject(record) || !(top in record)) continue;
        out.quarantine.push(quarantined(spec.file, pointer(top), (c.raw as Record<string, unknown>)[top], `field ${f.path.join('.')}: ${f.reason}`));
        const copy = { ...(record as Record<string, unknown>) };
        delete copy[top];
        record = copy;
      }
    } else if (failures.length > 0) {
      const reason = failures.map((f) => `field ${f.path.join('.')}: ${f.reason}`).join('; ');
      out.quarantine.push(quarantined(spec.file, c.locator, c.raw, reason));
      continue;
    }
    const keys = seen.get(c.target.name) ?? new Map<string, string>();
    seen.set(c.target.name, keys);
    const first = keys.get(check.key!);
    if (first !== undefined) {
      out.quarantine.push(quarantined(spec.file, c.locator, c.raw, `duplicate id: the record at ${first || '(document)'} has the same key`));
      continue;
    }
    if (c.target.unique) {
      const uniques = seenUnique.get(c.target.name) ?? new Map<string, string>();
      seenUnique.set(c.target.name, uniques);
      const u = c.target.unique.of(record);
      const firstU = uniques.get(u);
      if (firstU !== undefined) {
        out.quarantine.push(quarantined(spec.file, c.locator, c.raw, c.target.unique.reason(firstU)));
        continue;
      }
      uniques.set(u, c.locator);
    }
    keys.set(check.key!, c.locator);
    out.accepted.push({ target: c.target, ref: c.ref, locator: c.locator, record, key: check.key! });
  }
}

/** Reads one file. Throws LegacyFileError for invalid JSON unless `skipBrokenFiles`. */
export function readFileSnapshot(spec: LegacyFileSpec, opts: SnapshotOptions): Promise<FileSnapshot> {
  return readOne(spec, opts, false);
}

/** Reads one file whole, even a keyed one (its record-by-record pass met an odd file). */
export function readWholeFileSnapshot(spec: LegacyFileSpec, opts: SnapshotOptions): Promise<FileSnapshot> {
  return readOne(spec, opts, true);
}

async function readOne(spec: LegacyFileSpec, opts: SnapshotOptions, whole: boolean): Promise<FileSnapshot> {
  const path = join(opts.dir, spec.file);
  const out: FileSnapshot = { spec, exists: false, accepted: [], quarantine: [], read: 0 };
  if (spec.streamed) {
    if (opts.deferLibrary && (await exists(path))) return { ...out, exists: true, libraryDeferred: true };
    // the check's outcome settles the snapshot once (an error while settling is not the check's)
    const outcome = await checkLegacyArray(path, (spec.shape as { arrayKey: string }).arrayKey, opts.onLibraryBytes, { worker: opts.worker }).then(
      (checked) => ({ checked }),
      (error: unknown) => ({ error }),
    );
    return settleStreamed(out, path, outcome, opts.skipBrokenFiles);
  }
  // grabs, verify results and wanted: record by record (any size: one path for all), whole only for an odd file
  if (!whole && isKeyedSpec(spec) && (await exists(path))) {
    if (opts.deferKeyed) return { ...out, exists: true, keyed: { accepted: 0, deferred: true } };
    const keyed = await readKeyedSnapshot(spec, opts.dir);
    if (keyed) return keyed;
  }
  let result: LegacyReadResult;
  try {
    result = await readLegacyJson(path);
  } catch (err) {
    if (!(err instanceof LegacyFileError) || err.code !== 'invalid_json' || !opts.skipBrokenFiles) throw err;
    out.exists = true;
    out.broken = err.message;
    out.quarantine.push(brokenEntry(spec.file, await readFile(path), err));
    return out;
  }
  if (!result.exists) return out;
  out.exists = true;
  const text = stripBom(result.raw.toString('utf8'));
  const { candidates, strays } = split(spec, result.value, result.raw, text);
  out.quarantine.push(...strays);
  await settle(spec, candidates, opts, out, text.includes('\\u'));
  return out;
}

async function exists(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false; // the whole-file reader reports it
  }
}

/** A keyed file record by record (only its quarantine is kept); undefined when it must be read whole. */
async function readKeyedSnapshot(spec: LegacyFileSpec, dir: string): Promise<FileSnapshot | undefined> {
  const out: FileSnapshot = { spec, exists: true, accepted: [], quarantine: [], read: 0, keyed: { accepted: 0 } };
  try {
    for await (const d of keyedDecisions(spec, dir)) {
      out.read++;
      if (d.quarantine) out.quarantine.push(d.quarantine);
      else out.keyed!.accepted++;
    }
  } catch (err) {
    if (err instanceof NeedsWholeFile) return undefined;
    throw err;
  }
  return out;
}

/** Reads every legacy file of the directory (library.json: syntax only). */
export async function readSnapshot(opts: SnapshotOptions): Promise<FileSnapshot[]> {
  const out: FileSnapshot[] = [];
  for (const spec of LEGACY_FILES) out.push(opts.made?.find((s) => s.spec === spec) ?? (await readFileSnapshot(spec, opts)));
  return out;
}

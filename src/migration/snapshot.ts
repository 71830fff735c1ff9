/**
 * Reads a legacy config/ directory into records, as the import and verify-import need them:
 * every record validated, its secrets decrypted (legacy ciphertext or plaintext), and either
 * accepted (with its row key) or headed for quarantine with a reason that names the field and
 * never the value. Nothing here writes anything. library.json is not held in memory: only its
 * syntax is checked here (streamed); the importer streams it again (see library-import.ts).
 */
import { join } from 'node:path';
import { LegacyFileError, readLegacyJson } from '../legacy/read-json.js';
import { streamLegacyArray } from '../legacy/stream-library.js';
import { readLegacySecretAsync } from '../security/legacy-crypto.js';
import { LEGACY_FILES, pointer, type LegacyFileSpec, type Target, type UnitRef } from './legacy-files.js';

export interface QuarantineEntry {
  file: string;
  locator: string;
  reason: string;
  /** JSON text of the value as found, or base64 of the file bytes (`encoding: 'base64'`). */
  raw: string;
  encoding: 'json' | 'base64';
}

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
}

export interface SnapshotOptions {
  dir: string;
  legacyKey: string | undefined;
  skipBrokenFiles?: boolean;
  /** ciphertext -> plaintext, shared by every read in one run (each decryption is a 100k-round PBKDF2). */
  secretCache?: Map<string, string>;
  /** Called with library.json progress while its syntax is checked. */
  onLibraryBytes?: (done: number, total: number) => void;
}

export interface RecordCheck {
  ok: boolean;
  key?: string;
  reason?: string;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Schema + identity of one raw record (sync; secrets are opened separately). */
export function checkRecord(target: Target, ref: UnitRef, raw: unknown): RecordCheck {
  const parsed = target.schema.safeParse(raw);
  if (!parsed.success) {
    const detail = parsed.error.issues.slice(0, 3).map((i) => `${i.path.length ? i.path.join('.') : 'record'}: ${i.message}`).join('; ');
    return { ok: false, reason: `invalid record (${detail})` };
  }
  const id = target.identity(ref, raw);
  if ('reason' in id) return { ok: false, reason: id.reason };
  return { ok: true, key: id.key };
}

function getPath(v: unknown, path: readonly string[]): unknown {
  let cur = v;
  for (const p of path) {
    if (!isObject(cur) || !Object.prototype.hasOwnProperty.call(cur, p)) return undefined;
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

/** Splits a parsed file into candidate records and strays (values with no place in the database). */
function split(spec: LegacyFileSpec, value: unknown): { candidates: Candidate[]; strays: QuarantineEntry[] } {
  const candidates: Candidate[] = [];
  const strays: QuarantineEntry[] = [];
  const shape = spec.shape;
  const whole = (why: string) => strays.push(quarantined(spec.file, '', value, why));
  switch (shape.kind) {
    case 'document':
      candidates.push({ target: spec.target, ref: { key: spec.target.scope ?? '', index: 0 }, locator: '', raw: value });
      break;
    case 'map': {
      if (!isObject(value)) return whole('the file is not a JSON object keyed by id'), { candidates, strays };
      Object.keys(value).forEach((key, index) => candidates.push({ target: spec.target, ref: { key, index }, locator: pointer(key), raw: value[key] }));
      break;
    }
    case 'sections': {
      if (!isObject(value)) return whole('the file is not a JSON object'), { candidates, strays };
      Object.keys(value).forEach((key, index) => {
        if (shape.sections.includes(key)) candidates.push({ target: spec.target, ref: { key, index }, locator: pointer(key), raw: value[key] });
        else strays.push(quarantined(spec.file, pointer(key), value[key], `unknown top-level key "${key}" (kept here; export writes it back)`));
      });
      break;
    }
    case 'array': {
      const wholeRest = shape.restOf !== undefined;
      const items = isObject(value) ? value[shape.arrayKey] : undefined;
      if (Array.isArray(items)) {
        items.forEach((raw, index) => candidates.push({ target: spec.target, ref: { key: '', index }, locator: pointer(shape.arrayKey, index), raw }));
      } else if (!wholeRest) {
        return whole(`the file is not a JSON object with an "${shape.arrayKey}" array`), { candidates, strays };
      }
      if (shape.rest) {
        const rest: Record<string, unknown> = {};
        if (isObject(value)) for (const k of Object.keys(value)) if (k !== shape.arrayKey) rest[k] = value[k];
        candidates.push({ target: shape.rest, ref: { key: shape.rest.scope ?? '', index: 0 }, locator: '', raw: shape.restOf ? shape.restOf(value) : rest, rest: true });
      } else if (isObject(value)) {
        for (const k of Object.keys(value)) {
          if (k !== shape.arrayKey) strays.push(quarantined(spec.file, pointer(k), value[k], `unknown top-level key "${k}" (kept here; export writes it back)`));
        }
      }
      break;
    }
  }
  return { candidates, strays };
}

/** Validates, opens secrets and de-duplicates the candidates of one file. */
async function settle(spec: LegacyFileSpec, candidates: Candidate[], opts: SnapshotOptions, out: FileSnapshot): Promise<void> {
  const cache = opts.secretCache ?? new Map<string, string>();
  const seen = new Map<string, Map<string, string>>(); // target name -> key -> first locator
  const seenUnique = new Map<string, Map<string, string>>();
  for (const c of candidates) {
    if (!c.rest) out.read++;
    const check = checkRecord(c.target, c.ref, c.raw);
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

function brokenEntry(file: string, raw: Buffer, err: LegacyFileError): QuarantineEntry {
  return { file, locator: '', reason: `broken file: ${err.message}`, raw: raw.toString('base64'), encoding: 'base64' };
}

/** Reads one file. Throws LegacyFileError for invalid JSON unless `skipBrokenFiles`. */
export async function readFileSnapshot(spec: LegacyFileSpec, opts: SnapshotOptions): Promise<FileSnapshot> {
  const path = join(opts.dir, spec.file);
  const out: FileSnapshot = { spec, exists: false, accepted: [], quarantine: [], read: 0 };
  if (spec.streamed) {
    try {
      const it = streamLegacyArray(path, (spec.shape as { arrayKey: string }).arrayKey, { onProgress: opts.onLibraryBytes });
      for (;;) {
        const step = await it.next();
        if (step.done) {
          for (const [k, v] of Object.entries(step.value.otherKeys)) {
            out.quarantine.push(quarantined(spec.file, pointer(k), v, `unknown top-level key "${k}" (kept here; export writes it back)`));
          }
          break;
        }
        out.read++;
      }
      out.exists = true;
    } catch (err) {
      if (err instanceof LegacyFileError && err.code === 'io' && /ENOENT/.test(err.detail)) return out;
      if (!(err instanceof LegacyFileError) || err.code === 'io' || !opts.skipBrokenFiles) throw err;
      const { readFile } = await import('node:fs/promises');
      out.exists = true;
      out.broken = err.message;
      out.read = 0;
      out.quarantine.push(brokenEntry(spec.file, await readFile(path), err));
    }
    return out;
  }
  let result;
  try {
    result = await readLegacyJson(path);
  } catch (err) {
    if (!(err instanceof LegacyFileError) || err.code !== 'invalid_json' || !opts.skipBrokenFiles) throw err;
    const { readFile } = await import('node:fs/promises');
    out.exists = true;
    out.broken = err.message;
    out.quarantine.push(brokenEntry(spec.file, await readFile(path), err));
    return out;
  }
  if (!result.exists) return out;
  out.exists = true;
  const { candidates, strays } = split(spec, result.value);
  out.quarantine.push(...strays);
  await settle(spec, candidates, opts, out);
  return out;
}

/** Reads every legacy file of the directory (library.json: syntax only). */
export async function readSnapshot(opts: SnapshotOptions): Promise<FileSnapshot[]> {
  const out: FileSnapshot[] = [];
  for (const spec of LEGACY_FILES) out.push(await readFileSnapshot(spec, opts));
  return out;
}

/**
 * JSON-value comparison for the importer and verify-import: key order does not matter (the
 * legacy files and PostgreSQL jsonb order keys differently), everything else does (types,
 * array order, strings byte for byte). Returns the paths where two values differ.
 */
import { isObject } from '../db/json.js';

export interface ValueDifference {
  /** Field path inside the record, e.g. `title`, `metadata.codec`, `issues[0].severity` ('' = the whole value). */
  field: string;
  /** What differs, without the values (they may be secrets): "differs", "missing in database", ... */
  problem: string;
}

function join(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return path === '' ? key : `${path}.${key}`;
}

/** True when `a` and `b` are equal as JSON values. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!jsonEqual(a[i], b[i])) return false;
    return true;
  }
  if (isObject(a)) {
    if (!isObject(b)) return false;
    const ka = Object.keys(a);
    if (ka.length !== Object.keys(b).length) return false;
    for (const k of ka) {
      if (!Object.hasOwn(b, k) || !jsonEqual(a[k], b[k])) return false;
    }
    return true;
  }
  return false;
}

/** The differing fields of `file` (the legacy record) and `db` (the record rebuilt from the database). */
export function diffValues(file: unknown, db: unknown, limit = 20, path = '', out: ValueDifference[] = []): ValueDifference[] {
  if (out.length >= limit || jsonEqual(file, db)) return out;
  if (isObject(file) && isObject(db)) {
    for (const k of Object.keys(file)) {
      if (!Object.hasOwn(db, k)) out.push({ field: join(path, k), problem: 'missing in database' });
      else diffValues(file[k], db[k], limit, join(path, k), out);
      if (out.length >= limit) return out;
    }
    for (const k of Object.keys(db)) {
      if (!Object.hasOwn(file, k)) out.push({ field: join(path, k), problem: 'only in database' });
      if (out.length >= limit) return out;
    }
    return out;
  }
  if (Array.isArray(file) && Array.isArray(db) && file.length === db.length) {
    for (let i = 0; i < file.length && out.length < limit; i++) diffValues(file[i], db[i], limit, join(path, i), out);
    return out;
  }
  const kind = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);
  const problem = kind(file) !== kind(db) ? `type differs (file: ${kind(file)}, database: ${kind(db)})` : 'value differs';
  out.push({ field: path, problem });
  return out;
}

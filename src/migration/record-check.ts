/**
 * Schema, storability and identity of one legacy record, and the shape of a quarantine entry:
 * shared by the whole-file reader (snapshot.ts) and the streamed readers (library, keyed files).
 */
import { indexedOverflow } from '../db/indexed-limit.js';
import { isObject } from '../db/json.js';
import type { Target, UnitRef } from './legacy-files.js';
import { reservedReason, tooLongReason } from './quarantine-reasons.js';
import { unstorableReason } from './storable.js';

export interface QuarantineEntry {
  file: string;
  locator: string;
  reason: string;
  /** JSON text of the value as found, or base64 of the file bytes (`encoding: 'base64'`). */
  raw: string;
  encoding: 'json' | 'base64';
}

/** A whole file kept in the quarantine as its bytes (a broken file, or one of another shape). */
export function keptWhole(file: string, bytes: Buffer, reason: string): QuarantineEntry {
  return { file, locator: '', reason, raw: bytes.toString('base64'), encoding: 'base64' };
}

export interface RecordCheck {
  ok: boolean;
  key?: string;
  reason?: string;
}

/**
 * Schema, storability and identity of one raw record (sync; secrets are opened separately).
 * `escapes: false` says the record's JSON text holds no \u escape, so no string of it can hold a
 * NUL or a lone surrogate (valid UTF-8 text cannot): the walk looking for them is skipped.
 */
export function checkRecord(target: Target, ref: UnitRef, raw: unknown, escapes = true): RecordCheck {
  const parsed = target.schema.safeParse(raw);
  if (!parsed.success) {
    const detail = parsed.error.issues
      .slice(0, 3)
      .map((i) => `${i.path.length ? i.path.join('.') : 'record'}: ${i.message}`)
      .join('; ');
    return { ok: false, reason: `invalid record (${detail})` };
  }
  const unstorable = escapes ? unstorableReason(raw, ref.key) : undefined;
  if (unstorable) return { ok: false, reason: unstorable };
  const marker = isObject(raw) ? target.reserved?.find((k) => Object.hasOwn(raw, k)) : undefined;
  if (marker !== undefined) return { ok: false, reason: reservedReason(marker) };
  for (const [field, v] of target.indexed?.(ref, raw) ?? []) {
    if (typeof v === 'string' && indexedOverflow(v) !== undefined) return { ok: false, reason: tooLongReason(field, v) };
  }
  const id = target.identity(ref, raw);
  if ('reason' in id) return { ok: false, reason: id.reason };
  return { ok: true, key: id.key };
}

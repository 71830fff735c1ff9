// Reading and writing single legacy MediaOS JSON files (FORMATS.md §0.2).
// Unlike the legacy readers, a file that is not valid JSON is an error here, never "use the
// default": the caller decides, and nothing overwrites a damaged file without being told to.
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { invalidUtf8Offset, looksUtf16 } from './json-text.js';

export type LegacyFileErrorCode = 'invalid_json' | 'invalid_shape' | 'io';

export interface LegacyFileErrorInit {
  file: string;
  code: LegacyFileErrorCode;
  /** Short reason, e.g. "Unexpected end of JSON input". Never holds file content. */
  detail: string;
  line?: number;
  column?: number;
  /** Byte offset in the file, when line:column could not be computed. */
  offset?: number;
  cause?: unknown;
}

export class LegacyFileError extends Error {
  readonly file: string;
  readonly code: LegacyFileErrorCode;
  readonly detail: string;
  readonly line?: number;
  readonly column?: number;
  readonly offset?: number;

  constructor(init: LegacyFileErrorInit) {
    super(formatMessage(init), init.cause === undefined ? undefined : { cause: init.cause });
    this.name = 'LegacyFileError';
    this.file = init.file;
    this.code = init.code;
    this.detail = init.detail;
    if (init.line !== undefined) this.line = init.line;
    if (init.column !== undefined) this.column = init.column;
    if (init.offset !== undefined) this.offset = init.offset;
  }
}

function formatMessage(init: LegacyFileErrorInit): string {
  const name = basename(init.file);
  if (init.code === 'io') return `${name}: cannot read or write file (${init.detail})`;
  if (init.code === 'invalid_shape') return `${name}: unexpected shape (${init.detail})`;
  if (init.line !== undefined && init.column !== undefined) {
    return `${name}: invalid JSON at line ${init.line}, column ${init.column} (${init.detail})`;
  }
  if (init.offset !== undefined) return `${name}: invalid JSON at byte ${init.offset} (${init.detail})`;
  return `${name}: invalid JSON (${init.detail})`;
}

export type LegacyReadResult = { exists: false } | { exists: true; value: unknown; raw: Buffer };

/** Reads one legacy file. Missing file -> `{exists:false}`; invalid JSON or bytes that are not UTF-8 -> LegacyFileError. */
export async function readLegacyJson(path: string): Promise<LegacyReadResult> {
  let raw: Buffer;
  try {
    raw = await readFile(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { exists: false };
    throw ioError(path, err);
  }
  checkUtf8(path, raw);
  return { exists: true, value: parseLegacyJson(path, raw), raw };
}

/**
 * Bytes that are not UTF-8 (a file saved as Latin-1 or UTF-16) are refused with their position:
 * decoding would turn them into U+FFFD and change the data without a word.
 */
export function checkUtf8(path: string, raw: Buffer): void {
  if (looksUtf16(raw)) {
    throw new LegacyFileError({ file: path, code: 'invalid_json', detail: 'the file is UTF-16; legacy files are UTF-8, save it as UTF-8', line: 1, column: 1 });
  }
  const bad = invalidUtf8Offset(raw);
  if (bad < 0) return;
  const { line, column } = lineColumnAt(stripBom(raw.subarray(0, bad).toString('utf8')), Number.MAX_SAFE_INTEGER);
  throw new LegacyFileError({ file: path, code: 'invalid_json', detail: invalidUtf8Detail(raw[bad]!), line, column, offset: bad });
}

export function invalidUtf8Detail(byte: number): string {
  return `not UTF-8: byte 0x${byte.toString(16).padStart(2, '0')}; legacy files are UTF-8, save it as UTF-8`;
}

/** Parses file bytes (UTF-8, optional BOM) as JSON; `path` only names the file in errors. */
export function parseLegacyJson(path: string, raw: Buffer): unknown {
  const text = stripBom(raw.toString('utf8'));
  try {
    return JSON.parse(text);
  } catch (err) {
    if (text.trim() === '') {
      const { line, column } = lineColumnAt(text, text.length);
      throw new LegacyFileError({ file: path, code: 'invalid_json', detail: text === '' ? 'the file is empty' : 'the file holds only whitespace', line, column });
    }
    const { index, detail } = locateJsonError(text, err);
    const { line, column } = lineColumnAt(text, index);
    // The SyntaxError is not attached as cause: V8 quotes the text in it, and the text may be a secret.
    throw new LegacyFileError({ file: path, code: 'invalid_json', detail, line, column });
  }
}

/** The legacy on-disk format: 2-space JSON, no trailing newline. */
export function serializeLegacyJson(value: unknown): string {
  return JSON.stringify(value, null, 2);
}

/**
 * The same text as serializeLegacyJson, in pieces: the top two levels (the document and, e.g.,
 * its `items` array) are walked here and each element is stringified on its own, so a 1M-item
 * library never becomes one giant string. Deeper values, and anything with toJSON, go to
 * JSON.stringify whole; indentation is added by prefixing its lines (JSON.stringify never emits
 * a raw newline inside a string, so every "\n" is structural).
 */
export function* serializeLegacyJsonChunks(value: unknown): Generator<string, void, undefined> {
  yield* chunksAt(value, '', 0);
}

function* chunksAt(value: unknown, indent: string, depth: number): Generator<string, void, undefined> {
  if (depth >= 2 || !isPlainContainer(value)) {
    const text = JSON.stringify(value, null, 2) as string | undefined;
    if (text === undefined) throw new TypeError('value is not JSON-serializable');
    yield indent === '' ? text : text.replace(/\n/g, `\n${indent}`);
    return;
  }
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (value.length === 0) return yield '[]';
    for (let k = 0; k < value.length; k++) {
      yield k === 0 ? `[\n${inner}` : `,\n${inner}`;
      if (serializable(value[k])) yield* chunksAt(value[k], inner, depth + 1);
      else yield 'null';
    }
    return yield `\n${indent}]`;
  }
  let first = true;
  for (const key of Object.keys(value)) {
    const member = (value as Record<string, unknown>)[key];
    if (!serializable(member)) continue;
    yield `${first ? '{' : ','}\n${inner}${JSON.stringify(key)}: `;
    first = false;
    yield* chunksAt(member, inner, depth + 1);
  }
  yield first ? '{}' : `\n${indent}}`;
}

function isPlainContainer(v: unknown): v is object {
  if (v === null || typeof v !== 'object' || typeof (v as { toJSON?: unknown }).toJSON === 'function') return false;
  if (Array.isArray(v)) return true;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

/** What JSON.stringify keeps as an object member (it drops undefined, functions, symbols). */
function serializable(v: unknown): boolean {
  if (v === undefined || typeof v === 'function' || typeof v === 'symbol') return false;
  if (v !== null && typeof v === 'object' && typeof (v as { toJSON?: unknown }).toJSON === 'function') {
    return serializable((v as { toJSON: () => unknown }).toJSON());
  }
  return true;
}

export function ioError(path: string, err: unknown): LegacyFileError {
  const e = err as NodeJS.ErrnoException;
  const detail = typeof e?.code === 'string' ? e.code : e instanceof Error ? e.message : String(err);
  return new LegacyFileError({ file: path, code: 'io', detail, cause: err });
}

export function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** 1-based line and column (UTF-16 code units, like JSON.parse positions) of `index` in `text`. */
export function lineColumnAt(text: string, index: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  const end = Math.min(index, text.length);
  for (let i = text.indexOf('\n'); i !== -1 && i < end; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: end - lineStart + 1 };
}

/**
 * Where JSON.parse failed and why, without quoting the input. Node 20 says "at position N"
 * for most errors but not for "Unexpected token 'x', "<text>" is not valid JSON"; then we
 * find the position with our own validator.
 */
export function locateJsonError(text: string, err: unknown): { index: number; detail: string } {
  const message = err instanceof Error ? err.message : String(err);
  if (message.startsWith('Unexpected end of JSON input')) {
    return { index: text.length, detail: 'Unexpected end of JSON input' };
  }
  // Checked first: this form quotes the text, which could itself contain "at position N".
  const token = /^Unexpected token '(.{1,2}?)', /su.exec(message);
  const positioned = token ? null : /^([^"]*?)(?: in JSON)? at position (\d+)/.exec(message);
  if (positioned) return { index: Number(positioned[2]), detail: positioned[1]! };
  const index = findJsonErrorIndex(text);
  // JSON-escaped, so a newline or control character does not break the one-line message
  const detail = token ? `Unexpected token '${JSON.stringify(token[1]).slice(1, -1)}'` : 'Unexpected token';
  return { index: index < 0 ? text.length : index, detail };
}

const enum Ctx {
  Array,
  Object,
}

/** Index of the first character that makes `text` invalid JSON, or -1 if it is valid. */
export function findJsonErrorIndex(text: string): number {
  const n = text.length;
  const stack: Ctx[] = [];
  let i = 0;
  let expectValue = true;

  const skipWs = (): void => {
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) i++;
      else break;
    }
  };
  const isDigit = (c: number): boolean => c >= 0x30 && c <= 0x39;
  const isHex = (c: number): boolean => isDigit(c) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
  // Each scanner leaves `i` after the token on success, or at the offending char on failure.
  const scanString = (): boolean => {
    i++;
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        i++;
        return true;
      }
      if (c < 0x20) return false;
      if (c !== 0x5c) {
        i++;
        continue;
      }
      const e = text.charCodeAt(i + 1);
      if (e === 0x75) {
        for (let k = 2; k < 6; k++) {
          if (!isHex(text.charCodeAt(i + k))) {
            i = Math.min(i + k, n);
            return false;
          }
        }
        i += 6;
      } else if (i + 1 < n && '"\\/bfnrt'.includes(text[i + 1]!)) {
        i += 2;
      } else {
        i = Math.min(i + 1, n);
        return false;
      }
    }
    return false;
  };
  const scanDigits = (): boolean => {
    if (!isDigit(text.charCodeAt(i))) return false;
    while (isDigit(text.charCodeAt(i))) i++;
    return true;
  };
  const scanNumber = (): boolean => {
    if (text.charCodeAt(i) === 0x2d) i++;
    if (text.charCodeAt(i) === 0x30) i++;
    else if (!scanDigits()) return false;
    if (text.charCodeAt(i) === 0x2e) {
      i++;
      if (!scanDigits()) return false;
    }
    const e = text.charCodeAt(i);
    if (e === 0x65 || e === 0x45) {
      i++;
      const s = text.charCodeAt(i);
      if (s === 0x2b || s === 0x2d) i++;
      if (!scanDigits()) return false;
    }
    return true;
  };
  const scanKey = (): boolean => {
    skipWs();
    if (text.charCodeAt(i) !== 0x22 || !scanString()) return false;
    skipWs();
    if (text.charCodeAt(i) !== 0x3a) return false;
    i++;
    return true;
  };

  for (;;) {
    skipWs();
    if (i >= n) return stack.length === 0 && !expectValue ? -1 : n;
    const c = text.charCodeAt(i);
    if (expectValue) {
      if (c === 0x7b || c === 0x5b) {
        i++;
        skipWs();
        if (text.charCodeAt(i) === (c === 0x7b ? 0x7d : 0x5d)) {
          i++;
          expectValue = false;
        } else if (c === 0x7b) {
          stack.push(Ctx.Object);
          if (!scanKey()) return i;
        } else {
          stack.push(Ctx.Array);
        }
        continue;
      }
      let ok: boolean;
      if (c === 0x22) ok = scanString();
      else if (c === 0x2d || isDigit(c)) ok = scanNumber();
      else {
        const word = c === 0x74 ? 'true' : c === 0x66 ? 'false' : c === 0x6e ? 'null' : '';
        if (word === '') return i;
        for (let k = 0; k < word.length; k++, i++) if (text[i] !== word[k]) return Math.min(i, n);
        ok = true;
      }
      if (!ok) return Math.min(i, n);
      expectValue = false;
      continue;
    }
    const top = stack[stack.length - 1];
    if (top === undefined) return i; // non-whitespace after the top-level value
    if (c === 0x2c) {
      i++;
      if (top === Ctx.Object && !scanKey()) return Math.min(i, n);
      expectValue = true;
    } else if (c === (top === Ctx.Object ? 0x7d : 0x5d)) {
      i++;
      stack.pop();
    } else {
      return i;
    }
  }
}

// Reading single legacy MediaOS JSON files (FORMATS.md §0.2).
// Unlike the legacy readers, a file that is not valid JSON is an error here, never "use the
// default": the caller decides, and nothing overwrites a damaged file without being told to.
import { readFile } from 'node:fs/promises';
import { ioError, LegacyFileError } from './file-error.js';
import { lineColumnAt, locateJsonError } from './json-error-position.js';
import { invalidUtf8Offset, looksUtf16 } from './json-text.js';

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
      throw new LegacyFileError({
        file: path,
        code: 'invalid_json',
        detail: text === '' ? 'the file is empty' : 'the file holds only whitespace',
        line,
        column,
      });
    }
    const { index, detail } = locateJsonError(text, err);
    const { line, column } = lineColumnAt(text, index);
    // The SyntaxError is not attached as cause: V8 quotes the text in it, and the text may be a secret.
    throw new LegacyFileError({ file: path, code: 'invalid_json', detail, line, column });
  }
}

export function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

// Where a JSON text is invalid (line, column, reason) without quoting it: the text may be a secret.
import { createReadStream } from 'node:fs';

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

/**
 * 1-based line and column of an absolute byte offset, by re-reading the file up to it.
 * Columns count UTF-16 code units (as JSON.parse positions do); a leading BOM is not counted.
 */
export async function lineColumnOfByte(path: string, offset: number): Promise<{ line: number; column: number }> {
  let line = 1;
  let column = 1;
  let pos = 0;
  const stream = createReadStream(path, { end: Math.max(0, offset - 1), highWaterMark: 1 << 20 });
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      let j = 0;
      if (pos === 0 && chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) j = 3;
      for (; j < chunk.length && pos + j < offset; j++) {
        const b = chunk[j]!;
        if (b === 0x0a) {
          line++;
          column = 1;
        } else if ((b & 0xc0) !== 0x80) {
          column += b >= 0xf0 ? 2 : 1; // 4-byte sequences are surrogate pairs in UTF-16
        }
      }
      pos += chunk.length;
    }
  } finally {
    stream.destroy();
  }
  return { line, column };
}

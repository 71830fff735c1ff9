// What JSON.parse hides about a legacy file's text, for a lossless importer:
// - bytes that are not UTF-8 (Buffer#toString would turn them into U+FFFD, silently);
// - number literals that JSON.parse -> JSON.stringify does not give back as the same number
//   (1e400 becomes null, 12345678901234567890 loses digits, -0 its sign);
// - where each top-level member / array element sits in the text, so such a record can be kept
//   as the exact text it was.
import { isUtf8 } from 'node:buffer';

/** Byte offset of the first byte that is not part of well-formed UTF-8, or -1. */
export function invalidUtf8Offset(buf: Uint8Array): number {
  if (isUtf8(buf)) return -1;
  for (let i = 0; i < buf.length; ) {
    const b = buf[i]!;
    if (b < 0x80) {
      i++;
      continue;
    }
    const n = b >= 0xc2 && b <= 0xdf ? 1 : b >= 0xe0 && b <= 0xef ? 2 : b >= 0xf0 && b <= 0xf4 ? 3 : 0;
    if (n === 0 || i + n >= buf.length) return i;
    const b1 = buf[i + 1]!;
    // overlong forms, UTF-16 surrogates (ED A0..BF) and code points above U+10FFFF
    if ((b === 0xe0 && b1 < 0xa0) || (b === 0xed && b1 > 0x9f) || (b === 0xf0 && b1 < 0x90) || (b === 0xf4 && b1 > 0x8f)) return i;
    for (let k = 1; k <= n; k++) if ((buf[i + k]! & 0xc0) !== 0x80) return i;
    i += n + 1;
  }
  return buf.length;
}

/** True when the bytes start with a UTF-16 byte order mark. */
export function looksUtf16(buf: Uint8Array): boolean {
  return buf.length >= 2 && ((buf[0] === 0xff && buf[1] === 0xfe) || (buf[0] === 0xfe && buf[1] === 0xff));
}

/** `-1.50e2` -> `-15e1`: sign, significant digits, exponent (the exact decimal value of a literal). */
function exactDecimal(literal: string): string {
  const m = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/.exec(literal);
  if (!m) return literal;
  const all = m[2]! + (m[3] ?? '');
  const digits = all.replace(/^0+/, '').replace(/0+$/, '');
  if (digits === '') return '0';
  const lead = all.length - all.replace(/^0+/, '').length;
  // value = 0.<all> * 10^(intLen + exp): normalise to 0.<digits> * 10^e
  const e = BigInt(m[4] ?? 0) + BigInt(m[2]!.length) - BigInt(lead);
  return `${m[1]}0.${digits}e${e}`;
}

/** True when JSON.parse then JSON.stringify does not give this literal back as the same number. */
export function isLossyNumber(literal: string): boolean {
  const n = Number(literal);
  if (!Number.isFinite(n) || Object.is(n, -0)) return true;
  return exactDecimal(literal) !== exactDecimal(JSON.stringify(n));
}

const isNumberChar = (c: number) => (c >= 0x30 && c <= 0x39) || c === 0x2e || c === 0x65 || c === 0x45 || c === 0x2b || c === 0x2d;

export interface JsonTextFacts {
  /** Index of the first lossy number literal, or -1. */
  lossyAt: number;
  /** Deepest nesting of arrays and objects (a scalar is 0, `[]` is 1). */
  depth: number;
}

/**
 * One pass over valid JSON text `text[from, to)`: the first lossy number literal and the nesting
 * depth (JSON.parse takes any depth, but JSON.stringify, comparisons and the databases' JSON
 * types do not). Strings are skipped whole; a literal of at most 15 characters without an
 * exponent or a leading "-0" cannot be lossy (doubles hold 15 significant digits), so only the
 * rare others are checked.
 */
export function jsonTextFacts(text: string, from = 0, to = text.length): JsonTextFacts {
  let lossyAt = -1;
  let depth = 0;
  let max = 0;
  let i = from;
  while (i < to) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      let j = i + 1;
      for (;;) {
        j = text.indexOf('"', j);
        if (j < 0 || j >= to) return { lossyAt, depth: max };
        let k = j - 1;
        while (text.charCodeAt(k) === 0x5c) k--;
        if ((j - 1 - k) % 2 === 0) break;
        j++;
      }
      i = j + 1;
    } else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) max = depth;
      i++;
    } else if (c === 0x7d || c === 0x5d) {
      depth--;
      i++;
    } else if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
      let j = i + 1;
      let plain = true;
      while (j < to && isNumberChar(text.charCodeAt(j))) {
        const d = text.charCodeAt(j);
        if (d === 0x65 || d === 0x45) plain = false;
        j++;
      }
      if (lossyAt < 0 && (!plain || j - i > 15 || (c === 0x2d && text.charCodeAt(i + 1) === 0x30)) && isLossyNumber(text.slice(i, j))) lossyAt = i;
      i = j;
    } else {
      i++;
    }
  }
  return { lossyAt, depth: max };
}

/** Index of the first lossy number literal in valid JSON text `text[from, to)`, or -1. */
export function lossyNumberIndex(text: string, from = 0, to = text.length): number {
  return jsonTextFacts(text, from, to).lossyAt;
}

export interface Span {
  start: number;
  end: number;
}

export interface TopLevelSpans {
  /** Value span of each top-level member (the last one of a duplicated key, as JSON.parse keeps). */
  members: Map<string, Span>;
  /** Element spans of the array under `arrayKey` (its last occurrence), when it is an array. */
  elements?: Span[];
}

/** Spans of the top-level members of valid JSON text (empty when the top level is not an object). */
export function topLevelSpans(text: string, arrayKey?: string): TopLevelSpans {
  const out: TopLevelSpans = { members: new Map() };
  let i = 0;
  const ws = () => {
    for (let c = text.charCodeAt(i); c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09 || c === 0xfeff; c = text.charCodeAt(++i));
  };
  const skipString = () => {
    for (i++; text.charCodeAt(i) !== 0x22; i++) if (text.charCodeAt(i) === 0x5c) i++;
    i++;
  };
  const skipValue = () => {
    const c = text.charCodeAt(i);
    if (c === 0x22) return skipString();
    if (c !== 0x7b && c !== 0x5b) {
      while (i < text.length && !',}] \t\r\n'.includes(text[i]!)) i++;
      return;
    }
    let depth = 0;
    do {
      const d = text.charCodeAt(i);
      if (d === 0x22) {
        skipString();
        continue;
      }
      if (d === 0x7b || d === 0x5b) depth++;
      else if (d === 0x7d || d === 0x5d) depth--;
      i++;
    } while (depth > 0);
  };
  ws();
  if (text.charCodeAt(i) !== 0x7b) return out;
  i++;
  for (;;) {
    ws();
    if (text.charCodeAt(i) !== 0x22) return out; // '}'
    const keyStart = i;
    skipString();
    const key = JSON.parse(text.slice(keyStart, i)) as string;
    ws();
    i++; // ':'
    ws();
    const start = i;
    if (key === arrayKey && text.charCodeAt(i) === 0x5b) {
      const elements: Span[] = [];
      i++;
      for (;;) {
        ws();
        if (text.charCodeAt(i) === 0x5d) break;
        const s = i;
        skipValue();
        elements.push({ start: s, end: i });
        ws();
        if (text.charCodeAt(i) === 0x2c) i++;
      }
      i++;
      out.elements = elements;
    } else {
      skipValue();
      if (key === arrayKey) delete out.elements;
    }
    out.members.set(key, { start, end: i });
    ws();
    if (text.charCodeAt(i) === 0x2c) i++;
  }
}

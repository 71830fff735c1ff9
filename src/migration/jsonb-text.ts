/**
 * The text PostgreSQL gives for `jsonb::text` of a JSON value, computed in Node, so the import can
 * predict what the database will say about a jsonb column it wrote (the read-back digest, digest.ts)
 * without reading the rows back: keys in jsonb's order (shorter first, then by their UTF-8 bytes),
 * `", "` and `": "` between members, numbers as numeric prints them (no exponent), strings escaped
 * the way PostgreSQL's escape_json does. A wrong guess here only makes the digests differ, and the
 * read-back check then compares record by record: it can cost time, never a false "equal".
 */

/** A JavaScript number as PostgreSQL's numeric prints the same value (1e+21 -> 1000000000000000000000). */
export function numericText(n: number): string {
  const s = String(n);
  const e = s.indexOf('e');
  if (e < 0) return s;
  const negative = s.startsWith('-');
  const mantissa = s.slice(negative ? 1 : 0, e);
  const exponent = Number(s.slice(e + 1));
  const dot = mantissa.indexOf('.');
  const digits = dot < 0 ? mantissa : mantissa.slice(0, dot) + mantissa.slice(dot + 1);
  const point = (dot < 0 ? mantissa.length : dot) + exponent; // digits before the decimal point
  let out: string;
  if (point >= digits.length) out = digits + '0'.repeat(point - digits.length);
  else if (point <= 0) out = `0.${'0'.repeat(-point)}${digits}`;
  else out = `${digits.slice(0, point)}.${digits.slice(point)}`;
  return negative ? `-${out}` : out;
}

const ESCAPED = /["\\\u0000-\u001f]/;

/** A string as escape_json writes it: \b \f \n \r \t \" \\ by name, other controls as \u00xx. */
export function jsonbString(s: string): string {
  if (!ESCAPED.test(s)) return `"${s}"`;
  let out = '"';
  for (const c of s) {
    switch (c) {
      case '"':
        out += '\\"';
        break;
      case '\\':
        out += '\\\\';
        break;
      case '\b':
        out += '\\b';
        break;
      case '\f':
        out += '\\f';
        break;
      case '\n':
        out += '\\n';
        break;
      case '\r':
        out += '\\r';
        break;
      case '\t':
        out += '\\t';
        break;
      default:
        out += c < ' ' ? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}` : c;
    }
  }
  return `${out}"`;
}

/**
 * jsonb orders an object's keys by length in bytes, then bytewise. Keys of one byte per character
 * (ASCII, nearly every key) compare as strings, in the same order as their bytes, without a Buffer
 * each (the import orders the keys of every library row's metadata).
 */
export function compareKeys(a: string, b: string): number {
  const la = Buffer.byteLength(a, 'utf8');
  const lb = Buffer.byteLength(b, 'utf8');
  if (la !== lb) return la - lb;
  if (la === a.length && lb === b.length) return a < b ? -1 : a > b ? 1 : 0;
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** `jsonb::text` of a parsed JSON value (undefined for a value JSON cannot hold). */
export function jsonbText(v: unknown): string | undefined {
  if (v === null) return 'null';
  switch (typeof v) {
    case 'boolean':
      return v ? 'true' : 'false';
    case 'number':
      return Number.isFinite(v) ? numericText(v) : undefined;
    case 'string':
      return jsonbString(v);
    case 'object': {
      if (Array.isArray(v)) {
        const items: string[] = [];
        for (const item of v) {
          const t = jsonbText(item);
          if (t === undefined) return undefined;
          items.push(t);
        }
        return `[${items.join(', ')}]`;
      }
      const keys = Object.keys(v);
      if (keys.length > 1) keys.sort(compareKeys);
      const members: string[] = [];
      for (const key of keys) {
        const t = jsonbText((v as Record<string, unknown>)[key]);
        if (t === undefined) return undefined;
        members.push(`${jsonbString(key)}: ${t}`);
      }
      return `{${members.join(', ')}}`;
    }
    default:
      return undefined;
  }
}

/**
 * Strings a database cannot hold exactly: NUL (PostgreSQL text and jsonb refuse U+0000) and lone
 * UTF-16 surrogates (JSON may escape them, "\ud800", but UTF-8 cannot encode them: the drivers
 * write U+FFFD instead, and jsonb refuses them). A record holding one is quarantined verbatim
 * (its JSON text escapes them) on every engine, so an export gives it back unchanged.
 */
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const UNSTORABLE_ALL = new RegExp(UNSTORABLE.source, 'g');

/**
 * Whether `s` holds a character no database here stores exactly: the engine's own well-formedness
 * check (String#isWellFormed, ES2024, in Node 20) and a NUL search, not UNSTORABLE, whose
 * look-arounds cost ~17x as much on a 500-character text; the import asks this of every row (1M
 * library rows on PostgreSQL: 1.2 s of the parser's 21 s).
 */
export function hasUnstorable(s: string): boolean {
  return s.indexOf('\u0000') !== -1 || !s.isWellFormed();
}

/** `s` with each unstorable character written as a \u escape (for reasons and messages). */
export function escapeUnstorable(s: string): string {
  return s.replace(UNSTORABLE_ALL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function what(s: string): string {
  const c = UNSTORABLE.exec(s)![0].charCodeAt(0);
  const code = `U+${c.toString(16).toUpperCase().padStart(4, '0')}`;
  return c === 0 ? `a NUL character (${code})` : `a lone UTF-16 surrogate (${code})`;
}

const SUFFIX = 'which the database cannot store exactly (kept verbatim here; export writes it back)';

/** Why `value` (or its map `key`) cannot be stored exactly, naming the field; undefined when it can. */
export function unstorableReason(value: unknown, key?: string): string | undefined {
  if (key !== undefined && hasUnstorable(key)) return `its key holds ${what(key)}, ${SUFFIX}`;
  const found = find(value, '');
  return found && `field ${escapeUnstorable(found.path) || '(value)'} holds ${found.what}, ${SUFFIX}`;
}

/** The first unstorable string or key in `v`, with its path (raw: the caller escapes it, only when found). */
function find(v: unknown, path: string): { path: string; what: string } | undefined {
  if (typeof v === 'string') return hasUnstorable(v) ? { path, what: what(v) } : undefined;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const f = find(v[i], `${path}[${i}]`);
      if (f) return f;
    }
    return undefined;
  }
  if (v !== null && typeof v === 'object') {
    for (const k of Object.keys(v)) {
      const at = path === '' ? k : `${path}.${k}`;
      if (hasUnstorable(k)) return { path: at, what: `${what(k)} in its name` };
      const f = find((v as Record<string, unknown>)[k], at);
      if (f) return f;
    }
  }
  return undefined;
}

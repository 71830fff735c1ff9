/**
 * Strings a database cannot hold exactly: NUL (PostgreSQL text and jsonb refuse U+0000) and lone
 * UTF-16 surrogates (JSON may escape them, "\ud800", but UTF-8 cannot encode them: the drivers
 * write U+FFFD instead, and jsonb refuses them). A record holding one is quarantined verbatim
 * (its JSON text escapes them) on every engine, so an export gives it back unchanged.
 */
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const UNSTORABLE_ALL = new RegExp(UNSTORABLE.source, 'g');

/** Whether `s` holds a character no database here stores exactly. */
export function hasUnstorable(s: string): boolean {
  return UNSTORABLE.test(s);
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
  if (key !== undefined && UNSTORABLE.test(key)) return `its key holds ${what(key)}, ${SUFFIX}`;
  const found = find(value, '');
  return found && `field ${found.path || '(value)'} holds ${found.what}, ${SUFFIX}`;
}

function find(v: unknown, path: string): { path: string; what: string } | undefined {
  if (typeof v === 'string') return UNSTORABLE.test(v) ? { path, what: what(v) } : undefined;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const f = find(v[i], `${path}[${i}]`);
      if (f) return f;
    }
    return undefined;
  }
  if (v !== null && typeof v === 'object') {
    for (const k of Object.keys(v)) {
      const at = path === '' ? escapeUnstorable(k) : `${path}.${escapeUnstorable(k)}`;
      if (UNSTORABLE.test(k)) return { path: at, what: `${what(k)} in its name` };
      const f = find((v as Record<string, unknown>)[k], at);
      if (f) return f;
    }
  }
  return undefined;
}

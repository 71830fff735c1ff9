// Writing legacy MediaOS JSON files (FORMATS.md §0.2): the on-disk text, whole or in pieces.

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

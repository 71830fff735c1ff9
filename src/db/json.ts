/** JSON and boolean column helpers shared by every repository (see schema.ts for why). */
export function toJson(value: unknown): string {
  return JSON.stringify(value);
}

export function toJsonOrNull(value: unknown): string | null {
  return value === undefined ? null : JSON.stringify(value);
}

/** Both engines hand JSON columns back as text (connect.ts sets the pg type parsers). */
export function fromJson<T = unknown>(value: unknown): T | undefined {
  if (value === null || value === undefined) return undefined;
  return JSON.parse(value as string) as T;
}

/** A JSON object (not null, not an array): the one spelling of this check. */
export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function fromBool(value: boolean | number | null | undefined): boolean | undefined {
  if (value === null || value === undefined) return undefined;
  return value === true || value === 1;
}

/**
 * `target[key] = value` as JSON.parse does it: an own data property even for "__proto__" (plain
 * assignment would set the prototype and the key would vanish from the JSON).
 */
export function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
  else target[key] = value;
}

import { join } from 'node:path';
import { isObject } from '../db/json.js';
import { createJsonFile } from '../legacy/json-file.js';
import type { VerifyResultRecord } from './verify.types.js';

type ResultsFile = Record<string, VerifyResultRecord>;

function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
  else target[key] = value;
}

/**
 * `verify-results.json` as the legacy server writes it: an object keyed `<kind>:<id>`, a new key
 * appended, an existing key replaced in place. (Legacy read a non-object file as `{}` and
 * overwrote it on the next save; so does this.)
 */
export function createVerifyJson(opts: { configDir: string }) {
  const file = createJsonFile<ResultsFile>(join(opts.configDir, 'verify-results.json'), { defaultValue: () => ({}) });
  return {
    async getResult(key: string): Promise<VerifyResultRecord | undefined> {
      const doc = await file.read();
      if (!isObject(doc) || !Object.hasOwn(doc, key)) return undefined;
      const v = doc[key];
      return isObject(v) ? (structuredClone(v) as VerifyResultRecord) : undefined;
    },

    async putResult(key: string, record: VerifyResultRecord): Promise<void> {
      const copy = structuredClone(record);
      const doc = await file.read();
      if (!isObject(doc)) {
        const fresh: ResultsFile = {};
        setOwn(fresh, key, copy);
        await file.replace(fresh);
        return;
      }
      await file.update((draft) => {
        setOwn(draft, key, copy);
      });
    },

    async listResults(): Promise<[string, VerifyResultRecord][]> {
      const doc = await file.read();
      if (!isObject(doc)) return [];
      return Object.keys(doc).map((k) => [k, structuredClone(doc[k]) as VerifyResultRecord]);
    },
  };
}
export type VerifyJson = ReturnType<typeof createVerifyJson>;

import { join } from 'node:path';
import { isObject } from '../db/json.js';
import { createJsonFile } from '../legacy/json-file.js';
import { applyProfilePatch, type ProfilePatch, type QualityMap, type QualityProfile } from './quality.types.js';

type Doc = Record<string, unknown>;

const isProfile = (v: unknown): v is QualityProfile => isObject(v) && typeof v.id === 'string';

/**
 * `quality.json` (verbatim) and `quality-profiles.json` as the legacy server wrote them
 * (FORMATS.md §3.6, §3.7). A missing profiles file stays missing until a write: reads then
 * answer undefined and the service serves the built-in defaults, as legacy did.
 */
export function createQualityJson(opts: { configDir: string }) {
  const mapFile = createJsonFile<unknown>(join(opts.configDir, 'quality.json'), { defaultValue: () => undefined });
  const profilesFile = createJsonFile<unknown>(join(opts.configDir, 'quality-profiles.json'), { defaultValue: () => undefined });

  function served(doc: unknown): QualityProfile[] | undefined {
    if (doc === undefined) return undefined;
    if (!isObject(doc) || !Array.isArray(doc.profiles)) return [];
    return doc.profiles as QualityProfile[];
  }

  /** The file's document with `profiles` set, other top-level keys kept in place. */
  function withProfiles(doc: unknown, profiles: QualityProfile[]): Doc {
    if (!isObject(doc)) return { profiles };
    const out: Doc = {};
    if (!('profiles' in doc)) out.profiles = profiles;
    for (const [k, v] of Object.entries(doc)) out[k] = k === 'profiles' ? profiles : v;
    return out;
  }

  // Every write is read -> compute a fresh document -> replace, one at a time: a missing file
  // (undefined) or a non-object document has no draft that `update` could mutate in place.
  let chain: Promise<unknown> = Promise.resolve();
  function serial<R>(fn: () => Promise<R>): Promise<R> {
    const run = chain.then(fn);
    chain = run.catch(() => undefined);
    return run;
  }

  return {
    async getMap(): Promise<QualityMap | undefined> {
      return structuredClone(await mapFile.read());
    },

    async saveMap(map: QualityMap): Promise<void> {
      await mapFile.replace(structuredClone(map));
    },

    async listProfiles(): Promise<QualityProfile[] | undefined> {
      const list = served(await profilesFile.read());
      return list === undefined ? undefined : structuredClone(list.filter(isProfile));
    },

    async replaceProfiles(profiles: QualityProfile[]): Promise<void> {
      const copy = structuredClone(profiles);
      await serial(async () => profilesFile.replace(withProfiles(await profilesFile.read(), copy)));
    },

    async addProfile(profile: QualityProfile, defaults: QualityProfile[]): Promise<void> {
      const copy = structuredClone(profile);
      await serial(async () => {
        const doc = await profilesFile.read();
        await profilesFile.replace(withProfiles(doc, [...(served(doc) ?? structuredClone(defaults)), copy]));
      });
    },

    async patchProfile(id: string, patch: ProfilePatch, defaults: QualityProfile[]): Promise<QualityProfile | undefined> {
      return serial(async () => {
        const doc = await profilesFile.read();
        const current = served(doc) ?? structuredClone(defaults);
        const i = current.findIndex((p) => isProfile(p) && p.id === id);
        if (i < 0) return undefined;
        const next = applyProfilePatch(structuredClone(current[i]), patch);
        await profilesFile.replace(
          withProfiles(
            doc,
            current.map((p, k) => (k === i ? next : p)),
          ),
        );
        return structuredClone(next);
      });
    },

    async removeProfile(id: string, defaults: QualityProfile[]): Promise<QualityProfile | undefined> {
      return serial(async () => {
        const doc = await profilesFile.read();
        const current = served(doc) ?? structuredClone(defaults);
        const i = current.findIndex((p) => isProfile(p) && p.id === id);
        if (i < 0) return undefined;
        const removed = structuredClone(current[i]);
        await profilesFile.replace(
          withProfiles(
            doc,
            current.filter((_, k) => k !== i),
          ),
        );
        return removed;
      });
    },
  };
}

export type QualityJson = ReturnType<typeof createQualityJson>;

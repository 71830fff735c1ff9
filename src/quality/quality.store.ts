import { phasedStore } from '../storage/phased-store.js';
import type { StoreContext } from '../storage/store-context.js';
import { createQualityJson } from './quality.json.js';
import { createQualitySql } from './quality.sql.js';
import type { ProfilePatch, QualityMap, QualityProfile } from './quality.types.js';

/**
 * The legacy per-kind quality map (`quality.json`, verbatim) and the named profiles
 * (`quality-profiles.json`). Writes are deterministic: ids come from the service, and the
 * built-in defaults a write materialises (when no profiles file exists yet) are passed in.
 */
export interface QualityStore {
  /** undefined when there is no map (no file). */
  getMap(): Promise<QualityMap | undefined>;
  saveMap(map: QualityMap): Promise<void>;
  /** undefined when there is no profiles file (the API then serves the defaults). */
  listProfiles(): Promise<QualityProfile[] | undefined>;
  replaceProfiles(profiles: QualityProfile[]): Promise<void>;
  addProfile(profile: QualityProfile, defaults: QualityProfile[]): Promise<void>;
  patchProfile(id: string, patch: ProfilePatch, defaults: QualityProfile[]): Promise<QualityProfile | undefined>;
  removeProfile(id: string, defaults: QualityProfile[]): Promise<QualityProfile | undefined>;
}

export function createQualityStore(ctx: StoreContext): QualityStore {
  const sql = createQualitySql(ctx.db.kysely);
  const json = createQualityJson({ configDir: ctx.configDir });
  const pick = (s: QualityStore): QualityStore => ({
    getMap: s.getMap,
    saveMap: s.saveMap,
    listProfiles: s.listProfiles,
    replaceProfiles: s.replaceProfiles,
    addProfile: s.addProfile,
    patchProfile: s.patchProfile,
    removeProfile: s.removeProfile,
  });
  return phasedStore<QualityStore>({
    name: 'quality',
    phase: ctx.phase,
    sql: pick(sql),
    json: pick(json),
    writes: ['saveMap', 'replaceProfiles', 'addProfile', 'patchProfile', 'removeProfile'],
    fileSync: ctx.fileSync,
    log: ctx.log,
  });
}

import { randomInt } from 'node:crypto';
import { Duplicate, NotFound } from '../errors.js';
import type { AuditActor, AuditRecorder } from '../system/audit.types.js';
import type { QualityStore } from './quality.store.js';
import {
  type BulkSaveProfilesBody,
  defaultQualityProfiles,
  type NewProfileBody,
  type ProfilePatch,
  type QualityMap,
  type QualityProfile,
} from './quality.types.js';

export const PROFILE_NOT_FOUND = 'Profile not found';

const B36 = '0123456789abcdefghijklmnopqrstuvwxyz';

/** Legacy profile id: base36 ms timestamp + 4 random base36 chars (FORMATS.md §0.4). */
export function newProfileId(now: Date): string {
  let tail = '';
  for (let i = 0; i < 4; i++) tail += B36[randomInt(36)];
  return now.getTime().toString(36) + tail;
}

/** Drops `undefined` and `null` sizes, so a stored profile never holds `minSize: null`. */
function compactProfile<T extends Record<string, unknown>>(p: T): T {
  const out = { ...p };
  for (const k of Object.keys(out) as (keyof T)[]) if (out[k] === undefined || out[k] === null) delete out[k];
  return out;
}

/** Changes are audited with the caller's id (`system` when no caller is given). */
export function createQualityService(deps: { quality: QualityStore; audit: AuditRecorder; now: () => Date }) {
  const { quality } = deps;
  const audit = (by: AuditActor, action: string, entityId: string, before?: unknown, after?: unknown) =>
    deps.audit.record({ actor: by, entity: 'quality_profile', entityId, action, before, after });
  const current = async () => (await quality.listProfiles()) ?? defaultQualityProfiles();
  return {
    /** The map as stored, `{}` when there is none. */
    async getMap(): Promise<QualityMap> {
      return (await quality.getMap()) ?? {};
    },

    /** Stores `profiles` exactly as sent (`{}` when missing), as legacy did. */
    async saveMap(profiles: unknown, by: AuditActor = 'system'): Promise<QualityMap> {
      const map = profiles === undefined || profiles === null ? {} : profiles;
      const before = await quality.getMap();
      await quality.saveMap(map);
      await audit(by, 'replace', 'quality-map', before, map);
      return map;
    },

    async list(): Promise<QualityProfile[]> {
      return (await quality.listProfiles()) ?? defaultQualityProfiles();
    },

    async get(id: string): Promise<QualityProfile> {
      const found = (await this.list()).find((p) => p.id === id);
      if (!found) throw new NotFound(PROFILE_NOT_FOUND);
      return found;
    },

    /** Full replace. Ids must be unique (legacy accepted duplicates; PATCH/DELETE then hit the first only). */
    async bulkSave(body: BulkSaveProfilesBody, by: AuditActor = 'system'): Promise<QualityProfile[]> {
      const seen = new Set<string>();
      for (const p of body.profiles) {
        if (seen.has(p.id)) throw new Duplicate('duplicate_id', { id: p.id });
        seen.add(p.id);
      }
      const profiles = body.profiles.map((p) => compactProfile(p) as QualityProfile);
      const before = await current();
      await quality.replaceProfiles(profiles);
      await audit(by, 'replace', '*', before, profiles);
      return profiles;
    },

    async create(body: NewProfileBody, by: AuditActor = 'system'): Promise<QualityProfile> {
      const profile = compactProfile({ id: newProfileId(deps.now()), ...body }) as QualityProfile;
      await quality.addProfile(profile, defaultQualityProfiles());
      await audit(by, 'create', profile.id, undefined, profile);
      return profile;
    },

    async patch(id: string, patch: ProfilePatch, by: AuditActor = 'system'): Promise<QualityProfile> {
      const before = (await current()).find((p) => p.id === id);
      const next = await quality.patchProfile(id, patch, defaultQualityProfiles());
      if (!next) throw new NotFound(PROFILE_NOT_FOUND);
      await audit(by, 'update', id, before, next);
      return next;
    },

    async remove(id: string, by: AuditActor = 'system'): Promise<QualityProfile> {
      const removed = await quality.removeProfile(id, defaultQualityProfiles());
      if (!removed) throw new NotFound(PROFILE_NOT_FOUND);
      await audit(by, 'delete', id, removed);
      return removed;
    },

    /** Writes the built-in defaults (the file then exists). */
    async reset(by: AuditActor = 'system'): Promise<QualityProfile[]> {
      const profiles = defaultQualityProfiles();
      const before = await current();
      await quality.replaceProfiles(profiles);
      await audit(by, 'reset', '*', before, profiles);
      return profiles;
    },
  };
}

export type QualityService = ReturnType<typeof createQualityService>;

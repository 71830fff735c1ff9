import type { Kysely, Transaction } from 'kysely';
import { setOwn } from '../db/json.js';
import type { DB } from '../db/schema.js';
import {
  ABSENT_KEY,
  envelopeHasProfiles,
  type LegacyQualityProfile,
  NON_ARRAY_PROFILES_KEY,
  NON_OBJECT_DOCUMENT_KEY,
  profileEntriesOf,
  QUALITY_MAP_KEY,
  QUALITY_PROFILES_KEY,
  qualityMapFromRow,
  qualityMapToRow,
  qualityProfileFromRow,
  qualityProfilesEnvelopeFromRow,
  qualityProfilesEnvelopeToRow,
  qualityProfilesFileFromEnvelope,
  qualityProfileToRow,
} from './quality.codec.js';
import { applyProfilePatch, type ProfilePatch, type QualityMap, type QualityProfile } from './quality.types.js';

type Db = Kysely<DB> | Transaction<DB>;

const profileColumns = ['id', 'name', 'description', 'upgrade_allowed', 'cutoff', 'qualities', 'min_size', 'max_size', 'position', 'config'] as const;

/**
 * The quality files on the database: the per-kind map as the `settings` row `quality`
 * (verbatim), the named profiles as `quality_profiles` rows plus the `settings` row
 * `quality-profiles` (exists iff the legacy file exists; holds its other top-level keys).
 * Only these two settings keys are touched here. Works on a transaction too.
 */
export function createQualitySql(db: Db) {
  async function inTransaction<R>(fn: (trx: Db) => Promise<R>): Promise<R> {
    return db.isTransaction ? fn(db) : (db as Kysely<DB>).transaction().execute(fn);
  }

  async function putSetting(trx: Db, row: { key: string; value: string }): Promise<void> {
    await trx
      .insertInto('settings')
      .values(row)
      .onConflict((oc) => oc.column('key').doUpdateSet({ value: row.value }))
      .execute();
  }

  async function envelope(trx: Db): Promise<Record<string, unknown> | undefined> {
    const row = await trx.selectFrom('settings').select('value').where('key', '=', QUALITY_PROFILES_KEY).executeTakeFirst();
    return row ? qualityProfilesEnvelopeFromRow(row) : undefined;
  }

  async function rows(trx: Db): Promise<QualityProfile[]> {
    const list = await trx.selectFrom('quality_profiles').select(profileColumns).orderBy('position').orderBy('id').execute();
    return list.map(qualityProfileFromRow);
  }

  /**
   * The stored envelope and the profiles the API serves from it (read once per operation):
   * profiles undefined = no file; [] when the file's `profiles` is not a list.
   */
  async function load(trx: Db): Promise<{ env: Record<string, unknown> | undefined; profiles: QualityProfile[] | undefined }> {
    const env = await envelope(trx);
    if (!env) return { env, profiles: undefined };
    return { env, profiles: envelopeHasProfiles(env) ? await rows(trx) : [] };
  }

  /** Writes `profiles` as the file's list, keeping the other top-level keys of `env` (the stored envelope). */
  async function writeAll(trx: Db, env: Record<string, unknown>, profiles: QualityProfile[]): Promise<void> {
    const kept: Record<string, unknown> = {};
    if (!(NON_OBJECT_DOCUMENT_KEY in env)) {
      for (const [k, v] of Object.entries(env)) if (k !== ABSENT_KEY && k !== NON_ARRAY_PROFILES_KEY) setOwn(kept, k, v);
    }
    await putSetting(trx, qualityProfilesEnvelopeToRow({ ...kept, profiles }));
    await trx.deleteFrom('quality_profiles').execute();
    let position = 0;
    for (const p of profiles) await trx.insertInto('quality_profiles').values(qualityProfileToRow(p, position++)).execute();
  }

  return {
    async getMap(): Promise<QualityMap | undefined> {
      const row = await db.selectFrom('settings').select('value').where('key', '=', QUALITY_MAP_KEY).executeTakeFirst();
      return row ? qualityMapFromRow(row) : undefined;
    },

    async saveMap(map: QualityMap): Promise<void> {
      await putSetting(db, qualityMapToRow(map));
    },

    async listProfiles(): Promise<QualityProfile[] | undefined> {
      return (await load(db)).profiles;
    },

    async replaceProfiles(profiles: QualityProfile[]): Promise<void> {
      await inTransaction(async (trx) => writeAll(trx, (await envelope(trx)) ?? {}, profiles));
    },

    /** Appends; a missing file is first materialised with `defaults` (legacy read them, then wrote). */
    async addProfile(profile: QualityProfile, defaults: QualityProfile[]): Promise<void> {
      await inTransaction(async (trx) => {
        const { env, profiles: current } = await load(trx);
        if (env === undefined || current === undefined || !envelopeHasProfiles(env)) {
          await writeAll(trx, env ?? {}, [...(current ?? defaults), profile]);
          return;
        }
        const r = await trx
          .selectFrom('quality_profiles')
          .select((eb) => eb.fn.max('position').as('max'))
          .executeTakeFirst();
        const position = r?.max === null || r?.max === undefined ? 0 : Number(r.max) + 1;
        await trx.insertInto('quality_profiles').values(qualityProfileToRow(profile, position)).execute();
      });
    },

    async patchProfile(id: string, patch: ProfilePatch, defaults: QualityProfile[]): Promise<QualityProfile | undefined> {
      return inTransaction(async (trx) => {
        const loaded = await load(trx);
        const current = loaded.profiles ?? defaults;
        const i = current.findIndex((p) => p.id === id);
        if (i < 0) return undefined;
        const next = applyProfilePatch(current[i], patch);
        await writeAll(
          trx,
          loaded.env ?? {},
          current.map((p, k) => (k === i ? next : p)),
        );
        return next;
      });
    },

    async removeProfile(id: string, defaults: QualityProfile[]): Promise<QualityProfile | undefined> {
      return inTransaction(async (trx) => {
        const loaded = await load(trx);
        const current = loaded.profiles ?? defaults;
        const i = current.findIndex((p) => p.id === id);
        if (i < 0) return undefined;
        await writeAll(
          trx,
          loaded.env ?? {},
          current.filter((_, k) => k !== i),
        );
        return current[i];
      });
    },

    // ---- importer / exporter: whole files ----

    /** The legacy `quality-profiles.json` value as stored (undefined = no file). */
    async getProfilesFile(): Promise<unknown> {
      const env = await envelope(db);
      return env === undefined ? undefined : qualityProfilesFileFromEnvelope(env, await rows(db));
    },

    /** Stores a whole legacy file (undefined removes it); entries must pass legacyQualityProfileSchema. */
    async putProfilesFile(file: unknown): Promise<void> {
      await inTransaction(async (trx) => {
        await trx.deleteFrom('quality_profiles').execute();
        if (file === undefined) {
          await trx.deleteFrom('settings').where('key', '=', QUALITY_PROFILES_KEY).execute();
          return;
        }
        await putSetting(trx, qualityProfilesEnvelopeToRow(file));
        let position = 0;
        for (const p of profileEntriesOf(file) as LegacyQualityProfile[]) {
          await trx.insertInto('quality_profiles').values(qualityProfileToRow(p, position++)).execute();
        }
      });
    },
  };
}

export type QualitySql = ReturnType<typeof createQualitySql>;

import { describe, expect, it } from 'vitest';
import {
  envelopeHasProfiles,
  type LegacyQualityProfile,
  legacyQualityMapSchema,
  legacyQualityProfileSchema,
  profileEntriesOf,
  type QualityProfileRow,
  qualityMapFromRow,
  qualityMapToRow,
  qualityProfileFromRow,
  qualityProfilesEnvelope,
  qualityProfilesEnvelopeFromRow,
  qualityProfilesEnvelopeToRow,
  qualityProfilesFileFromEnvelope,
  qualityProfilesFileToRows,
  qualityProfileToRow,
} from '../../src/quality/quality.codec.js';
import { createQualitySql } from '../../src/quality/quality.sql.js';
import { defaultQualityProfiles, type QualityProfile } from '../../src/quality/quality.types.js';
import { createTestDatabase, sqlEngines } from '../helpers/engines.js';

const PROFILES: LegacyQualityProfile[] = [
  {
    id: 'mwu9juiqfyh5',
    name: 'Kids 720p',
    upgradeAllowed: true,
    cutoff: '720p',
    qualities: [
      { quality: '1080p', allowed: false, preferred: false },
      { quality: '720p', allowed: true, preferred: true },
    ],
    maxSize: 4000,
  },
  ...(defaultQualityProfiles() as LegacyQualityProfile[]),
  { id: 'mwu9k2ab', name: '  UI made ', upgradeAllowed: false, cutoff: '1080p', qualities: [], minSize: 0.5, maxSize: 1e12, color: 'red' },
  // odd legacy data: wrong types, missing keys, explicit nulls, unknown keys
  { id: 'odd', name: 7, upgradeAllowed: 'yes', cutoff: null, qualities: 'all', minSize: '100', maxSize: null, description: 3 },
  { id: 'bare' },
  { id: 'nullq', name: 'n', qualities: null, description: 'has one' },
];

function asRow(r: ReturnType<typeof qualityProfileToRow>): QualityProfileRow {
  return {
    id: r.id,
    name: r.name,
    description: r.description ?? null,
    upgrade_allowed: r.upgrade_allowed ?? null,
    cutoff: r.cutoff ?? null,
    qualities: r.qualities ?? null,
    min_size: r.min_size ?? null,
    max_size: r.max_size ?? null,
    config: r.config ?? null,
  };
}

const FILES: unknown[] = [
  { profiles: PROFILES },
  { profiles: [] },
  { profiles: 'not a list', other: 1 },
  { other: { x: [1] } },
  { extra: true, profiles: [PROFILES[0]] },
  [],
  null,
  'text',
];

describe('quality codec', () => {
  it('round-trips every profile exactly', () => {
    PROFILES.forEach((p, i) => {
      expect(legacyQualityProfileSchema.safeParse(p).success).toBe(true);
      const row = qualityProfileToRow(p, i);
      expect(row.position).toBe(i);
      expect(qualityProfileFromRow(asRow(row))).toStrictEqual(p);
    });
  });

  it('maps known keys to columns and the rest to config', () => {
    const row = qualityProfileToRow(PROFILES[0], 0);
    expect(row).toMatchObject({ id: 'mwu9juiqfyh5', name: 'Kids 720p', upgrade_allowed: true, cutoff: '720p', max_size: 4000, min_size: null, config: null });
    expect(JSON.parse(row.qualities as string)).toEqual(PROFILES[0].qualities);
    const odd = qualityProfileToRow(PROFILES[PROFILES.length - 3], 0);
    expect(JSON.parse(odd.config as string)).toStrictEqual({ name: 7, upgradeAllowed: 'yes', cutoff: null, minSize: '100', maxSize: null, description: 3 });
    expect(JSON.parse(qualityProfileToRow({ id: 'bare' }, 0).config as string)).toStrictEqual({ $absent: ['name'] });
    expect(legacyQualityProfileSchema.safeParse({ name: 'no id' }).success).toBe(false);
  });

  it('keeps the whole file: envelope + profiles, for every shape legacy could leave', () => {
    for (const file of FILES) {
      const env = qualityProfilesEnvelope(file);
      const profiles = profileEntriesOf(file).map((p, i) => qualityProfileFromRow(asRow(qualityProfileToRow(p as LegacyQualityProfile, i))));
      expect(qualityProfilesFileFromEnvelope(env, profiles)).toStrictEqual(file);
      const row = qualityProfilesEnvelopeToRow(file);
      expect(row.key).toBe('quality-profiles');
      expect(qualityProfilesFileFromEnvelope(qualityProfilesEnvelopeFromRow({ value: row.value }), profiles)).toStrictEqual(file);
    }
    expect(envelopeHasProfiles(qualityProfilesEnvelope({ profiles: [] }))).toBe(true);
    expect(envelopeHasProfiles(qualityProfilesEnvelope({ profiles: {} }))).toBe(false);
    expect(envelopeHasProfiles(qualityProfilesEnvelope({}))).toBe(false);
    expect(envelopeHasProfiles(qualityProfilesEnvelope([]))).toBe(false);
    expect(qualityProfilesFileToRows({ profiles: PROFILES }).profiles).toHaveLength(PROFILES.length);
  });

  it('stores the per-kind map verbatim', () => {
    for (const map of [{ movie: { allowed: ['1080p', '2160p'], cutoff: '2160p' } }, {}, [1, 'x'], 'odd', 0, null, { movie: { allowed: 'x' } }]) {
      expect(legacyQualityMapSchema.safeParse(map).success).toBe(true);
      const row = qualityMapToRow(map);
      expect(row.key).toBe('quality');
      expect(qualityMapFromRow({ value: row.value })).toStrictEqual(map);
    }
    expect(() => qualityMapToRow(undefined)).toThrow();
  });

  for (const engine of sqlEngines()) {
    it(`stores and reads whole files on ${engine} exactly`, async () => {
      const tdb = await createTestDatabase(engine);
      try {
        const sql = createQualitySql(tdb.db.kysely);
        expect(await sql.getProfilesFile()).toBeUndefined();
        expect(await sql.listProfiles()).toBeUndefined();
        for (const file of FILES) {
          await sql.putProfilesFile(file);
          expect(await sql.getProfilesFile()).toStrictEqual(file);
        }
        await sql.putProfilesFile({ profiles: PROFILES, other: 1 });
        expect(await sql.listProfiles()).toStrictEqual(PROFILES as QualityProfile[]);
        await sql.putProfilesFile({ profiles: 3 });
        expect(await sql.listProfiles()).toStrictEqual([]);
        await sql.putProfilesFile(undefined);
        expect(await sql.getProfilesFile()).toBeUndefined();
      } finally {
        await tdb.cleanup();
      }
    });
  }
});

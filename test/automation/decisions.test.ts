import { describe, expect, it } from 'vitest';
import { type Candidate, decide, decideAll, type RejectionCode, type WantedTarget } from '../../src/automation/decisions.js';
import { type ProfileRules, resolveProfileRules, rulesFromProfile } from '../../src/automation/profile-rules.js';
import { normalizeTitle, parseRelease } from '../../src/automation/release-parse.js';
import { defaultQualityProfiles, type QualityProfile } from '../../src/quality/quality.types.js';

const MB = 1024 * 1024;
const GB = 1024 * MB;

/** HD-1080p (1080p and 720p allowed, 1080p preferred, cutoff 1080p) with bounds and min seeders. */
const HD: ProfileRules = { ...rulesFromProfile(defaultQualityProfiles()[0], 'profile:hd-1080p'), minSizeMB: 200, maxSizeMB: 20_000, minSeeders: 5 };
const ALIEN: WantedTarget = { title: 'Alien', kind: 'movies', year: 1979 };
const EPISODE: WantedTarget = { title: 'The Expanse', kind: 'tv', season: 1, episode: 2 };

const c = (title: string, size = 4 * GB, seeders = 50): Candidate => ({ title, size, seeders, protocol: 'torrent' });

/** Real-world release names and what the engine must say about them. */
const TABLE: [string, WantedTarget, Candidate, RejectionCode[]][] = [
  ['good 1080p BluRay', ALIEN, c('Alien.1979.1080p.BluRay.x264-AMIABLE'), []],
  ['good 720p', ALIEN, c('Alien.1979.720p.BluRay.x264-SiNNERS'), []],
  ["director's cut, proper", ALIEN, c('Alien.1979.Directors.Cut.PROPER.1080p.BluRay.x264-GRP'), []],
  ['spaces and dots', ALIEN, c('Alien (1979) 1080p WEB-DL H264'), []],
  ['2160p not allowed', ALIEN, c('Alien.1979.2160p.UHD.BluRay.x265-TERMiNAL'), ['quality_not_allowed']],
  ['4K not allowed', ALIEN, c('Alien.1979.4K.HDR.WEB-DL.x265-GRP'), ['quality_not_allowed']],
  ['480p DVDRip not allowed', ALIEN, c('Alien.1979.DVDRip.XviD-GRP'), ['quality_not_allowed']],
  ['no quality at all', ALIEN, c('Alien.1979.XviD-GRP'), ['unknown_quality']],
  ['HDCAM', ALIEN, c('Alien.1979.HDCAM.x264-NOGRP'), ['cinema_source', 'unknown_quality']],
  ['CAM 720p', ALIEN, c('Alien.1979.720p.CAM.x264-NOGRP'), ['cinema_source']],
  ['TS', ALIEN, c('Alien.1979.TS.XviD-NOGRP'), ['cinema_source', 'unknown_quality']],
  ['TELESYNC 1080p', ALIEN, c('Alien 1979 1080p TELESYNC x264'), ['cinema_source']],
  ['HDTS', ALIEN, c('Alien.1979.720p.HDTS.x264-NOGRP'), ['cinema_source']],
  ['sample', ALIEN, c('Alien.1979.1080p.BluRay.x264.sample-AMIABLE', 60 * MB), ['sample', 'too_small']],
  ['Sample with capital', ALIEN, c('Alien.1979.1080p.BluRay.x264-AMIABLE.Sample'), ['sample']],
  ['another title (prefix)', ALIEN, c('Alien.Resurrection.1997.1080p.BluRay.x264-SPARKS'), ['wrong_title', 'wrong_year']],
  ['another title (same year is not enough)', ALIEN, c('Aliens.1979.1080p.BluRay.x264-GRP'), ['wrong_title']],
  ['another title, the sequel', ALIEN, c('Alien.3.1992.1080p.BluRay.x264-GRP'), ['wrong_title', 'wrong_year']],
  ['wrong year (remake)', ALIEN, c('Alien.2003.1080p.WEB-DL.x264-OTHER'), ['wrong_year']],
  ['below min seeders', ALIEN, c('Alien.1979.1080p.BluRay.x264-AMIABLE', 4 * GB, 2), ['not_enough_seeders']],
  ['too small', ALIEN, c('Alien.1979.720p.BluRay.x264-TINY', 100 * MB), ['too_small']],
  ['too large', ALIEN, c('Alien.1979.1080p.BluRay.REMUX.AVC-FGT', 30 * GB), ['too_large']],
  ['usenet ignores seeders', ALIEN, { title: 'Alien.1979.1080p.BluRay.x264-AMIABLE', size: 8 * GB, protocol: 'usenet' }, []],
  ['S01E02 wanted, S01E02 found', EPISODE, c('The.Expanse.S01E02.1080p.WEB-DL.x264-GRP', 2 * GB), []],
  ['S01E02 wanted, S01E03 found', EPISODE, c('The.Expanse.S01E03.1080p.WEB-DL.x264-GRP', 2 * GB), ['wrong_episode']],
  ['S01E02 wanted, S02E02 found', EPISODE, c('The.Expanse.S02E02.720p.HDTV.x264-GRP', 2 * GB), ['wrong_season']],
  ['S01E02 wanted, season pack', EPISODE, c('The.Expanse.S01.1080p.BluRay.x264-GRP', 20 * GB), ['too_large']],
  ['S01E02 wanted, multi-episode', EPISODE, c('The.Expanse.S01E01E02.720p.HDTV.x264-GRP', 2 * GB), []],
  ['episode of another show', EPISODE, c('The.Expanse.Origins.S01E02.1080p.WEB-DL.x264-GRP', 2 * GB), ['wrong_title']],
  ['episode without numbers', EPISODE, c('The.Expanse.1080p.WEB-DL.x264-GRP', 2 * GB), ['wrong_season', 'wrong_episode']],
  ['accents and ampersands', { title: 'Amélie & Co', year: 2001 }, c('Amelie.and.Co.2001.1080p.BluRay.x264-GRP'), []],
];

describe('decision engine: real release names', () => {
  it.each(TABLE)('%s', (_label, wanted, candidate, codes) => {
    const d = decide(candidate, wanted, HD);
    expect(d.rejections.map((r) => r.code)).toEqual(codes);
    expect(d.approved).toBe(codes.length === 0);
    for (const r of d.rejections) expect(r.reason.length).toBeGreaterThan(5);
  });

  it('rejects blocklisted releases', () => {
    const block = (x: Candidate) => x.guid === 'bad-guid';
    const d = decide({ ...c('Alien.1979.1080p.BluRay.x264-AMIABLE'), guid: 'bad-guid' }, ALIEN, HD, block);
    expect(d.rejections).toEqual([{ code: 'blocklisted', reason: 'release is blocklisted' }]);
    expect(decide({ ...c('Alien.1979.1080p.BluRay.x264-AMIABLE'), guid: 'ok' }, ALIEN, HD, block).approved).toBe(true);
  });

  it('explains a rejection in words', () => {
    expect(decide(c('Alien.1979.2160p.UHD.BluRay.x265-TERMiNAL'), ALIEN, HD).rejections).toEqual([
      { code: 'quality_not_allowed', reason: '2160p is not allowed by profile:hd-1080p (allowed: 1080p, 720p)' },
    ]);
    expect(decide(c('Alien.2003.1080p.WEB-DL.x264-OTHER'), ALIEN, HD).rejections[0].reason).toBe('year 2003 is not 1979');
  });
});

describe('ranking', () => {
  const any: ProfileRules = { ...rulesFromProfile(defaultQualityProfiles()[2], 'profile:any'), cutoff: '1080p', preferredWords: ['remux'] };

  it('ranks quality up to the cutoff, then preferred, then seeders, then size; rejected ones last', () => {
    const list = [
      c('Alien.1979.720p.BluRay.x264-A', 4 * GB, 900),
      c('Alien.1979.2160p.BluRay.x265-B', 40 * GB, 10), // above the cutoff: counts as 1080p
      c('Alien.1979.1080p.BluRay.x264-C', 8 * GB, 100),
      c('Alien.1979.1080p.BluRay.REMUX.AVC-D', 30 * GB, 5), // preferred word
      c('Alien.1979.1080p.BluRay.x264-E', 9 * GB, 100), // same seeders as C, bigger
      c('Alien.1979.HDCAM-F', 1 * GB, 5000),
    ];
    const ranked = decideAll(list, ALIEN, any);
    expect(ranked.map((d) => d.candidate.title.split('-').at(-1))).toEqual(['D', 'E', 'C', 'B', 'A', 'F']);
    expect(ranked.map((d) => d.approved)).toEqual([true, true, true, true, true, false]);
  });

  it('without a cutoff the best quality wins', () => {
    const ranked = decideAll([c('Alien.1979.1080p.BluRay.x264-C', 8 * GB, 100), c('Alien.1979.2160p.BluRay.x265-B', 40 * GB, 10)], ALIEN, {
      ...any,
      cutoff: undefined,
      preferredWords: [],
    });
    expect(ranked[0].candidate.title).toContain('2160p');
  });
});

describe('release parsing', () => {
  it('reads title, year, season/episode, resolution, source, codec and group', () => {
    expect(parseRelease('Alien.Resurrection.1997.1080p.BluRay.x264-SPARKS')).toMatchObject({
      title: 'Alien Resurrection',
      normalizedTitle: 'alien resurrection',
      year: 1997,
      resolution: '1080p',
      quality: '1080p',
      sources: ['bluray'],
      codec: 'x264',
      group: 'SPARKS',
      sample: false,
      cinema: false,
    });
    expect(parseRelease('The.Expanse.S01E02.720p.HDTV.x264-LOL', 'tv')).toMatchObject({
      title: 'The Expanse',
      seasons: [1],
      episodes: [2],
      fullSeason: false,
      quality: '720p',
    });
    expect(parseRelease('Alien.1979.DVDRip.XviD-GRP').quality).toBe('480p');
    expect(normalizeTitle("  Schindler's  List: Part II & More ")).toBe('schindlers list part ii and more');
  });
});

describe('which profile applies', () => {
  const profiles: QualityProfile[] = [
    ...defaultQualityProfiles(),
    {
      id: 'custom',
      name: 'Custom',
      cutoff: '720p',
      qualities: [{ quality: '720p', allowed: true, preferred: true }],
      minSize: 100,
      maxSize: 5000,
      minSeeders: 3,
      preferredWords: ['PROPER'],
    },
  ];
  const map = { movies: { allowed: ['2160p', '1080p'], cutoff: '2160p' } };

  it("the wanted item's profile, else the kind's map entry, else the default profile", () => {
    expect(resolveProfileRules({ kind: 'movies', qualityProfileId: 'custom' }, profiles, map)).toEqual({
      origin: 'profile:custom',
      allowed: ['720p'],
      cutoff: '720p',
      preferredQualities: ['720p'],
      preferredWords: ['proper'],
      minSizeMB: 100,
      maxSizeMB: 5000,
      minSeeders: 3,
    });
    expect(resolveProfileRules({ kind: 'movies', qualityProfileId: 'gone' }, profiles, map)).toEqual({
      origin: 'map:movies',
      allowed: ['2160p', '1080p'],
      cutoff: '2160p',
      preferredQualities: [],
      preferredWords: [],
    });
    expect(resolveProfileRules({ kind: 'tv' }, profiles, map).origin).toBe('default:hd-1080p');
    expect(resolveProfileRules({ kind: 'tv' }, undefined, 'not a map').origin).toBe('default:hd-1080p');
    expect(resolveProfileRules({ kind: 'tv' }, [profiles[4]], undefined).origin).toBe('default:custom');
  });
});

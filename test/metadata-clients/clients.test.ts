import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClientError } from '../../src/http-client/http.js';
import { describeRequest, getJson, USER_AGENT } from '../../src/metadata-clients/fetch-json.js';
import { createMusicBrainzClient } from '../../src/metadata-clients/musicbrainz.js';
import { createOpenLibraryClient } from '../../src/metadata-clients/openlibrary.js';
import { createTmdbClient } from '../../src/metadata-clients/tmdb.js';
import type { Fake } from '../download-clients/fakes.js';
import { fakeMetadataServer, MBID_RELEASE, TMDB_KEY, TMDB_KEY_V4 } from './fakes.js';

let fake: Fake;
let slow: Fake;
beforeAll(async () => {
  fake = await fakeMetadataServer();
  slow = await fakeMetadataServer({ slowMs: 3000 });
});
afterAll(async () => {
  await fake.close();
  await slow.close();
});

const tmdb = (apiKey = TMDB_KEY, base = `${fake.url}/3`) =>
  createTmdbClient({ baseUrl: base, imageUrl: 'https://img.example/t/p/', apiKey, language: 'de-DE', includeAdult: false, timeoutMs: 2000 });

describe('TMDB client', () => {
  it('searches movies and maps the legacy TMDBMovie shape with w342/w780 image URLs', async () => {
    const results = await tmdb().searchMovie('Heat', 1995);
    expect(results).toHaveLength(2);
    expect(results[0]).toEqual({
      id: 949,
      title: 'Heat',
      originalTitle: 'Heat',
      overview: 'Obsessive master thief Neil McCauley leads a top-notch crew.',
      releaseDate: '1995-12-15',
      year: 1995,
      posterPath: '/heat-poster.jpg',
      backdropPath: '/heat-backdrop.jpg',
      voteAverage: 7.9,
      voteCount: 6000,
      genres: [],
      runtime: null,
      tagline: null,
      imdbId: null,
      posterUrl: 'https://img.example/t/p/w342/heat-poster.jpg',
      backdropUrl: 'https://img.example/t/p/w780/heat-backdrop.jpg',
    });
    expect(results[1]).toMatchObject({ year: null, releaseDate: null, posterUrl: null });
    const sent = fake.requests.at(-1)!;
    expect(sent.path).toBe('/3/search/movie');
    expect(Object.fromEntries(sent.query)).toMatchObject({ query: 'Heat', year: '1995', language: 'de-DE', include_adult: 'false', api_key: TMDB_KEY });
    expect(sent.headers['user-agent']).toBe(USER_AGENT);
  });

  it('reads movie, series, season details; a v4 token goes as a bearer, never in the URL', async () => {
    const movie = await tmdb(TMDB_KEY_V4).movie(949);
    expect(fake.requests.at(-1)!.query.get('api_key')).toBeNull();
    expect(movie).toMatchObject({ genres: ['Action', 'Crime'], runtime: 170, imdbId: 'tt0113277', posterUrl: 'https://img.example/t/p/w500/heat-poster.jpg' });
    expect(movie.backdropUrl).toBe('https://img.example/t/p/original/heat-backdrop.jpg');
    const tv = await tmdb().tv(1396);
    expect(tv.show).toMatchObject({ name: 'Breaking Bad', year: 2008, numberOfSeasons: 5, numberOfEpisodes: 62, status: 'Ended', genres: ['Drama'] });
    expect(tv.seasons).toEqual([
      {
        id: 3572,
        seasonNumber: 1,
        name: 'Season 1',
        overview: null,
        airDate: '2008-01-20',
        episodeCount: 7,
        posterPath: '/s1.jpg',
        posterUrl: 'https://img.example/t/p/w342/s1.jpg',
      },
    ]);
    const season = await tmdb().season(1396, 1);
    expect(season.season).toMatchObject({ seasonNumber: 1, posterUrl: 'https://img.example/t/p/w500/s1.jpg' });
    expect(season.episodes[0]).toMatchObject({ episodeNumber: 1, name: 'Pilot', runtime: 58, stillUrl: 'https://img.example/t/p/w300/pilot.jpg' });
    expect((await tmdb().searchTv('Breaking Bad'))[0]).toMatchObject({ id: 1396, posterUrl: 'https://img.example/t/p/w342/bb-poster.jpg' });
  });

  it('answers failures with safe messages: bad key (echoed by the server) scrubbed, 404, 500, timeout, refused, not JSON', async () => {
    const bad = 'wrong-key-abcdefghijklmnop';
    const err = (await tmdb(bad)
      .searchMovie('Heat')
      .catch((e: unknown) => e)) as ClientError;
    expect(err).toBeInstanceOf(ClientError);
    expect(err.message).toMatch(/^HTTP 401: Invalid API key/);
    expect(err.message).not.toContain(bad);
    await expect(tmdb().movie(1)).rejects.toMatchObject({ message: 'not_found', status: 404 });
    await expect(tmdb().movie(500)).rejects.toThrow(/^HTTP 500: Internal error/);
    const slowClient = createTmdbClient({ baseUrl: `${slow.url}/3`, imageUrl: 'x', apiKey: TMDB_KEY, language: 'en-US', includeAdult: false, timeoutMs: 300 });
    await expect(slowClient.movie(949)).rejects.toThrow('timeout after 300 ms');
    const closed = await fakeMetadataServer();
    await closed.close();
    await expect(tmdb(TMDB_KEY, `${closed.url}/3`).movie(949)).rejects.toThrow('connection_refused');
    await expect(getJson({ baseUrl: fake.url, path: '/garbage', timeoutMs: 1000 })).rejects.toThrow('invalid_response: not JSON');
    expect(describeRequest({ path: '/x', query: { b: 2, a: 'q', api_key: 'secret', none: undefined } }, ['api_key'])).toBe('/x?a=q&b=2');
    expect(describeRequest({ path: '/x' })).toBe('/x');
  });
});

describe('MusicBrainz client', () => {
  it('searches artists and albums (release-groups), reads a release with tracks and cover, one request per interval', async () => {
    const mb = createMusicBrainzClient({ baseUrl: `${fake.url}/ws/2`, timeoutMs: 2000, minIntervalMs: 250 });
    const before = fake.requests.length;
    const t0 = Date.now();
    const [artists, albums, release] = await Promise.all([
      mb.searchArtists('Pink "Floyd"'),
      mb.searchAlbums('The Wall', 'Pink Floyd'),
      mb.release(MBID_RELEASE),
    ]);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(480);
    expect(artists[0]).toMatchObject({
      name: 'Pink Floyd',
      sortName: 'Pink Floyd',
      type: 'Group',
      country: 'GB',
      beginDate: '1965',
      endDate: '2014',
      score: 100,
    });
    expect(albums[0]).toEqual({
      id: 'b00e3dbc-a1a4-3cc4-a3d6-3d8f2a3d5b2f',
      title: 'The Wall',
      primaryType: 'Album',
      firstReleaseDate: '1979-11-30',
      year: 1979,
      artist: 'Pink Floyd',
      artistId: '83d91898-7763-47d7-b03b-b92132375c47',
      score: 100,
    });
    expect(release.release).toMatchObject({ title: 'The Wall', year: 1979, artist: 'Pink Floyd', trackCount: 2 });
    expect(release.release.coverArtUrl).toBe(`https://coverartarchive.org/release/${MBID_RELEASE}/front-500`);
    expect(release.tracks[1]).toEqual({ id: 't2', disc: 1, position: 2, number: '2', title: 'The Thin Ice', lengthMs: 147000, recordingId: 'r2' });
    const sent = fake.requests.slice(before);
    expect(sent.map((r) => r.path).sort()).toEqual(['/ws/2/artist', '/ws/2/release-group', `/ws/2/release/${MBID_RELEASE}`]);
    for (const r of sent) {
      expect(r.query.get('fmt')).toBe('json');
      expect(r.headers['user-agent']).toMatch(/^MediaOS\/\d+\.\d+\.\d+ \( .+ \)$/);
    }
    expect(sent.find((r) => r.path === '/ws/2/artist')!.query.get('query')).toBe('artist:"Pink \\"Floyd\\""');
    expect(sent.find((r) => r.path === '/ws/2/release-group')!.query.get('query')).toBe('releasegroup:"The Wall" AND artist:"Pink Floyd"');
    await expect(mb.release('00000000-0000-0000-0000-000000000000')).rejects.toMatchObject({ status: 404 });
    await expect(getJson({ baseUrl: `${fake.url}/ws/2`, path: '/busy', query: { fmt: 'json' }, timeoutMs: 1000 })).rejects.toThrow('rate_limited: HTTP 503');
  });
});

describe('Open Library client', () => {
  it('searches books and reads a work with cover URLs', async () => {
    const ol = createOpenLibraryClient({ baseUrl: fake.url, timeoutMs: 2000 });
    const books = await ol.searchBooks('dune', 'Frank Herbert');
    expect(books).toEqual([
      {
        id: 'OL893415W',
        title: 'Dune',
        authors: ['Frank Herbert'],
        firstPublishYear: 1965,
        isbn: ['9780441172719'],
        editionCount: 120,
        coverId: 11481354,
        coverUrl: 'https://covers.openlibrary.org/b/id/11481354-L.jpg',
      },
    ]);
    expect(Object.fromEntries(fake.requests.at(-1)!.query)).toMatchObject({ q: 'dune', author: 'Frank Herbert', limit: '20' });
    expect(await ol.work('OL893415W')).toEqual({
      id: 'OL893415W',
      title: 'Dune',
      description: 'Set on the desert planet Arrakis.',
      subjects: ['Science fiction', 'Arrakis'],
      firstPublishDate: '1965',
      coverId: 11481354,
      coverUrl: 'https://covers.openlibrary.org/b/id/11481354-L.jpg',
    });
    await expect(ol.work('OL1W')).rejects.toMatchObject({ status: 404 });
  });
});

describe('sparse answers', () => {
  it('maps missing or odd fields to null/empty instead of failing', async () => {
    const { startFake } = await import('../download-clients/fakes.js');
    const sparse = await startFake((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          results: [{ genres: [{}, { name: 'Drama' }] }],
          seasons: [{}],
          episodes: [{}],
          artists: [{}],
          'release-groups': [{ 'artist-credit': [{ artist: { name: 'Via Artist' } }] }],
          media: [{ tracks: [{ recording: { title: 'From Recording', length: 1000 } }] }],
          docs: [{ author_name: ['A', 7], isbn: 'not-a-list' }],
          description: 'plain text',
          covers: [-1, 0],
        }),
      );
    });
    try {
      const t = createTmdbClient({ baseUrl: sparse.url, imageUrl: 'https://img', apiKey: TMDB_KEY, language: 'en-US', includeAdult: true, timeoutMs: 2000 });
      expect((await t.searchMovie('x'))[0]).toMatchObject({ id: 0, title: '', year: null, genres: ['Drama'], posterUrl: null });
      expect((await t.searchTv('x'))[0]).toMatchObject({ id: 0, name: '', firstAirDate: null, genres: ['Drama'] });
      const tv = await t.tv(1);
      expect(tv.seasons).toEqual([
        { id: null, seasonNumber: null, name: null, overview: null, airDate: null, episodeCount: null, posterPath: null, posterUrl: null },
      ]);
      const season = await t.season(1, 1);
      expect(season.episodes[0]).toMatchObject({ id: null, stillUrl: null });
      expect(season.season).toMatchObject({ id: null, posterUrl: null });
      const mb = createMusicBrainzClient({ baseUrl: sparse.url, timeoutMs: 2000, minIntervalMs: 0, coverArtUrl: 'https://covers.example/' });
      expect((await mb.searchArtists('x'))[0]).toMatchObject({ id: '', name: '', sortName: null, beginDate: null });
      expect((await mb.searchAlbums('x'))[0]).toMatchObject({ id: '', title: '', artist: 'Via Artist', artistId: null, year: null });
      const rel = await mb.release(MBID_RELEASE);
      expect(rel.release).toMatchObject({ id: MBID_RELEASE, title: '', artist: null, coverArtUrl: null, trackCount: 1 });
      expect(rel.tracks[0]).toMatchObject({ title: 'From Recording', lengthMs: 1000, disc: null });
      const ol = createOpenLibraryClient({ baseUrl: sparse.url, timeoutMs: 2000, coversUrl: 'https://c.example' });
      expect((await ol.searchBooks('x'))[0]).toEqual({
        id: '',
        title: '',
        authors: ['A'],
        firstPublishYear: null,
        isbn: [],
        editionCount: null,
        coverId: null,
        coverUrl: null,
      });
      expect(await ol.work('OL1W')).toMatchObject({ description: 'plain text', coverId: null, coverUrl: null, subjects: [] });
    } finally {
      await sparse.close();
    }
  });
});

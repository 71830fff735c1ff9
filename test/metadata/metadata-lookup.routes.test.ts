import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runHousekeeping } from '../../src/housekeeping/housekeeping.service.js';
import type { Fake } from '../download-clients/fakes.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { bearer, registerAdmin, registerUser } from '../helpers/auth.js';
import { sqlEngines } from '../helpers/engines.js';
import { fakeMetadataServer, MBID_RELEASE, TMDB_KEY } from '../metadata-clients/fakes.js';

let fake: Fake;
beforeAll(async () => {
  fake = await fakeMetadataServer();
});
afterAll(async () => {
  await fake.close();
});

for (const engine of sqlEngines()) {
  describe(`metadata lookups (${engine})`, () => {
    let t: TestApp | undefined;
    afterEach(async () => {
      await t?.close();
      t = undefined;
    });

    async function setup() {
      let clock = Date.parse('2024-05-01T10:00:00.000Z');
      t = await createTestApp({
        engine,
        now: () => new Date(clock),
        env: {
          MEDIAOS_TMDB_URL: `${fake.url}/3`,
          MEDIAOS_TMDB_IMAGE_URL: 'https://img.example/t/p',
          MEDIAOS_MUSICBRAINZ_URL: `${fake.url}/ws/2`,
          MEDIAOS_OPENLIBRARY_URL: fake.url,
          MEDIAOS_METADATA_TIMEOUT_MS: '2000',
        },
      });
      const admin = await registerAdmin(t.app);
      const user = await registerUser(t.app, admin.accessToken);
      return { t, a: bearer(admin.accessToken), u: bearer(user.accessToken), advance: (ms: number) => (clock += ms) };
    }

    it('TMDB: 409 without a key; searches and details with the stored key, cached in the database until they expire', async () => {
      const s = await setup();
      const post = (url: string, payload: object) => s.t.app.inject({ method: 'POST', url, payload, headers: s.u });
      const get = (url: string) => s.t.app.inject({ method: 'GET', url, headers: s.u });
      expect((await s.t.app.inject({ method: 'POST', url: '/api/metadata/search/movie', payload: { query: 'Heat' } })).statusCode).toBe(401);
      const none = await post('/api/metadata/search/movie', { query: 'Heat' });
      expect(none.statusCode).toBe(409);
      expect(none.json()).toEqual({ ok: false, error: 'TMDB API key not configured' });

      await s.t.app.inject({ method: 'POST', url: '/api/metadata/settings', payload: { tmdb: { apiKey: TMDB_KEY, language: 'en-US' } }, headers: s.a });
      const before = fake.requests.length;
      const r = await post('/api/metadata/search/movie', { query: 'Heat', year: 1995 });
      expect(r.statusCode).toBe(200);
      expect(r.json().results[0]).toMatchObject({ id: 949, title: 'Heat', year: 1995, posterUrl: 'https://img.example/t/p/w342/heat-poster.jpg' });
      expect(fake.requests.length).toBe(before + 1);
      expect(fake.requests.at(-1)!.query.get('api_key')).toBe(TMDB_KEY);
      // Same request again: from the cache, no request.
      expect((await post('/api/metadata/search/movie', { query: 'Heat', year: 1995 })).json()).toEqual(r.json());
      expect(fake.requests.length).toBe(before + 1);
      const rows = await s.t.ctx.db.kysely.selectFrom('metadata_cache').selectAll().execute();
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ provider: 'tmdb', fetched_at: '2024-05-01T10:00:00.000Z', expires_at: '2024-05-02T10:00:00.000Z' });
      expect(JSON.stringify(rows)).not.toContain(TMDB_KEY);
      // After the expiry (the access token expired too: ask the service): asked again, and the row renewed.
      s.advance(24 * 3_600_000 + 1);
      const chores = await runHousekeeping({ ...s.t.ctx, metadataCache: s.t.ctx.services.metadata });
      expect(chores.metadataCacheRows).toBe(1);
      expect(await s.t.ctx.services.metadata.searchMovie('Heat', 1995)).toEqual(r.json().results);
      expect(fake.requests.length).toBe(before + 2);
      expect(await s.t.ctx.db.kysely.selectFrom('metadata_cache').select('expires_at').execute()).toEqual([{ expires_at: '2024-05-03T10:00:00.001Z' }]);
      s.advance(-(24 * 3_600_000 + 1));

      expect((await get('/api/metadata/movie/949')).json().movie).toMatchObject({ imdbId: 'tt0113277', genres: ['Action', 'Crime'] });
      expect((await post('/api/metadata/search/tv', { query: 'Breaking Bad' })).json().results[0]).toMatchObject({ id: 1396, name: 'Breaking Bad' });
      const tv = (await get('/api/metadata/tv/1396')).json();
      expect(tv).toMatchObject({ ok: true, show: { name: 'Breaking Bad' }, seasons: [{ seasonNumber: 1 }] });
      expect((await get('/api/metadata/tv/1396/season/1')).json()).toMatchObject({ ok: true, season: { seasonNumber: 1 }, episodes: [{ name: 'Pilot' }] });

      expect((await get('/api/metadata/movie/1')).statusCode).toBe(404);
      const broken = await get('/api/metadata/movie/500');
      expect(broken.statusCode).toBe(502);
      expect(broken.json().error).toMatch(/^tmdb: HTTP 500/);
      expect((await get('/api/metadata/movie/abc')).json()).toEqual({ ok: false, error: 'id: must be a numeric id' });
      expect((await get('/api/metadata/tv/1396/season/x')).json().error).toMatch(/seasonNumber/);
      expect((await post('/api/metadata/search/movie', { query: '  ' })).json().error).toMatch(/^query/);
      expect((await post('/api/metadata/search/movie', { query: 'Heat', year: 'soon' })).json().error).toMatch(/^year/);

      // A key TMDB refuses (and echoes back): the answer and the logs never hold it.
      const wrong = 'wrong-tmdb-key-0123456789abcdef';
      await s.t.app.inject({ method: 'POST', url: '/api/metadata/settings', payload: { tmdb: { apiKey: wrong } }, headers: s.a });
      const refused = await post('/api/metadata/search/movie', { query: 'Heat Wave' });
      expect(refused.statusCode).toBe(502);
      expect(refused.body).not.toContain(wrong);
      expect(s.t.logs.join('\n')).not.toContain(wrong);
      expect(s.t.logs.join('\n')).not.toContain(TMDB_KEY);
    });

    it('MusicBrainz and Open Library searches, details, and the disabled switch', async () => {
      const s = await setup();
      const post = (url: string, payload: object) => s.t.app.inject({ method: 'POST', url, payload, headers: s.u });
      const artists = (await post('/api/metadata/search/music', { query: 'Pink Floyd', type: 'artist' })).json();
      expect(artists).toMatchObject({ ok: true, type: 'artist', results: [{ name: 'Pink Floyd' }] });
      const albums = (await post('/api/metadata/search/music', { query: 'The Wall', type: 'album', artistName: 'Pink Floyd' })).json();
      expect(albums.results[0]).toMatchObject({ title: 'The Wall', primaryType: 'Album', year: 1979 });
      const rel = (await s.t.app.inject({ method: 'GET', url: `/api/metadata/music/release/${MBID_RELEASE}`, headers: s.u })).json();
      expect(rel).toMatchObject({ ok: true, release: { title: 'The Wall', coverArtUrl: expect.stringContaining(MBID_RELEASE) }, tracks: [{}, {}] });
      expect((await s.t.app.inject({ method: 'GET', url: '/api/metadata/music/release/not-an-mbid', headers: s.u })).json().error).toMatch(/MBID/);
      expect((await post('/api/metadata/search/music', { query: 'x', type: 'song' })).json().error).toMatch(/^type/);

      const books = (await post('/api/metadata/search/book', { query: 'dune' })).json();
      expect(books.results[0]).toMatchObject({ id: 'OL893415W', authors: ['Frank Herbert'] });
      const book = (await s.t.app.inject({ method: 'GET', url: '/api/metadata/book/OL893415W', headers: s.u })).json();
      expect(book.book).toMatchObject({ title: 'Dune', description: 'Set on the desert planet Arrakis.' });
      expect((await s.t.app.inject({ method: 'GET', url: '/api/metadata/book/../etc', headers: s.u })).statusCode).toBe(404);
      expect((await s.t.app.inject({ method: 'GET', url: '/api/metadata/book/OL1W', headers: s.u })).statusCode).toBe(404);

      await s.t.app.inject({ method: 'POST', url: '/api/metadata/settings', payload: { musicbrainz: { enabled: false } }, headers: s.a });
      const off = await post('/api/metadata/search/music', { query: 'Pink Floyd', type: 'artist' });
      expect(off.statusCode).toBe(409);
      expect(off.json().error).toBe('MusicBrainz is disabled');
      expect((await s.t.app.inject({ method: 'GET', url: `/api/metadata/music/release/${MBID_RELEASE}`, headers: s.u })).statusCode).toBe(409);
    });

    it('applies an entry to a library item: year, artwork where none is set, metadata.<provider>', async () => {
      const s = await setup();
      await s.t.app.inject({ method: 'POST', url: '/api/metadata/settings', payload: { tmdb: { apiKey: TMDB_KEY } }, headers: s.a });
      const create = async (kind: string, title: string, extra: object = {}) =>
        (await s.t.app.inject({ method: 'POST', url: '/api/library', payload: { kind, title, ...extra }, headers: s.a })).json().item;
      const heat = await create('movie', 'Heat');
      const apply = (payload: object, h = s.a) => s.t.app.inject({ method: 'POST', url: '/api/metadata/apply', payload, headers: h });
      expect((await apply({ itemId: heat.id, provider: 'tmdb', id: 949 }, s.u)).statusCode).toBe(403);
      const r = await apply({ itemId: heat.id, provider: 'tmdb', id: 949 });
      expect(r.statusCode).toBe(200);
      expect(r.json().item).toMatchObject({
        year: 1995,
        posterUrl: 'https://img.example/t/p/w500/heat-poster.jpg',
        backgroundUrl: 'https://img.example/t/p/original/heat-backdrop.jpg',
        metadata: { tmdb: { tmdbId: 949, imdbId: 'tt0113277', appliedAt: '2024-05-01T10:00:00.000Z' } },
      });
      const stored = (await s.t.app.inject({ method: 'GET', url: `/api/library/${heat.id}`, headers: s.u })).json();
      expect(JSON.stringify(stored)).toContain('tt0113277');

      const bb = await create('series', 'Breaking Bad', { posterUrl: 'https://mine.example/bb.jpg' });
      const series = (await apply({ itemId: bb.id, provider: 'tmdb', id: '1396' })).json().item;
      expect(series).toMatchObject({ year: 2008, posterUrl: 'https://mine.example/bb.jpg', metadata: { tmdb: { tmdbId: 1396 } } });
      const wall = await create('music', 'The Wall');
      expect((await apply({ itemId: wall.id, provider: 'musicbrainz', id: MBID_RELEASE })).json().item).toMatchObject({
        year: 1979,
        posterUrl: expect.stringContaining('coverartarchive'),
      });
      const dune = await create('book', 'Dune');
      const b = (await apply({ itemId: dune.id, provider: 'openlibrary', id: 'OL893415W' })).json().item;
      expect(b).toMatchObject({ posterUrl: 'https://covers.openlibrary.org/b/id/11481354-L.jpg', metadata: { openlibrary: { openLibraryId: 'OL893415W' } } });

      expect((await apply({ itemId: 'missing', provider: 'tmdb', id: 949 })).statusCode).toBe(404);
      expect((await apply({ itemId: heat.id, provider: 'tmdb', id: 'OL1W' })).json().error).toBe('id: not a tmdb id');
      expect((await apply({ itemId: heat.id, provider: 'musicbrainz', id: '949' })).json().error).toBe('id: not a musicbrainz id');
      expect((await apply({ itemId: heat.id, provider: 'openlibrary', id: '../x' })).json().error).toBe('id: not a openlibrary id');
      expect((await apply({ itemId: heat.id, provider: 'imdb', id: 1 })).json().error).toMatch(/^provider/);
    });
  });
}

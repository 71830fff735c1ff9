/**
 * A local server answering the documented JSON of TMDB v3, MusicBrainz ws/2 and Open Library
 * (shapes as their public docs show them, trimmed to a few entries). It records every request.
 */
import type { ServerResponse } from 'node:http';
import { type Fake, startFake } from '../download-clients/fakes.js';

export const TMDB_KEY = 'tmdb-v3-key-0123456789abcdef0123';
export const MBID_RELEASE = 'b84ee12a-09ef-421b-82de-0441a926375b';

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json;charset=utf-8' });
  res.end(JSON.stringify(body));
}

const HEAT = {
  adult: false,
  backdrop_path: '/heat-backdrop.jpg',
  genre_ids: [28, 80, 18],
  id: 949,
  original_language: 'en',
  original_title: 'Heat',
  overview: 'Obsessive master thief Neil McCauley leads a top-notch crew.',
  popularity: 50.1,
  poster_path: '/heat-poster.jpg',
  release_date: '1995-12-15',
  title: 'Heat',
  video: false,
  vote_average: 7.9,
  vote_count: 6000,
};

const BREAKING = {
  backdrop_path: '/bb-backdrop.jpg',
  first_air_date: '2008-01-20',
  genre_ids: [18],
  id: 1396,
  name: 'Breaking Bad',
  origin_country: ['US'],
  original_language: 'en',
  original_name: 'Breaking Bad',
  overview: 'A chemistry teacher turns to crime.',
  popularity: 300.2,
  poster_path: '/bb-poster.jpg',
  vote_average: 8.9,
  vote_count: 12000,
};

export function fakeMetadataServer(opts: { slowMs?: number } = {}): Promise<Fake> {
  return startFake((req, res) => {
    const q = req.query;
    const reply = () => {
      // ---- TMDB v3 ----
      if (req.path.startsWith('/3/')) {
        const bearer = req.headers.authorization === `Bearer ${TMDB_KEY_V4}`;
        if (q.get('api_key') !== TMDB_KEY && !bearer) {
          return json(res, 401, { status_code: 7, status_message: `Invalid API key: You must be granted a valid key. (${q.get('api_key')})`, success: false });
        }
        if (req.path === '/3/search/movie') {
          const results = (q.get('query') ?? '').toLowerCase().includes('heat')
            ? [HEAT, { ...HEAT, id: 1, title: 'Heat Wave', poster_path: null, release_date: '' }]
            : [];
          return json(res, 200, { page: 1, results, total_pages: 1, total_results: results.length });
        }
        if (req.path === '/3/movie/949') {
          const { genre_ids: _g, ...rest } = HEAT;
          return json(res, 200, {
            ...rest,
            genres: [
              { id: 28, name: 'Action' },
              { id: 80, name: 'Crime' },
            ],
            runtime: 170,
            tagline: 'A Los Angeles crime saga',
            imdb_id: 'tt0113277',
          });
        }
        if (req.path === '/3/search/tv') return json(res, 200, { page: 1, results: [BREAKING], total_pages: 1, total_results: 1 });
        if (req.path === '/3/tv/1396') {
          const { genre_ids: _g, ...rest } = BREAKING;
          return json(res, 200, {
            ...rest,
            genres: [{ id: 18, name: 'Drama' }],
            number_of_seasons: 5,
            number_of_episodes: 62,
            status: 'Ended',
            seasons: [{ air_date: '2008-01-20', episode_count: 7, id: 3572, name: 'Season 1', overview: '', poster_path: '/s1.jpg', season_number: 1 }],
          });
        }
        if (req.path === '/3/tv/1396/season/1') {
          return json(res, 200, {
            _id: '52542282760ee313280017f9',
            air_date: '2008-01-20',
            episodes: [
              {
                air_date: '2008-01-20',
                episode_number: 1,
                id: 62085,
                name: 'Pilot',
                overview: 'Walter White...',
                runtime: 58,
                season_number: 1,
                still_path: '/pilot.jpg',
                vote_average: 8.2,
              },
            ],
            name: 'Season 1',
            overview: '',
            id: 3572,
            poster_path: '/s1.jpg',
            season_number: 1,
          });
        }
        if (req.path === '/3/movie/500')
          return json(res, 500, { status_code: 11, status_message: 'Internal error: Something went wrong, contact TMDb.', success: false });
        return json(res, 404, { status_code: 34, status_message: 'The resource you requested could not be found.', success: false });
      }
      // ---- MusicBrainz ws/2 ----
      if (req.path.startsWith('/ws/2/')) {
        if (q.get('fmt') !== 'json') return json(res, 400, { error: 'fmt=json expected by this fake' });
        if (req.path === '/ws/2/artist') {
          return json(res, 200, {
            created: '2024-01-01T00:00:00.000Z',
            count: 1,
            offset: 0,
            artists: [
              {
                id: '83d91898-7763-47d7-b03b-b92132375c47',
                type: 'Group',
                score: 100,
                name: 'Pink Floyd',
                'sort-name': 'Pink Floyd',
                country: 'GB',
                'life-span': { begin: '1965', end: '2014', ended: true },
              },
            ],
          });
        }
        if (req.path === '/ws/2/release-group') {
          return json(res, 200, {
            created: '2024-01-01T00:00:00.000Z',
            count: 1,
            offset: 0,
            'release-groups': [
              {
                id: 'b00e3dbc-a1a4-3cc4-a3d6-3d8f2a3d5b2f',
                score: 100,
                title: 'The Wall',
                'primary-type': 'Album',
                'first-release-date': '1979-11-30',
                'artist-credit': [{ name: 'Pink Floyd', artist: { id: '83d91898-7763-47d7-b03b-b92132375c47', name: 'Pink Floyd' } }],
                releases: [{ id: MBID_RELEASE, title: 'The Wall', status: 'Official' }],
              },
            ],
          });
        }
        if (req.path === `/ws/2/release/${MBID_RELEASE}`) {
          return json(res, 200, {
            id: MBID_RELEASE,
            title: 'The Wall',
            date: '1979-11-30',
            country: 'GB',
            status: 'Official',
            'artist-credit': [{ name: 'Pink Floyd', joinphrase: '', artist: { id: '83d91898-7763-47d7-b03b-b92132375c47', name: 'Pink Floyd' } }],
            'cover-art-archive': { artwork: true, count: 3, front: true, back: true },
            media: [
              {
                position: 1,
                format: 'CD',
                'track-count': 2,
                tracks: [
                  {
                    id: 't1',
                    number: '1',
                    position: 1,
                    title: 'In the Flesh?',
                    length: 199000,
                    recording: { id: 'r1', title: 'In the Flesh?', length: 199000 },
                  },
                  { id: 't2', number: '2', position: 2, title: 'The Thin Ice', length: 147000, recording: { id: 'r2', title: 'The Thin Ice', length: 147000 } },
                ],
              },
            ],
          });
        }
        if (req.path.startsWith('/ws/2/release/'))
          return json(res, 404, { error: 'Not Found', help: 'For usage, please see: https://musicbrainz.org/development/mmd' });
        if (req.path === '/ws/2/busy') return json(res, 503, { error: 'Your requests are exceeding the allowable rate limit.' });
      }
      // ---- Open Library ----
      if (req.path === '/search.json') {
        return json(res, 200, {
          numFound: 1,
          start: 0,
          numFoundExact: true,
          num_found: 1,
          q: q.get('q'),
          docs: [
            {
              key: '/works/OL893415W',
              title: 'Dune',
              author_name: ['Frank Herbert'],
              first_publish_year: 1965,
              isbn: ['9780441172719'],
              edition_count: 120,
              cover_i: 11481354,
            },
          ],
        });
      }
      if (req.path === '/works/OL893415W.json') {
        return json(res, 200, {
          key: '/works/OL893415W',
          title: 'Dune',
          description: { type: '/type/text', value: 'Set on the desert planet Arrakis.' },
          subjects: ['Science fiction', 'Arrakis'],
          covers: [11481354],
          first_publish_date: '1965',
        });
      }
      if (req.path === '/garbage') {
        res.writeHead(200, { 'content-type': 'text/html' });
        return res.end('<html>not json</html>');
      }
      return json(res, 404, { error: 'not found' });
    };
    if (opts.slowMs) setTimeout(reply, opts.slowMs);
    else reply();
  });
}

/** A v4 read access token (a JWT) the fake accepts as a bearer. */
export const TMDB_KEY_V4 = 'eyJhbGciOiJIUzI1NiJ9.eyJhdWQiOiJ0ZXN0In0.c2lnbmF0dXJl';

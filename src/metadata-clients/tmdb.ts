/**
 * TMDB API v3 (movies and series): search and details, mapped to the legacy shapes (API.md §10:
 * TMDBMovie plus posterUrl/backdropUrl). The key goes as `api_key` (a v3 key) or as a bearer
 * token (a v4 read access token); it never appears in an error, a log line or a cache key.
 */
import { arr, getJson, num, obj, str, yearOf } from './fetch-json.js';

export interface TmdbOptions {
  baseUrl: string;
  imageUrl: string;
  apiKey: string;
  language: string;
  includeAdult: boolean;
  timeoutMs: number;
}

export interface TmdbMovie {
  id: number;
  title: string;
  originalTitle: string | null;
  overview: string | null;
  releaseDate: string | null;
  year: number | null;
  posterPath: string | null;
  backdropPath: string | null;
  voteAverage: number | null;
  voteCount: number | null;
  genres: string[];
  runtime: number | null;
  tagline: string | null;
  imdbId: string | null;
  posterUrl: string | null;
  backdropUrl: string | null;
}

export interface TmdbShow {
  id: number;
  name: string;
  originalName: string | null;
  overview: string | null;
  firstAirDate: string | null;
  year: number | null;
  posterPath: string | null;
  backdropPath: string | null;
  voteAverage: number | null;
  voteCount: number | null;
  genres: string[];
  numberOfSeasons: number | null;
  numberOfEpisodes: number | null;
  status: string | null;
  posterUrl: string | null;
  backdropUrl: string | null;
}

/** A v4 read access token is a JWT; anything else is a v3 key. */
const isBearer = (key: string) => key.startsWith('eyJ') && key.split('.').length === 3;

export function createTmdbClient(o: TmdbOptions) {
  const image = (path: unknown, size: string) => {
    const p = str(path);
    return p ? `${o.imageUrl.replace(/\/+$/, '')}/${size}${p.startsWith('/') ? '' : '/'}${p}` : null;
  };
  const get = (path: string, query: Record<string, string | number | boolean | undefined> = {}) =>
    getJson({
      baseUrl: o.baseUrl,
      path,
      query: { ...query, language: o.language, ...(isBearer(o.apiKey) ? {} : { api_key: o.apiKey }) },
      headers: isBearer(o.apiKey) ? { authorization: `Bearer ${o.apiKey}` } : {},
      timeoutMs: o.timeoutMs,
      secrets: [o.apiKey],
    });
  const genres = (m: Record<string, unknown>) => arr(m.genres).flatMap((g) => (str(obj(g).name) ? [str(obj(g).name) as string] : []));

  const movie = (raw: unknown, poster: string, backdrop: string): TmdbMovie => {
    const m = obj(raw);
    return {
      id: num(m.id) ?? 0,
      title: str(m.title) ?? '',
      originalTitle: str(m.original_title),
      overview: str(m.overview),
      releaseDate: str(m.release_date),
      year: yearOf(m.release_date),
      posterPath: str(m.poster_path),
      backdropPath: str(m.backdrop_path),
      voteAverage: num(m.vote_average),
      voteCount: num(m.vote_count),
      genres: genres(m),
      runtime: num(m.runtime),
      tagline: str(m.tagline),
      imdbId: str(m.imdb_id),
      posterUrl: image(m.poster_path, poster),
      backdropUrl: image(m.backdrop_path, backdrop),
    };
  };
  const show = (raw: unknown, poster: string, backdrop: string): TmdbShow => {
    const s = obj(raw);
    return {
      id: num(s.id) ?? 0,
      name: str(s.name) ?? '',
      originalName: str(s.original_name),
      overview: str(s.overview),
      firstAirDate: str(s.first_air_date),
      year: yearOf(s.first_air_date),
      posterPath: str(s.poster_path),
      backdropPath: str(s.backdrop_path),
      voteAverage: num(s.vote_average),
      voteCount: num(s.vote_count),
      genres: genres(s),
      numberOfSeasons: num(s.number_of_seasons),
      numberOfEpisodes: num(s.number_of_episodes),
      status: str(s.status),
      posterUrl: image(s.poster_path, poster),
      backdropUrl: image(s.backdrop_path, backdrop),
    };
  };

  return {
    async searchMovie(query: string, year?: number): Promise<TmdbMovie[]> {
      const r = obj(await get('/search/movie', { query, year, include_adult: o.includeAdult }));
      return arr(r.results).map((m) => movie(m, 'w342', 'w780'));
    },
    async movie(id: number): Promise<TmdbMovie> {
      return movie(await get(`/movie/${id}`), 'w500', 'original');
    },
    async searchTv(query: string, year?: number): Promise<TmdbShow[]> {
      const r = obj(await get('/search/tv', { query, first_air_date_year: year, include_adult: o.includeAdult }));
      return arr(r.results).map((s) => show(s, 'w342', 'w780'));
    },
    async tv(id: number) {
      const raw = obj(await get(`/tv/${id}`));
      const seasons = arr(raw.seasons).map((x) => {
        const s = obj(x);
        return {
          id: num(s.id),
          seasonNumber: num(s.season_number),
          name: str(s.name),
          overview: str(s.overview),
          airDate: str(s.air_date),
          episodeCount: num(s.episode_count),
          posterPath: str(s.poster_path),
          posterUrl: image(s.poster_path, 'w342'),
        };
      });
      return { show: show(raw, 'w500', 'original'), seasons };
    },
    async season(id: number, seasonNumber: number) {
      const raw = obj(await get(`/tv/${id}/season/${seasonNumber}`));
      const episodes = arr(raw.episodes).map((x) => {
        const e = obj(x);
        return {
          id: num(e.id),
          episodeNumber: num(e.episode_number),
          seasonNumber: num(e.season_number),
          name: str(e.name),
          overview: str(e.overview),
          airDate: str(e.air_date),
          runtime: num(e.runtime),
          voteAverage: num(e.vote_average),
          stillPath: str(e.still_path),
          stillUrl: image(e.still_path, 'w300'),
        };
      });
      const season = {
        id: num(raw.id),
        seasonNumber: num(raw.season_number),
        name: str(raw.name),
        overview: str(raw.overview),
        airDate: str(raw.air_date),
        posterPath: str(raw.poster_path),
        posterUrl: image(raw.poster_path, 'w500'),
      };
      return { season, episodes };
    },
  };
}
export type TmdbClient = ReturnType<typeof createTmdbClient>;

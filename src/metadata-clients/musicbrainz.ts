/**
 * MusicBrainz web service v2 (JSON): artist and album (release-group) search and a release with
 * its tracks. Polite by construction: every request carries our User-Agent, and one client sends
 * at most one request per `minIntervalMs` (MusicBrainz allows one a second per application).
 */
import { arr, getJson, num, obj, str, yearOf } from './fetch-json.js';

export interface MusicBrainzOptions {
  baseUrl: string;
  timeoutMs: number;
  /** Least time between two request starts (default 1000 ms). */
  minIntervalMs?: number;
  /** Base of cover URLs (Cover Art Archive). */
  coverArtUrl?: string;
}

export interface MbArtist {
  id: string;
  name: string;
  sortName: string | null;
  type: string | null;
  country: string | null;
  disambiguation: string | null;
  beginDate: string | null;
  endDate: string | null;
  score: number | null;
}

export interface MbAlbum {
  id: string;
  title: string;
  primaryType: string | null;
  firstReleaseDate: string | null;
  year: number | null;
  artist: string | null;
  artistId: string | null;
  score: number | null;
}

/** Lucene phrase: the query text quoted, with its quotes and backslashes escaped. */
const phrase = (s: string) => `"${s.replace(/[\\"]/g, '\\$&')}"`;

const credit = (v: unknown) => {
  const c = arr(v).map(obj);
  const name = c.map((x) => `${str(x.name) ?? str(obj(x.artist).name) ?? ''}${str(x.joinphrase) ?? ''}`).join('') || null;
  return { artist: name, artistId: c.length ? str(obj(c[0]!.artist).id) : null };
};

export function createMusicBrainzClient(o: MusicBrainzOptions) {
  const interval = o.minIntervalMs ?? 1000;
  let nextSlot = 0;
  /** Waits for this request's turn: starts are spaced `interval` apart, in call order. */
  const turn = async () => {
    const now = Date.now();
    const at = Math.max(now, nextSlot);
    nextSlot = at + interval;
    if (at > now) await new Promise((r) => setTimeout(r, at - now));
  };
  const get = async (path: string, query: Record<string, string | number | undefined>) => {
    await turn();
    return getJson({ baseUrl: o.baseUrl, path, query: { ...query, fmt: 'json' }, timeoutMs: o.timeoutMs });
  };
  const cover = (id: string) => `${(o.coverArtUrl ?? 'https://coverartarchive.org').replace(/\/+$/, '')}/release/${id}/front-500`;

  return {
    async searchArtists(query: string): Promise<MbArtist[]> {
      const r = obj(await get('/artist', { query: `artist:${phrase(query)}`, limit: 25 }));
      return arr(r.artists).map((x) => {
        const a = obj(x);
        const life = obj(a['life-span']);
        return {
          id: str(a.id) ?? '',
          name: str(a.name) ?? '',
          sortName: str(a['sort-name']),
          type: str(a.type),
          country: str(a.country),
          disambiguation: str(a.disambiguation),
          beginDate: str(life.begin),
          endDate: str(life.end),
          score: num(a.score),
        };
      });
    },
    async searchAlbums(query: string, artistName?: string): Promise<MbAlbum[]> {
      const q = `releasegroup:${phrase(query)}${artistName ? ` AND artist:${phrase(artistName)}` : ''}`;
      const r = obj(await get('/release-group', { query: q, limit: 25 }));
      return arr(r['release-groups']).map((x) => {
        const g = obj(x);
        return {
          id: str(g.id) ?? '',
          title: str(g.title) ?? '',
          primaryType: str(g['primary-type']),
          firstReleaseDate: str(g['first-release-date']),
          year: yearOf(g['first-release-date']),
          ...credit(g['artist-credit']),
          score: num(g.score),
        };
      });
    },
    async release(id: string) {
      const r = obj(await get(`/release/${encodeURIComponent(id)}`, { inc: 'recordings+artist-credits' }));
      const media = arr(r.media).map(obj);
      const tracks = media.flatMap((m) =>
        arr(m.tracks).map((x) => {
          const t = obj(x);
          const rec = obj(t.recording);
          return {
            id: str(t.id),
            disc: num(m.position),
            position: num(t.position),
            number: str(t.number),
            title: str(t.title) ?? str(rec.title),
            lengthMs: num(t.length) ?? num(rec.length),
            recordingId: str(rec.id),
          };
        }),
      );
      const rid = str(r.id) ?? id;
      const release = {
        id: rid,
        title: str(r.title) ?? '',
        date: str(r.date),
        year: yearOf(r.date),
        country: str(r.country),
        status: str(r.status),
        ...credit(r['artist-credit']),
        trackCount: tracks.length,
        coverArtUrl: obj(r['cover-art-archive']).front === true ? cover(rid) : null,
      };
      return { release, tracks };
    },
  };
}
export type MusicBrainzClient = ReturnType<typeof createMusicBrainzClient>;

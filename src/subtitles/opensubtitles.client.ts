/**
 * OpenSubtitles REST API v1 client (search only): `GET /api/v1/subtitles` with the `Api-Key`
 * header, answered as `{data:[{id,type:"subtitle",attributes:{language,download_count,ratings,
 * hearing_impaired,upload_date,release,files:[{file_id,file_name}]}}]}`. The key never appears in
 * an error or a log line.
 */
import { UpstreamError } from '../errors.js';

export interface SubtitleSearch {
  imdbId?: string;
  title?: string;
  season?: number;
  episode?: number;
  language?: string;
}

/** One result in the legacy shape. */
export interface SubtitleResult {
  id: string;
  language: string;
  filename: string;
  downloads: number;
  rating: number;
  hearingImpaired: boolean;
  uploadDate: string;
  fileId?: number;
}

interface RawAttributes {
  language?: string | null;
  download_count?: number;
  ratings?: number | null;
  hearing_impaired?: boolean | null;
  upload_date?: string;
  release?: string;
  files?: { file_id?: number; file_name?: string }[];
}

const TIMEOUT_MS = 15_000;
const USER_AGENT = 'MediaOS v1';

export function createOpenSubtitlesClient(opts: { baseUrl: string; fetch?: typeof fetch }) {
  const doFetch = opts.fetch ?? fetch;
  return {
    async search(apiKey: string, q: SubtitleSearch): Promise<SubtitleResult[]> {
      const url = new URL(`${opts.baseUrl}/api/v1/subtitles`);
      if (q.imdbId !== undefined) url.searchParams.set('imdb_id', q.imdbId.replace(/^tt/i, '').replace(/^0+/, ''));
      if (q.title !== undefined) url.searchParams.set('query', q.title);
      if (q.season !== undefined) url.searchParams.set('season_number', String(q.season));
      if (q.episode !== undefined) url.searchParams.set('episode_number', String(q.episode));
      if (q.language !== undefined) url.searchParams.set('languages', q.language.toLowerCase());
      let res: Response;
      try {
        res = await doFetch(url, {
          headers: { 'Api-Key': apiKey, 'User-Agent': USER_AGENT, Accept: 'application/json' },
          signal: AbortSignal.timeout(TIMEOUT_MS),
        });
      } catch (err) {
        const timeout = (err as Error).name === 'TimeoutError';
        throw new UpstreamError(timeout ? 'OpenSubtitles did not answer in time' : 'OpenSubtitles could not be reached');
      }
      if (res.status === 401 || res.status === 403) throw new UpstreamError('OpenSubtitles refused the API key');
      if (!res.ok) throw new UpstreamError(`OpenSubtitles answered HTTP ${res.status}`);
      let body: { data?: { id?: string | number; attributes?: RawAttributes }[] };
      try {
        body = (await res.json()) as typeof body;
      } catch {
        throw new UpstreamError('OpenSubtitles answered something that is not JSON');
      }
      return (Array.isArray(body.data) ? body.data : []).map((d) => {
        const a = d.attributes ?? {};
        const file = a.files?.[0];
        const out: SubtitleResult = {
          id: String(d.id ?? ''),
          language: a.language ?? '',
          filename: file?.file_name ?? a.release ?? '',
          downloads: Number(a.download_count ?? 0),
          rating: Number(a.ratings ?? 0),
          hearingImpaired: a.hearing_impaired === true,
          uploadDate: a.upload_date ?? '',
        };
        if (typeof file?.file_id === 'number') out.fileId = file.file_id;
        return out;
      });
    },
  };
}
export type OpenSubtitlesClient = ReturnType<typeof createOpenSubtitlesClient>;

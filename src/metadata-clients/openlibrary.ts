/** Open Library (books): `/search.json` and a work's `/works/<id>.json`, with cover URLs. */
import { arr, getJson, num, obj, str } from './fetch-json.js';

export interface OpenLibraryOptions {
  baseUrl: string;
  timeoutMs: number;
  /** Base of cover URLs. */
  coversUrl?: string;
}

export interface OlBook {
  id: string;
  title: string;
  authors: string[];
  firstPublishYear: number | null;
  isbn: string[];
  editionCount: number | null;
  coverId: number | null;
  coverUrl: string | null;
}

const SEARCH_FIELDS = 'key,title,author_name,first_publish_year,isbn,edition_count,cover_i';
const strings = (v: unknown, max = 20) =>
  arr(v)
    .flatMap((x) => (typeof x === 'string' ? [x] : []))
    .slice(0, max);

export function createOpenLibraryClient(o: OpenLibraryOptions) {
  const coverUrl = (id: number | null) => (id === null ? null : `${(o.coversUrl ?? 'https://covers.openlibrary.org').replace(/\/+$/, '')}/b/id/${id}-L.jpg`);
  const get = (path: string, query: Record<string, string | number | undefined> = {}) => getJson({ baseUrl: o.baseUrl, path, query, timeoutMs: o.timeoutMs });
  return {
    async searchBooks(query: string, author?: string): Promise<OlBook[]> {
      const r = obj(await get('/search.json', { q: query, author, fields: SEARCH_FIELDS, limit: 20 }));
      return arr(r.docs).map((x) => {
        const d = obj(x);
        const cover = num(d.cover_i);
        return {
          id: (str(d.key) ?? '').replace(/^\/works\//, ''),
          title: str(d.title) ?? '',
          authors: strings(d.author_name),
          firstPublishYear: num(d.first_publish_year),
          isbn: strings(d.isbn, 10),
          editionCount: num(d.edition_count),
          coverId: cover,
          coverUrl: coverUrl(cover),
        };
      });
    },
    async work(id: string) {
      const w = obj(await get(`/works/${encodeURIComponent(id)}.json`));
      const description = str(w.description) ?? str(obj(w.description).value);
      const covers = arr(w.covers).flatMap((c) => (typeof c === 'number' && c > 0 ? [c] : []));
      return {
        id,
        title: str(w.title) ?? '',
        description,
        subjects: strings(w.subjects),
        firstPublishDate: str(w.first_publish_date),
        coverId: covers[0] ?? null,
        coverUrl: coverUrl(covers[0] ?? null),
      };
    },
  };
}
export type OpenLibraryClient = ReturnType<typeof createOpenLibraryClient>;

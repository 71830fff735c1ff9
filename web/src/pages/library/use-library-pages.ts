import { useCallback, useEffect, useRef, useState } from 'react';
import { api } from '../../api/client';
import type { LibraryItem, LibraryPage } from '../../api/types';

export interface LibraryQuery {
  q: string;
  kind: string;
  sort: string;
}

const PAGE = 200;

/**
 * The library as keyset pages (GET /api/library?q&kind&sort&limit&cursor): the first page on
 * every query change (the previous request is aborted, so a fast typist never sees stale results),
 * the next page when loadMore() is called. Pages are appended; nothing is re-fetched.
 */
export function useLibraryPages(query: LibraryQuery) {
  const [items, setItems] = useState<LibraryItem[]>([]);
  const [total, setTotal] = useState<number | null>(null);
  const [totalIsEstimate, setTotalIsEstimate] = useState(false);
  const [error, setError] = useState<unknown>();
  const [loading, setLoading] = useState(false);
  const cursor = useRef<string | null>(null);
  const inFlight = useRef<AbortController | null>(null);
  const generation = useRef(0);

  const fetchPage = useCallback(
    async (first: boolean) => {
      const gen = first ? ++generation.current : generation.current;
      if (!first && (inFlight.current || cursor.current === null)) return;
      inFlight.current?.abort();
      const ctl = new AbortController();
      inFlight.current = ctl;
      setLoading(true);
      const params = new URLSearchParams({ limit: String(PAGE), sort: query.sort });
      if (query.q.trim()) params.set('q', query.q.trim());
      if (query.kind) params.set('kind', query.kind);
      if (!first && cursor.current) params.set('cursor', cursor.current);
      try {
        const page = await api<LibraryPage>(`/api/library?${params}`, { signal: ctl.signal });
        if (gen !== generation.current) return;
        cursor.current = page.nextCursor;
        setTotal(page.total);
        setTotalIsEstimate(page.totalIsEstimate === true);
        setItems((prev) => (first ? page.items : prev.concat(page.items)));
        setError(undefined);
      } catch (e) {
        if (!ctl.signal.aborted && gen === generation.current) setError(e);
      } finally {
        if (inFlight.current === ctl) {
          inFlight.current = null;
          setLoading(false);
        }
      }
    },
    [query.q, query.kind, query.sort],
  );

  useEffect(() => {
    cursor.current = null;
    void fetchPage(true);
  }, [fetchPage]);

  const loadMore = useCallback(() => {
    void fetchPage(false);
  }, [fetchPage]);
  const reload = useCallback(() => {
    cursor.current = null;
    void fetchPage(true);
  }, [fetchPage]);

  return { items, total, totalIsEstimate, error, loading, hasMore: cursor.current !== null, loadMore, reload };
}

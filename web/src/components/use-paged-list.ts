import { useEffect, useState } from 'react';
import { api } from '../api/client';
import { type Action, useAction } from './use-action';
import { useAsync } from './use-async';

/** One keyset page of a list route (`?limit=&cursor=`). */
export interface ListPage<T> {
  items: T[];
  total: number;
  nextCursor: string | null;
}

export interface PagedList<T, P extends ListPage<T>> {
  /** The items of every page loaded so far, in the server's order. */
  items: T[];
  /** The first page as the server sent it (its extra fields), once loaded. */
  first: P | undefined;
  total: number | undefined;
  error: unknown;
  loading: boolean;
  /** Loads the next page and appends it (only while `hasMore`). */
  more: Action<[], void>;
  hasMore: boolean;
  /** Loads the first page again (the pages loaded after it are dropped). */
  reload: () => void;
}

/** A list read a page at a time from `path` (which has no query): the first page on mount, more on demand. */
export function usePagedList<T, P extends ListPage<T> = ListPage<T>>(path: string, pageSize: number): PagedList<T, P> {
  const url = (cursor?: string) => `${path}?${new URLSearchParams({ limit: String(pageSize), ...(cursor ? { cursor } : {}) })}`;
  const first = useAsync((signal) => api<P>(url(), { signal }), [path, pageSize]);
  const [items, setItems] = useState<T[]>([]);
  const [next, setNext] = useState<string | null>(null);
  const [total, setTotal] = useState<number>();
  useEffect(() => {
    if (!first.data) return;
    setItems(first.data.items);
    setNext(first.data.nextCursor);
    setTotal(first.data.total);
  }, [first.data]);
  const more = useAction(async () => {
    if (!next) return;
    const page = await api<P>(url(next));
    setItems((have) => [...have, ...page.items]);
    setNext(page.nextCursor);
    setTotal(page.total);
  });
  return { items, first: first.data, total, error: first.error, loading: first.loading, more, hasMore: next !== null, reload: first.reload };
}

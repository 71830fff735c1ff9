import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useLayoutEffect, useRef, useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import type { UserInfo } from '../../api/client';
import { KINDS, SORTS } from '../../api/types';
import { Field } from '../../components/form';
import { Busy, ErrorNote, PageHeader } from '../../components/status';
import { AddItemForm } from './AddItemForm';
import { Poster } from './Poster';
import { useLibraryPages } from './use-library-pages';

const LIST_ROW = 56;
const MIN_CARD = 150;

function useDebounced<T>(value: T, ms: number): T {
  const [v, setV] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setV(value), ms);
    return () => clearTimeout(t);
  }, [value, ms]);
  return v;
}

function useWidth(ref: React.RefObject<HTMLElement | null>): number {
  const [width, setWidth] = useState(0);
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    setWidth(el.clientWidth);
    const ro = new ResizeObserver(() => setWidth(el.clientWidth));
    ro.observe(el);
    return () => ro.disconnect();
  }, [ref]);
  return width;
}

/** Library: search-as-you-type, kind filter, sort, grid or list, virtualized infinite scroll. */
export function LibraryPage({ user }: { user: UserInfo }) {
  const [params, setParams] = useSearchParams();
  const [text, setText] = useState(params.get('q') ?? '');
  const kind = params.get('kind') ?? '';
  const sort = params.get('sort') ?? 'title';
  const view = params.get('view') === 'list' ? 'list' : 'grid';
  const q = useDebounced(text, 120);
  const [adding, setAdding] = useState(false);

  const set = (key: string, value: string) => {
    const next = new URLSearchParams(params);
    if (value) next.set(key, value);
    else next.delete(key);
    setParams(next, { replace: true });
  };
  // biome-ignore lint/correctness/useExhaustiveDependencies: sync the URL with the debounced text only
  useEffect(() => {
    if ((params.get('q') ?? '') !== q) set('q', q);
  }, [q]);

  const lib = useLibraryPages({ q, kind, sort });
  const scroller = useRef<HTMLDivElement>(null);
  const width = useWidth(scroller);
  const cols = view === 'grid' ? Math.max(2, Math.floor((width - 24) / MIN_CARD)) : 1;
  const cardWidth = view === 'grid' ? (width - 24 - (cols - 1) * 12) / cols : 0;
  const rowHeight = view === 'grid' ? Math.round(cardWidth * 1.5 + 40) : LIST_ROW;
  const rows = Math.ceil(lib.items.length / cols);

  const virtualizer = useVirtualizer({
    count: rows + (lib.hasMore ? 1 : 0),
    getScrollElement: () => scroller.current,
    estimateSize: () => rowHeight,
    overscan: 6,
  });
  // biome-ignore lint/correctness/useExhaustiveDependencies: re-measure when the row height changes
  useEffect(() => virtualizer.measure(), [rowHeight, virtualizer]);
  const virtualRows = virtualizer.getVirtualItems();
  const last = virtualRows[virtualRows.length - 1];
  useEffect(() => {
    if (last && last.index >= rows - 3 && lib.hasMore && !lib.loading) lib.loadMore();
  }, [last, rows, lib.hasMore, lib.loading, lib.loadMore]);
  // A new query starts at the top.
  // biome-ignore lint/correctness/useExhaustiveDependencies: scroll on query change only
  useEffect(() => {
    scroller.current?.scrollTo({ top: 0 });
  }, [q, kind, sort]);

  return (
    <section aria-labelledby="library-title">
      <PageHeader title="Library">
        {user.role === 'admin' ? (
          <button type="button" className="primary" onClick={() => setAdding((a) => !a)} aria-expanded={adding}>
            {adding ? 'Close' : 'Add item'}
          </button>
        ) : null}
      </PageHeader>
      {adding ? <AddItemForm onAdded={() => lib.reload()} /> : null}
      <search className="library-toolbar">
        <label className="search">
          Search
          <input type="search" name="q" placeholder="Title…" value={text} onChange={(e) => setText(e.target.value)} autoComplete="off" />
        </label>
        <Field label="Kind">
          <select name="kind" value={kind} onChange={(e) => set('kind', e.target.value)}>
            <option value="">All</option>
            {KINDS.map((k) => (
              <option key={k} value={k}>
                {k}
              </option>
            ))}
          </select>
        </Field>
        <Field label="Sort">
          <select name="sort" value={sort} onChange={(e) => set('sort', e.target.value === 'title' ? '' : e.target.value)}>
            {SORTS.map((s) => (
              <option key={s.value} value={s.value}>
                {s.label}
              </option>
            ))}
          </select>
        </Field>
        <fieldset className="row" aria-label="View">
          <Field label="Posters" inline>
            <input type="radio" name="view" checked={view === 'grid'} onChange={() => set('view', '')} />
          </Field>
          <Field label="List" inline>
            <input type="radio" name="view" checked={view === 'list'} onChange={() => set('view', 'list')} />
          </Field>
        </fieldset>
      </search>
      <div className="row">
        <span className="muted" aria-live="polite" data-testid="library-total">
          {lib.total === null ? '\u00a0' : `${lib.totalIsEstimate ? 'about ' : ''}${lib.total.toLocaleString()} ${lib.total === 1 ? 'item' : 'items'}`}
        </span>
        <Busy active={lib.loading} label="Loading…" />
      </div>
      <ErrorNote error={lib.error} />
      <div ref={scroller} className="library-scroller" data-testid="library-scroller">
        {lib.total === 0 && !lib.loading ? <p className="notice">{q || kind ? 'Nothing matches.' : 'The library is empty.'}</p> : null}
        <div style={{ height: virtualizer.getTotalSize(), position: 'relative', width: '100%' }}>
          {virtualRows.map((row) => {
            const start = row.index * cols;
            const slice = lib.items.slice(start, start + cols);
            const style = { position: 'absolute' as const, top: 0, left: 0, width: '100%', height: row.size, transform: `translateY(${row.start}px)` };
            if (slice.length === 0) {
              return (
                <div key={row.key} style={style} className="list-row">
                  <span className="muted">Loading more…</span>
                </div>
              );
            }
            if (view === 'list') {
              const item = slice[0];
              return (
                <Link key={row.key} to={`/library/${encodeURIComponent(item.id)}`} style={style} className="list-row">
                  <Poster url={item.posterUrl} title={item.title} className="poster thumb" />
                  <span className="title">{item.title}</span>
                  <span className="muted">{item.kind}</span>
                  <span className="muted created">{item.year ?? ''}</span>
                </Link>
              );
            }
            return (
              <div key={row.key} style={{ ...style, gridTemplateColumns: `repeat(${cols}, 1fr)`, paddingTop: 12 }} className="grid-row">
                {slice.map((item) => (
                  <Link key={item.id} to={`/library/${encodeURIComponent(item.id)}`} className="poster-card">
                    <Poster url={item.posterUrl} title={item.title} />
                    <span className="title">{item.title}</span>
                  </Link>
                ))}
              </div>
            );
          })}
        </div>
      </div>
    </section>
  );
}

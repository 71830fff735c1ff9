import { useEffect, useRef, useState } from 'react';
import { api, eventsUrl } from '../../api/client';
import { formatBytes, formatDate, type GrabRecord } from '../../api/types';
import { ErrorNote, Notice, PageHeader } from '../../components/status';
import { useAsync } from '../../components/use-async';

/** Subscribes to GET /api/events (ticket from POST /api/events/ticket); calls onEvent per frame. */
function useLiveEvents(onEvent: (type: string) => void): 'connecting' | 'live' | 'offline' {
  const [state, setState] = useState<'connecting' | 'live' | 'offline'>('connecting');
  const handler = useRef(onEvent);
  handler.current = onEvent;
  useEffect(() => {
    let source: EventSource | null = null;
    let closed = false;
    let retry: ReturnType<typeof setTimeout> | undefined;
    const open = async () => {
      try {
        const url = await eventsUrl();
        if (closed) return;
        source = new EventSource(url);
        source.onopen = () => setState('live');
        source.onerror = () => {
          // The ticket is single-use at connect: reconnect with a fresh one.
          source?.close();
          setState('offline');
          if (!closed) retry = setTimeout(open, 3000);
        };
        for (const type of ['job.queued', 'job.started', 'job.progress', 'job.completed', 'job.failed', 'queue.progress']) {
          source.addEventListener(type, () => handler.current(type));
        }
      } catch {
        setState('offline');
        if (!closed) retry = setTimeout(open, 5000);
      }
    };
    void open();
    return () => {
      closed = true;
      clearTimeout(retry);
      source?.close();
    };
  }, []);
  return state;
}

function QueueTable({ items }: { items: GrabRecord[] }) {
  return (
    <div className="table-wrap">
      <table>
        <thead>
          <tr>
            <th scope="col">Title</th>
            <th scope="col">Client</th>
            <th scope="col">State</th>
            <th scope="col">Progress</th>
            <th scope="col">Size</th>
            <th scope="col">When</th>
          </tr>
        </thead>
        <tbody>
          {items.map((g, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: history rows have no id; the list is replaced whole
            <tr key={`${g.kind}:${g.id}:${g.title}:${i}`}>
              <td>{g.title ?? '—'}</td>
              <td>{g.client ?? '—'}</td>
              <td>{g.state ?? String(g.status ?? '—')}</td>
              <td>
                {typeof g.progress === 'number' ? (
                  <>
                    <progress className="progress" max={1} value={g.progress} aria-label={`${g.title} progress`} /> {Math.round(g.progress * 100)}%
                  </>
                ) : (
                  '—'
                )}
              </td>
              <td>{formatBytes(g.size)}</td>
              <td>{formatDate(g.at)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Activity: the download queue (refreshed on live events) and the history. */
export function ActivityPage() {
  const queue = useAsync((signal) => api<{ items: GrabRecord[] }>('/api/activity/queue', { signal }), []);
  const history = useAsync((signal) => api<{ items: GrabRecord[] }>('/api/activity/history', { signal }), []);
  const pending = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const live = useLiveEvents(() => {
    // Many events in a burst: one reload at most every second.
    if (pending.current) return;
    pending.current = setTimeout(() => {
      pending.current = undefined;
      queue.reload();
    }, 1000);
  });
  useEffect(() => () => clearTimeout(pending.current), []);
  return (
    <section>
      <PageHeader title="Activity">
        <span className="badge" role="status" data-testid="live-state">
          {live === 'live' ? 'Live' : live === 'connecting' ? 'Connecting…' : 'Offline, retrying'}
        </span>
      </PageHeader>
      <h2>Queue</h2>
      <ErrorNote error={queue.error} />
      {queue.data?.items.length === 0 ? <Notice>Nothing is downloading.</Notice> : null}
      {queue.data?.items.length ? <QueueTable items={queue.data.items} /> : null}
      <h2>History</h2>
      <ErrorNote error={history.error} />
      {history.data?.items.length === 0 ? <Notice>No history yet.</Notice> : null}
      {history.data?.items.length ? <QueueTable items={history.data.items} /> : null}
    </section>
  );
}

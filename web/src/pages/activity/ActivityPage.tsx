import { useEffect, useRef } from 'react';
import { api } from '../../api/client';
import { formatBytes, formatDate, type GrabRecord } from '../../api/types';
import { ErrorNote, Notice, PageHeader } from '../../components/status';
import { useAsync } from '../../components/use-async';
import { useLiveEvents } from '../../components/use-live-events';

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

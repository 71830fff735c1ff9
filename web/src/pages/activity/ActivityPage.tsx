import { useEffect, useRef } from 'react';
import { formatBytes, formatDate, type GrabRecord } from '../../api/types';
import { ActionRow } from '../../components/form';
import { ErrorNote, Notice, PageHeader } from '../../components/status';
import { useLiveEvents } from '../../components/use-live-events';
import { type ListPage, type PagedList, usePagedList } from '../../components/use-paged-list';

/** Rows per page of the queue and the history. */
const PAGE = 50;

/** A history page also carries, on the first page, the download clients' own finished jobs. */
interface HistoryPage extends ListPage<GrabRecord> {
  clientItems?: GrabRecord[];
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

/** "Show more" under a paged list while the server has more; says how many are shown. */
function MoreButton({ list, noun }: { list: PagedList<GrabRecord, ListPage<GrabRecord>>; noun: string }) {
  if (!list.hasMore) return null;
  return (
    <ActionRow action={list.more} busyLabel="Loading…">
      <button type="button" onClick={() => list.more.run()} disabled={list.more.busy}>
        {`Show more ${noun} (${list.items.length} of ${list.total ?? '?'})`}
      </button>
    </ActionRow>
  );
}

/** Activity: the download queue (refreshed on live events) and the history, a page at a time. */
export function ActivityPage() {
  const queue = usePagedList<GrabRecord>('/api/activity/queue', PAGE);
  const history = usePagedList<GrabRecord, HistoryPage>('/api/activity/history', PAGE);
  const clientHistory = history.first?.clientItems ?? [];
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
      {queue.first && queue.items.length === 0 ? <Notice>Nothing is downloading.</Notice> : null}
      {queue.items.length ? <QueueTable items={queue.items} /> : null}
      <MoreButton list={queue} noun="of the queue" />
      <h2>History</h2>
      <ErrorNote error={history.error} />
      {history.first && history.items.length === 0 && clientHistory.length === 0 ? <Notice>No history yet.</Notice> : null}
      {history.items.length ? <QueueTable items={history.items} /> : null}
      <MoreButton list={history} noun="history" />
      {clientHistory.length ? (
        <>
          <h3>Finished in the download clients</h3>
          <QueueTable items={clientHistory} />
        </>
      ) : null}
    </section>
  );
}

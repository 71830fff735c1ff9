import { api, type UserInfo } from '../../api/client';
import { formatDate, type WantedItem } from '../../api/types';
import { ActionRow } from '../../components/form';
import { ErrorNote, Notice, PageHeader } from '../../components/status';
import { useAction } from '../../components/use-action';
import { useAsync } from '../../components/use-async';

interface ScanAnswer {
  scanned: number;
  results: { key: string; found: number; grabbed: number; queued?: boolean }[];
}

/** Wanted: status, last search, the last search's rejections; search now; remove. */
export function WantedPage(_props: { user: UserInfo }) {
  const list = useAsync((signal) => api<{ items: WantedItem[] }>('/api/wanted', { signal }), []);
  const scan = useAction(async () => {
    const r = await api<ScanAnswer>('/api/wanted/scan', { body: { enqueue: true } });
    list.reload();
    return r;
  });
  const remove = useAction(async (w: WantedItem) => {
    await api(`/api/wanted/${encodeURIComponent(w.kind)}/${encodeURIComponent(w.id)}`, { method: 'DELETE' });
    list.reload();
  });
  const items = list.data?.items ?? [];
  return (
    <section>
      <PageHeader title="Wanted">
        <ActionRow action={scan} busyLabel="Searching every indexer…">
          <button type="button" className="primary" onClick={() => scan.run()} disabled={scan.busy || items.length === 0}>
            Search now
          </button>
        </ActionRow>
      </PageHeader>
      <ErrorNote error={list.error} />
      <ActionRow action={remove} busyLabel="Removing…" />
      {list.loading && !list.data ? <Notice>Loading…</Notice> : null}
      {list.data && items.length === 0 ? <Notice>Nothing is wanted. Add items from their library page.</Notice> : null}
      {items.length > 0 ? (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Title</th>
                <th scope="col">Kind</th>
                <th scope="col">Status</th>
                <th scope="col">Last search</th>
                <th scope="col">Rejections</th>
                <th scope="col">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {items.map((w) => (
                <tr key={`${w.kind}:${w.id}`}>
                  <td>{w.title}</td>
                  <td>{w.kind}</td>
                  <td>
                    <span className="badge">{w.status ?? 'wanted'}</span>
                  </td>
                  <td>
                    {w.lastSearch ? (
                      <>
                        {formatDate(w.lastSearch.at)}: {w.lastSearch.found} found, {w.lastSearch.approved} approved, {w.lastSearch.grabbed} grabbed
                        {w.lastSearch.errors?.length ? <span className="error"> {w.lastSearch.errors.join('; ')}</span> : null}
                      </>
                    ) : w.lastScan ? (
                      formatDate(w.lastScan.at)
                    ) : (
                      'Never'
                    )}
                  </td>
                  <td>
                    {w.rejections?.length ? (
                      <details>
                        <summary>{w.rejections.length} rejected</summary>
                        <ul>
                          {w.rejections.map((r) => (
                            <li key={`${r.indexer ?? ''}:${r.title}`}>
                              {r.title}
                              {r.indexer ? ` (${r.indexer})` : ''}: {r.reasons.map((x) => x.reason).join('; ')}
                            </li>
                          ))}
                        </ul>
                      </details>
                    ) : (
                      '—'
                    )}
                  </td>
                  <td>
                    <button type="button" onClick={() => remove.run(w)} disabled={remove.busy} aria-label={`Remove ${w.title} from wanted`}>
                      Remove
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </section>
  );
}

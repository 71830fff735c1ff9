import { type FormEvent, useEffect, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { api, type UserInfo } from '../../api/client';
import { formatBytes, formatDate, type GrabRecord, KINDS, type LibraryItem, type WantedItem } from '../../api/types';
import { ActionRow, Field } from '../../components/form';
import { ErrorNote, Notice, PageHeader } from '../../components/status';
import { useAction } from '../../components/use-action';
import { useAsync } from '../../components/use-async';
import { Poster } from './Poster';

interface Detail {
  item: LibraryItem;
  wanted: WantedItem | undefined;
  last: GrabRecord | null;
}

async function loadDetail(id: string, signal: AbortSignal): Promise<Detail> {
  const { item } = await api<{ item: LibraryItem }>(`/api/library/${encodeURIComponent(id)}`, { signal });
  const [wanted, last] = await Promise.all([
    api<{ items: WantedItem[] }>('/api/wanted', { signal }),
    api<{ last: GrabRecord | null }>(`/api/downloads/last?${new URLSearchParams({ kind: item.kind, id: item.id })}`, { signal }),
  ]);
  return { item, wanted: wanted.items.find((w) => w.id === item.id), last: last.last };
}

/** One item: details, edit, delete, add to wanted, its file, its last grab. */
export function ItemPage({ user }: { user: UserInfo }) {
  const { id = '' } = useParams();
  const detail = useAsync((signal) => loadDetail(id, signal), [id]);
  const d = detail.data;
  return (
    <section>
      <p>
        <Link to="/library">← Library</Link>
      </p>
      <ErrorNote error={detail.error} />
      {!d ? (
        <div aria-busy="true" className="item-skeleton">
          <PageHeader title="…" />
        </div>
      ) : (
        <>
          <PageHeader title={d.item.title} />
          <div className="item-layout">
            <Poster url={d.item.posterUrl} title={d.item.title} />
            <div className="stack">
              <dl className="facts">
                <dt>Kind</dt>
                <dd>{d.item.kind}</dd>
                <dt>Year</dt>
                <dd>{d.item.year ?? '—'}</dd>
                <dt>Quality</dt>
                <dd>{d.item.quality ?? '—'}</dd>
                <dt>File</dt>
                <dd>{d.item.filePath ? `${d.item.filePath} (${formatBytes(d.item.fileSize)})` : 'No file yet'}</dd>
                <dt>Wanted</dt>
                <dd data-testid="wanted-status">{d.wanted ? (d.wanted.status ?? 'wanted') : 'Not wanted'}</dd>
                <dt>Last search</dt>
                <dd>{d.wanted?.lastSearch ? `${formatDate(d.wanted.lastSearch.at)}: ${d.wanted.lastSearch.found} found` : '—'}</dd>
                <dt>Last grab</dt>
                <dd>
                  {d.last ? `${d.last.title ?? ''} via ${d.last.client ?? '?'} (${d.last.state ?? d.last.status ?? ''}) ${formatDate(d.last.at)}` : 'None'}
                </dd>
              </dl>
              <WantedButton item={d.item} wanted={d.wanted} onChange={detail.reload} />
              {user.role === 'admin' ? <EditItem item={d.item} onSaved={detail.reload} /> : null}
              {user.role === 'admin' ? <DeleteItem item={d.item} /> : null}
            </div>
          </div>
        </>
      )}
    </section>
  );
}

function WantedButton({ item, wanted, onChange }: { item: LibraryItem; wanted?: WantedItem; onChange: () => void }) {
  const add = useAction(async () => {
    await api('/api/wanted', { body: { id: item.id, title: item.title, kind: item.kind, ...(item.year ? { year: item.year } : {}) } });
    onChange();
  });
  if (wanted) return <Notice>On the wanted list. See Wanted to search for it now.</Notice>;
  return (
    <ActionRow action={add} busyLabel="Adding…">
      <button type="button" onClick={() => add.run()} disabled={add.busy}>
        Add to wanted
      </button>
    </ActionRow>
  );
}

function EditItem({ item, onSaved }: { item: LibraryItem; onSaved: () => void }) {
  const [title, setTitle] = useState(item.title);
  const [kind, setKind] = useState<string>(item.kind);
  const [posterUrl, setPosterUrl] = useState(item.posterUrl ?? '');
  useEffect(() => {
    setTitle(item.title);
    setKind(item.kind);
    setPosterUrl(item.posterUrl ?? '');
  }, [item]);
  const save = useAction(
    async () => {
      await api(`/api/library/${encodeURIComponent(item.id)}`, {
        method: 'PATCH',
        body: { title: title.trim(), kind, posterUrl: posterUrl.trim() ? posterUrl.trim() : null },
      });
      onSaved();
    },
    { done: 'Saved.' },
  );
  return (
    <form
      className="card stack"
      aria-label="Edit item"
      onSubmit={(e: FormEvent) => {
        e.preventDefault();
        void save.run();
      }}
    >
      <h2>Edit</h2>
      <div className="form-grid">
        <Field label="Title">
          <input name="title" required value={title} onChange={(e) => setTitle(e.target.value)} />
        </Field>
        <Field label="Kind">
          <select name="kind" value={kind} onChange={(e) => setKind(e.target.value)}>
            {KINDS.map((k) => (
              <option key={k} value={k}>
                {k}
              </option>
            ))}
          </select>
        </Field>
        <Field label="Poster URL">
          <input name="posterUrl" type="url" value={posterUrl} onChange={(e) => setPosterUrl(e.target.value)} />
        </Field>
      </div>
      <ActionRow action={save} busyLabel="Saving…">
        <button type="submit" className="primary" disabled={save.busy}>
          Save changes
        </button>
      </ActionRow>
    </form>
  );
}

function DeleteItem({ item }: { item: LibraryItem }) {
  const [confirming, setConfirming] = useState(false);
  const navigate = useNavigate();
  const del = useAction(async () => {
    await api(`/api/library/${encodeURIComponent(item.id)}`, { method: 'DELETE' });
    navigate('/library');
  });
  if (!confirming) {
    return (
      <div>
        <button type="button" className="danger" onClick={() => setConfirming(true)}>
          Delete…
        </button>
      </div>
    );
  }
  return (
    <div className="card stack" role="alertdialog" aria-label="Confirm delete">
      <p>Delete “{item.title}” from the library? Its files on disk, wanted entry and grab history are kept.</p>
      <ActionRow action={del} busyLabel="Deleting…">
        <button type="button" className="danger" onClick={() => del.run()} disabled={del.busy}>
          Delete
        </button>
        <button type="button" onClick={() => setConfirming(false)}>
          Cancel
        </button>
      </ActionRow>
    </div>
  );
}

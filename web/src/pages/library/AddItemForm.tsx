import { type FormEvent, useState } from 'react';
import { useNavigate } from 'react-router';
import { api } from '../../api/client';
import { KINDS, type LibraryItem } from '../../api/types';
import { ActionRow, Field } from '../../components/form';
import { useAction } from '../../components/use-action';

/** POST /api/library: kind, title, poster URL (admin). */
export function AddItemForm({ onAdded }: { onAdded: () => void }) {
  const [kind, setKind] = useState<string>('movie');
  const [title, setTitle] = useState('');
  const [posterUrl, setPosterUrl] = useState('');
  const navigate = useNavigate();
  const add = useAction(async () => {
    const body: Record<string, string> = { kind, title: title.trim() };
    if (posterUrl.trim()) body.posterUrl = posterUrl.trim();
    const r = await api<{ item: LibraryItem }>('/api/library', { body });
    onAdded();
    navigate(`/library/${encodeURIComponent(r.item.id)}`);
  });
  return (
    <form
      className="card stack"
      aria-label="Add a library item"
      onSubmit={(e: FormEvent) => {
        e.preventDefault();
        void add.run();
      }}
    >
      <div className="form-grid">
        <Field label="Kind">
          <select name="kind" value={kind} onChange={(e) => setKind(e.target.value)}>
            {KINDS.map((k) => (
              <option key={k} value={k}>
                {k}
              </option>
            ))}
          </select>
        </Field>
        <Field label="Title">
          <input name="title" required value={title} onChange={(e) => setTitle(e.target.value)} />
        </Field>
        <Field label="Poster URL (optional)">
          <input name="posterUrl" type="url" placeholder="https://…" value={posterUrl} onChange={(e) => setPosterUrl(e.target.value)} />
        </Field>
      </div>
      <ActionRow action={add} busyLabel="Adding…">
        <button type="submit" className="primary" disabled={add.busy}>
          Add to library
        </button>
      </ActionRow>
    </form>
  );
}

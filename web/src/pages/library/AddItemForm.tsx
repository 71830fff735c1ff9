import { type FormEvent, useState } from 'react';
import { useNavigate } from 'react-router';
import { api } from '../../api/client';
import { KINDS, type LibraryItem } from '../../api/types';
import { Busy, ErrorNote } from '../../components/status';

/** POST /api/library: kind, title, poster URL (admin). */
export function AddItemForm({ onAdded }: { onAdded: () => void }) {
  const [kind, setKind] = useState<string>('movie');
  const [title, setTitle] = useState('');
  const [posterUrl, setPosterUrl] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const navigate = useNavigate();
  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const body: Record<string, string> = { kind, title: title.trim() };
      if (posterUrl.trim()) body.posterUrl = posterUrl.trim();
      const r = await api<{ item: LibraryItem }>('/api/library', { body });
      onAdded();
      navigate(`/library/${encodeURIComponent(r.item.id)}`);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }
  return (
    <form className="card stack" onSubmit={submit} aria-label="Add a library item">
      <div className="form-grid">
        <label>
          Kind
          <select name="kind" value={kind} onChange={(e) => setKind(e.target.value)}>
            {KINDS.map((k) => (
              <option key={k} value={k}>
                {k}
              </option>
            ))}
          </select>
        </label>
        <label>
          Title
          <input name="title" required value={title} onChange={(e) => setTitle(e.target.value)} />
        </label>
        <label>
          Poster URL (optional)
          <input name="posterUrl" type="url" placeholder="https://…" value={posterUrl} onChange={(e) => setPosterUrl(e.target.value)} />
        </label>
      </div>
      <ErrorNote error={error} />
      <div className="row">
        <button type="submit" className="primary" disabled={busy}>
          Add to library
        </button>
        <Busy active={busy} label="Adding…" />
      </div>
    </form>
  );
}

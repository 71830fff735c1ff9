import { type FormEvent, useEffect, useState } from 'react';
import { api } from '../../api/client';
import { formatDate } from '../../api/types';
import { ActionRow, Field } from '../../components/form';
import { ErrorNote } from '../../components/status';
import { useAction } from '../../components/use-action';
import { useAsync } from '../../components/use-async';

interface Folder {
  path: string;
  type: string;
}

/** Media folders (settings.json mediaFolders): edit the list, save, scan now. */
export function MediaFoldersSettings() {
  const view = useAsync((signal) => api<{ folders: Folder[]; lastScanDate: string | null }>('/api/onboarding/folders', { signal }), []);
  const [folders, setFolders] = useState<Folder[]>([]);
  useEffect(() => {
    if (view.data) setFolders(view.data.folders.map((f) => ({ path: f.path, type: f.type === 'series' ? 'series' : 'movies' })));
  }, [view.data]);
  const act = useAction(
    async (what: 'save' | 'scan') => {
      if (what === 'save')
        await api('/api/onboarding/setup', { body: { folders: folders.filter((f) => f.path.trim()).map((f) => ({ path: f.path.trim(), type: f.type })) } });
      else await api('/api/onboarding/scan', { method: 'POST' });
      view.reload();
      return what;
    },
    { done: (what) => (what === 'save' ? 'Saved.' : 'Scan started.') },
  );
  return (
    <form
      className="stack"
      onSubmit={(e: FormEvent) => {
        e.preventDefault();
        void act.run('save');
      }}
    >
      <ErrorNote error={view.error} />
      {folders.map((f, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: rows are edited in place, by position
        <div className="row" key={i}>
          <Field label="Folder path">
            <input value={f.path} required onChange={(e) => setFolders(folders.map((g, j) => (j === i ? { ...g, path: e.target.value } : g)))} />
          </Field>
          <Field label="Type">
            <select value={f.type} onChange={(e) => setFolders(folders.map((g, j) => (j === i ? { ...g, type: e.target.value } : g)))}>
              <option value="movies">movies</option>
              <option value="series">series</option>
            </select>
          </Field>
          <button type="button" onClick={() => setFolders(folders.filter((_, j) => j !== i))} aria-label={`Remove folder ${f.path}`}>
            Remove
          </button>
        </div>
      ))}
      <ActionRow action={act}>
        <button type="button" onClick={() => setFolders([...folders, { path: '', type: 'movies' }])}>
          Add a folder
        </button>
        <button type="submit" className="primary" disabled={act.busy}>
          Save folders
        </button>
        <button type="button" onClick={() => act.run('scan')} disabled={act.busy}>
          Scan now
        </button>
      </ActionRow>
      <p className="muted">Last scan: {formatDate(view.data?.lastScanDate)}</p>
    </form>
  );
}

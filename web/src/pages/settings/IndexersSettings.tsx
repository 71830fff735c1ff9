import { type FormEvent, useEffect, useState } from 'react';
import { api } from '../../api/client';
import { ActionRow, Field } from '../../components/form';
import { ErrorNote, Notice } from '../../components/status';
import { useAction } from '../../components/use-action';
import { useAsync } from '../../components/use-async';

interface SourceView {
  enabled: boolean;
  baseUrl?: string;
  hasApiKey: boolean;
  syncEnabled?: boolean;
}
interface Indexer {
  id: string;
  name: string;
  type: string;
  protocol?: string;
  enabled: boolean;
  baseUrl?: string;
  priority?: number;
}
interface IndexersView {
  prowlarr?: SourceView;
  jackett?: SourceView;
  indexers: Indexer[];
}

/** Indexers: Prowlarr and Jackett (save, test, sync) and the manual Torznab/Newznab list. */
export function IndexersSettings() {
  const view = useAsync((signal) => api<IndexersView>('/api/indexers', { signal }), []);
  if (view.error) return <ErrorNote error={view.error} />;
  if (!view.data) return <p className="muted">Loading…</p>;
  return (
    <div className="stack">
      <SourceForm name="prowlarr" label="Prowlarr" stored={view.data.prowlarr} onChange={view.reload} />
      <SourceForm name="jackett" label="Jackett" stored={view.data.jackett} onChange={view.reload} />
      <ManualIndexers items={view.data.indexers} onChange={view.reload} />
    </div>
  );
}

function SourceForm({ name, label, stored, onChange }: { name: 'prowlarr' | 'jackett'; label: string; stored?: SourceView; onChange: () => void }) {
  const [enabled, setEnabled] = useState(stored?.enabled ?? false);
  const [baseUrl, setBaseUrl] = useState(stored?.baseUrl ?? '');
  const [apiKey, setApiKey] = useState('');
  useEffect(() => {
    setEnabled(stored?.enabled ?? false);
    setBaseUrl(stored?.baseUrl ?? '');
  }, [stored]);
  const run = useAction(
    async (what: 'save' | 'test' | 'sync'): Promise<string> => {
      if (what === 'save') {
        await api(`/api/indexers/${name}`, { body: { enabled, ...(baseUrl.trim() ? { baseUrl: baseUrl.trim() } : {}), ...(apiKey ? { apiKey } : {}) } });
        onChange();
        return 'Saved.';
      }
      if (what === 'test') {
        if (!apiKey) throw new Error(`Type the ${label} API key to test it (the stored one is never sent back to the browser).`);
        const r = await api<{ ok: boolean; version?: string; error?: string }>(`/api/indexers/${name}/test`, { body: { baseUrl: baseUrl.trim(), apiKey } });
        if (!r.ok) throw new Error(r.error ?? 'Test failed');
        return `Connected${r.version ? `: ${label} ${r.version}` : ''}.`;
      }
      const r = await api<{ ok: boolean; count?: number; error?: string }>(`/api/indexers/${name}/sync`, { method: 'POST' });
      if (!r.ok) throw new Error(r.error ?? 'Sync failed');
      onChange();
      return `Synced ${r.count ?? 0} indexer(s).`;
    },
    { done: (note) => note },
  );
  return (
    <form
      onSubmit={(e: FormEvent) => {
        e.preventDefault();
        void run.run('save');
      }}
    >
      <fieldset>
        <legend>{label}</legend>
        <div className="form-grid">
          <Field label="Enabled" inline>
            <input type="checkbox" checked={enabled} onChange={(e) => setEnabled(e.target.checked)} />
          </Field>
          <Field label="URL">
            <input type="url" name={`${name}-baseUrl`} value={baseUrl} onChange={(e) => setBaseUrl(e.target.value)} placeholder="http://127.0.0.1:9696" />
          </Field>
          <Field label="API key">
            <input
              type="password"
              name={`${name}-apiKey`}
              autoComplete="new-password"
              value={apiKey}
              placeholder={stored?.hasApiKey ? 'stored (leave empty to keep)' : ''}
              onChange={(e) => setApiKey(e.target.value)}
            />
          </Field>
        </div>
        <ActionRow action={run}>
          <button type="submit" className="primary" disabled={run.busy}>
            Save
          </button>
          <button type="button" onClick={() => run.run('test')} disabled={run.busy}>
            Test
          </button>
          <button type="button" onClick={() => run.run('sync')} disabled={run.busy}>
            Sync indexers
          </button>
        </ActionRow>
      </fieldset>
    </form>
  );
}

function ManualIndexers({ items, onChange }: { items: Indexer[]; onChange: () => void }) {
  const [name, setName] = useState('');
  const [type, setType] = useState('torrent');
  const [url, setUrl] = useState('');
  const act = useAction(async (fn: () => Promise<unknown>) => {
    await fn();
    onChange();
  });
  return (
    <fieldset>
      <legend>Indexers (manual Torznab/Newznab and synced)</legend>
      {items.length === 0 ? <Notice>No indexers yet.</Notice> : null}
      {items.length ? (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Source</th>
                <th scope="col">Protocol</th>
                <th scope="col">Enabled</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {items.map((i) => (
                <tr key={i.id}>
                  <td>{i.name}</td>
                  <td>{i.type}</td>
                  <td>{i.protocol ?? '—'}</td>
                  <td>
                    <input
                      type="checkbox"
                      aria-label={`${i.name} enabled`}
                      checked={i.enabled}
                      onChange={(e) =>
                        act.run(() => api(`/api/indexers/${encodeURIComponent(i.id)}`, { method: 'PATCH', body: { enabled: e.target.checked } }))
                      }
                    />
                  </td>
                  <td>
                    <button
                      type="button"
                      className="danger"
                      onClick={() => act.run(() => api(`/api/indexers/${encodeURIComponent(i.id)}`, { method: 'DELETE' }))}
                    >
                      Remove
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      <form
        className="form-grid"
        aria-label="Add an indexer"
        onSubmit={(e: FormEvent) => {
          e.preventDefault();
          void act.run(async () => {
            await api('/api/indexers', { body: { name: name.trim(), type, ...(url.trim() ? { url: url.trim() } : {}) } });
            setName('');
            setUrl('');
          });
        }}
      >
        <Field label="Name">
          <input name="indexer-name" required value={name} onChange={(e) => setName(e.target.value)} />
        </Field>
        <Field label="Type">
          <select name="indexer-type" value={type} onChange={(e) => setType(e.target.value)}>
            <option value="torrent">Torznab (torrent)</option>
            <option value="usenet">Newznab (usenet)</option>
          </select>
        </Field>
        <Field label="URL">
          <input name="indexer-url" type="url" value={url} onChange={(e) => setUrl(e.target.value)} />
        </Field>
        <ActionRow action={act}>
          <button type="submit" disabled={act.busy}>
            Add indexer
          </button>
        </ActionRow>
      </form>
    </fieldset>
  );
}

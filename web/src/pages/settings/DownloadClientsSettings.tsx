import { type FormEvent, useEffect, useState } from 'react';
import { api } from '../../api/client';
import { ActionRow, Field } from '../../components/form';
import { ErrorNote } from '../../components/status';
import { useAction } from '../../components/use-action';
import { useAsync } from '../../components/use-async';

type ClientName = 'qbittorrent' | 'sabnzbd' | 'nzbget';
interface ClientView {
  enabled: boolean;
  baseUrl?: string;
  username?: string;
  category?: string;
  hasPassword?: boolean;
  hasApiKey?: boolean;
}
type View = Record<ClientName, ClientView>;
interface Draft {
  enabled: boolean;
  baseUrl: string;
  username: string;
  category: string;
  /** Empty: keep the stored secret. */
  secret: string;
}

const CLIENTS: { name: ClientName; label: string; secret: 'password' | 'apiKey'; username: boolean; category: boolean }[] = [
  { name: 'qbittorrent', label: 'qBittorrent', secret: 'password', username: true, category: true },
  { name: 'sabnzbd', label: 'SABnzbd', secret: 'apiKey', username: false, category: true },
  { name: 'nzbget', label: 'NZBGet', secret: 'password', username: true, category: false },
];

function draftOf(v: ClientView | undefined): Draft {
  return { enabled: v?.enabled ?? false, baseUrl: v?.baseUrl ?? '', username: v?.username ?? '', category: v?.category ?? '', secret: '' };
}

/** The body for one client: empty strings left out; an empty secret keeps the stored one. */
function bodyOf(c: (typeof CLIENTS)[number], d: Draft): Record<string, unknown> {
  const out: Record<string, unknown> = { enabled: d.enabled };
  if (d.baseUrl.trim()) out.baseUrl = d.baseUrl.trim();
  if (c.username && d.username.trim()) out.username = d.username.trim();
  if (c.category && d.category.trim()) out.category = d.category.trim();
  if (d.secret) out[c.secret] = d.secret;
  return out;
}

/** Download clients: edit, save (the whole document), and Test each one with what is typed. */
export function DownloadClientsSettings() {
  const view = useAsync((signal) => api<View>('/api/settings/downloaders', { signal }), []);
  const [drafts, setDrafts] = useState<Record<ClientName, Draft> | null>(null);
  useEffect(() => {
    if (view.data) setDrafts({ qbittorrent: draftOf(view.data.qbittorrent), sabnzbd: draftOf(view.data.sabnzbd), nzbget: draftOf(view.data.nzbget) });
  }, [view.data]);
  const save = useAction(
    async () => {
      if (!drafts) return;
      const body = Object.fromEntries(CLIENTS.map((c) => [c.name, bodyOf(c, drafts[c.name])]));
      await api('/api/settings/downloaders', { body });
      view.reload();
    },
    { done: 'Saved.' },
  );
  if (view.error) return <ErrorNote error={view.error} />;
  if (!drafts || !view.data) return <p className="muted">Loading…</p>;
  return (
    <form
      className="stack"
      onSubmit={(e: FormEvent) => {
        e.preventDefault();
        void save.run();
      }}
    >
      {CLIENTS.map((c) => (
        <ClientFieldset key={c.name} client={c} draft={drafts[c.name]} stored={view.data![c.name]} onChange={(d) => setDrafts({ ...drafts, [c.name]: d })} />
      ))}
      <ActionRow action={save} busyLabel="Saving…">
        <button type="submit" className="primary" disabled={save.busy}>
          Save download clients
        </button>
      </ActionRow>
    </form>
  );
}

function ClientFieldset({
  client: c,
  draft: d,
  stored,
  onChange,
}: {
  client: (typeof CLIENTS)[number];
  draft: Draft;
  stored: ClientView;
  onChange: (d: Draft) => void;
}) {
  const test = useAction(() => api<{ ok: boolean; status?: number }>('/api/settings/downloaders/test', { body: { client: c.name, settings: bodyOf(c, d) } }), {
    done: (r) => `Connected${r.status ? ` (HTTP ${r.status})` : ''}.`,
  });
  const id = (f: string) => `${c.name}-${f}`;
  const hasSecret = c.secret === 'apiKey' ? stored.hasApiKey : stored.hasPassword;
  return (
    <fieldset aria-labelledby={id('legend')} data-testid={`client-${c.name}`}>
      <legend id={id('legend')}>{c.label}</legend>
      <div className="form-grid">
        <Field label="Enabled" inline>
          <input type="checkbox" name={id('enabled')} checked={d.enabled} onChange={(e) => onChange({ ...d, enabled: e.target.checked })} />
        </Field>
        <Field label="URL">
          <input
            name={id('baseUrl')}
            type="url"
            placeholder="http://127.0.0.1:8080"
            value={d.baseUrl}
            onChange={(e) => onChange({ ...d, baseUrl: e.target.value })}
          />
        </Field>
        {c.username ? (
          <Field label="Username">
            <input name={id('username')} autoComplete="off" value={d.username} onChange={(e) => onChange({ ...d, username: e.target.value })} />
          </Field>
        ) : null}
        <Field label={c.secret === 'apiKey' ? 'API key' : 'Password'}>
          <input
            name={id(c.secret)}
            type="password"
            autoComplete="new-password"
            placeholder={hasSecret ? 'stored (leave empty to keep)' : ''}
            value={d.secret}
            onChange={(e) => onChange({ ...d, secret: e.target.value })}
          />
        </Field>
        {c.category ? (
          <Field label="Category">
            <input name={id('category')} value={d.category} onChange={(e) => onChange({ ...d, category: e.target.value })} />
          </Field>
        ) : null}
      </div>
      <ActionRow action={test} busyLabel="Testing…">
        <button type="button" onClick={() => test.run()} disabled={test.busy}>
          Test {c.label}
        </button>
      </ActionRow>
    </fieldset>
  );
}

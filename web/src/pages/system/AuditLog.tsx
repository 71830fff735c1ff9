import { useEffect, useState } from 'react';
import { api, type UserInfo } from '../../api/client';
import { formatDate } from '../../api/types';
import { ActionRow, Field } from '../../components/form';
import { ErrorNote, Notice } from '../../components/status';
import { useAction } from '../../components/use-action';
import { useAsync } from '../../components/use-async';

interface Entry {
  id: number;
  at: string;
  actor: string;
  entity: string;
  entityId?: string;
  action: string;
  before?: unknown;
  after?: unknown;
}
interface Page {
  items: Entry[];
  nextCursor?: string;
}

const ENTITIES = ['user', 'session', 'settings', 'downloaders', 'indexer', 'quality_profile', 'library_item', 'quarantine', 'migration', 'job', 'backup'];
const PAGE = 50;

/** A datetime-local value (the browser's time zone) as the ISO time the API takes; '' for none. */
function isoOf(local: string): string {
  if (!local) return '';
  const d = new Date(local);
  return Number.isNaN(d.getTime()) ? '' : d.toISOString();
}

/** The audit log: who changed what, newest first; filter by kind, user and time; older pages on demand. */
export function AuditLog() {
  const [entity, setEntity] = useState('');
  const [actor, setActor] = useState('');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const users = useAsync((signal) => api<{ users: UserInfo[] }>('/api/users', { signal }), []);
  const query = (cursor?: string) => {
    const q = new URLSearchParams({ limit: String(PAGE) });
    if (entity) q.set('entity', entity);
    if (actor) q.set('user', actor);
    if (isoOf(from)) q.set('from', isoOf(from));
    if (isoOf(to)) q.set('to', isoOf(to));
    if (cursor) q.set('cursor', cursor);
    return `/api/system/audit?${q}`;
  };
  const first = useAsync((signal) => api<Page>(query(), { signal }), [entity, actor, from, to]);
  const [entries, setEntries] = useState<Entry[]>([]);
  const [next, setNext] = useState<string>();
  useEffect(() => {
    if (first.data) {
      setEntries(first.data.items);
      setNext(first.data.nextCursor);
    }
  }, [first.data]);
  const more = useAction(async () => {
    const page = await api<Page>(query(next));
    setEntries((e) => [...e, ...page.items]);
    setNext(page.nextCursor);
  });
  const who = (actorId: string) => users.data?.users.find((u) => u.id === actorId)?.email ?? actorId;
  return (
    <section aria-labelledby="audit-title" className="stack">
      <h2 id="audit-title">Audit log</h2>
      <p className="muted">Who changed what and when, newest first. Passwords, keys and tokens always read “[redacted]”.</p>
      <div className="filters">
        <Field label="What">
          <select name="audit-entity" value={entity} onChange={(e) => setEntity(e.target.value)}>
            <option value="">everything</option>
            {ENTITIES.map((e) => (
              <option key={e} value={e}>
                {e.replace('_', ' ')}
              </option>
            ))}
          </select>
        </Field>
        <Field label="Who">
          <select name="audit-user" value={actor} onChange={(e) => setActor(e.target.value)}>
            <option value="">anyone</option>
            {(users.data?.users ?? []).map((u) => (
              <option key={u.id} value={u.id}>
                {u.email}
              </option>
            ))}
            <option value="cli">the command line</option>
            <option value="system">the server itself</option>
          </select>
        </Field>
        <Field label="From">
          <input type="datetime-local" name="audit-from" value={from} onChange={(e) => setFrom(e.target.value)} />
        </Field>
        <Field label="Before">
          <input type="datetime-local" name="audit-to" value={to} onChange={(e) => setTo(e.target.value)} />
        </Field>
        <button type="button" onClick={first.reload} disabled={first.loading}>
          Refresh
        </button>
      </div>
      <ErrorNote error={first.error} />
      <ol className="stack audit-list" aria-busy={first.loading} aria-label="Audit entries">
        {entries.map((e) => (
          <li key={e.id} data-testid="audit-entry" className="card">
            <p>
              <strong>{`${e.entity.replace('_', ' ')} ${e.action}`}</strong>
              {e.entityId ? <span className="muted">{` ${e.entityId}`}</span> : null}
              {' — '}
              {who(e.actor)}, <time dateTime={e.at}>{formatDate(e.at)}</time>
            </p>
            {e.before !== undefined || e.after !== undefined ? (
              <details>
                <summary>Before and after</summary>
                <div className="audit-diff">
                  <figure>
                    <figcaption>Before</figcaption>
                    <pre>{e.before === undefined ? '—' : JSON.stringify(e.before, null, 2)}</pre>
                  </figure>
                  <figure>
                    <figcaption>After</figcaption>
                    <pre>{e.after === undefined ? '—' : JSON.stringify(e.after, null, 2)}</pre>
                  </figure>
                </div>
              </details>
            ) : null}
          </li>
        ))}
      </ol>
      {first.data && entries.length === 0 ? <Notice>Nothing recorded for these filters.</Notice> : null}
      {next ? (
        <ActionRow action={more} busyLabel="Loading…">
          <button type="button" onClick={() => more.run()} disabled={more.busy}>
            Show older entries
          </button>
        </ActionRow>
      ) : null}
    </section>
  );
}

import { useState } from 'react';
import { api } from '../../api/client';
import { ConfirmStep, Field } from '../../components/form';
import { ErrorNote } from '../../components/status';
import { useAsync } from '../../components/use-async';

interface Summary {
  id: string;
  file: string;
  locator: string;
  reason: string;
}
interface Detail extends Summary {
  raw: string | null;
  admissible: boolean;
  notAdmissible?: string;
}
interface Action {
  summary: string;
  done: boolean;
}

/** `field=value` lines -> {field: value} (the value as JSON when it parses, else text). */
function parseEdits(text: string): Record<string, unknown> {
  const set: Record<string, unknown> = {};
  for (const line of text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)) {
    const eq = line.indexOf('=');
    if (eq <= 0) throw new Error(`"${line}": write field=value`);
    const raw = line.slice(eq + 1);
    let value: unknown = raw;
    try {
      value = JSON.parse(raw);
    } catch {
      /* text */
    }
    set[line.slice(0, eq)] = value;
  }
  return set;
}

function Record({ id, onChanged }: { id: string; onChanged: () => void }) {
  const detail = useAsync((signal) => api<{ record: Detail }>(`/api/system/quarantine/${id}`, { signal }), [id]);
  const [edits, setEdits] = useState('');
  /** The server's preview (`preview: true`) or the confirmed action; its summary says what it does or did. */
  const call = async (what: 'admit' | 'drop', confirm: boolean) => {
    const body = what === 'admit' ? { set: parseEdits(edits), preview: !confirm } : { preview: !confirm };
    const r = await api<Action>(`/api/system/quarantine/${id}/${what}`, { body });
    if (confirm) onChanged();
    return r.summary;
  };
  const r = detail.data?.record;
  return (
    <div className="quarantine-record" aria-busy={detail.loading}>
      <ErrorNote error={detail.error} />
      {r && (
        <>
          <p>
            <strong>Reason:</strong> {r.reason}
          </p>
          <figure>
            <figcaption>Raw text, as found in {r.file}</figcaption>
            <pre>{r.raw ?? '(not shown: the file may hold secrets)'}</pre>
          </figure>
          {r.admissible ? (
            <Field label="Field edits (one field=value per line, e.g. kind=movie)">
              <textarea value={edits} onChange={(e) => setEdits(e.target.value)} rows={3} />
            </Field>
          ) : (
            <p>Cannot be admitted: {r.notAdmissible}</p>
          )}
          <div className="row">
            {r.admissible && (
              <ConfirmStep label="Admit" confirmLabel="Confirm admit" preview={() => call('admit', false)} confirm={() => call('admit', true)} />
            )}
            <ConfirmStep label="Drop" danger confirmLabel="Confirm drop" preview={() => call('drop', false)} confirm={() => call('drop', true)} />
          </div>
        </>
      )}
    </div>
  );
}

/** The quarantine: each record with its reason and raw text; admit with field edits, or drop. */
export function QuarantineViewer() {
  const [cursor, setCursor] = useState<string>();
  const page = useAsync(
    (signal) =>
      api<{ items: Summary[]; total: number; nextCursor?: string }>(`/api/system/quarantine?limit=50${cursor ? `&cursor=${cursor}` : ''}`, { signal }),
    [cursor],
  );
  const [open, setOpen] = useState<string>();
  return (
    <div aria-busy={page.loading}>
      <ErrorNote error={page.error} />
      <p>{page.data ? `${page.data.total} quarantined record(s)` : '…'}</p>
      <ul className="quarantine">
        {page.data?.items.map((q) => (
          <li key={q.id}>
            <button type="button" aria-expanded={open === q.id} onClick={() => setOpen(open === q.id ? undefined : q.id)}>
              {q.file} {q.locator || '(whole file)'}
            </button>{' '}
            <span>{q.reason}</span>
            {open === q.id && <Record id={q.id} onChanged={page.reload} />}
          </li>
        ))}
      </ul>
      {page.data?.nextCursor && (
        <button type="button" onClick={() => setCursor(page.data?.nextCursor)}>
          Next page
        </button>
      )}
    </div>
  );
}

import { type FormEvent, useState } from 'react';
import { api } from '../../api/client';
import { ActionRow, ConfirmStep, Field } from '../../components/form';
import { ErrorNote } from '../../components/status';
import { useAction } from '../../components/use-action';
import { useAsync } from '../../components/use-async';

interface QualityRow {
  quality: string;
  allowed: boolean;
  preferred: boolean;
}
interface Profile {
  id: string;
  name: string;
  cutoff?: string;
  upgradeAllowed?: boolean;
  qualities?: QualityRow[];
}
interface Draft {
  /** undefined: a new profile. */
  id?: string;
  name: string;
  upgradeAllowed: boolean;
  cutoff: string;
  qualities: QualityRow[];
}

const ORDER = ['2160p', '1080p', '720p', '480p'];
const PATH = '/api/settings/quality-profiles';

function draftOf(p: Profile | undefined): Draft {
  if (!p) return { name: '', upgradeAllowed: true, cutoff: '1080p', qualities: ORDER.map((quality) => ({ quality, allowed: true, preferred: false })) };
  const qualities = (p.qualities ?? []).map((q) => ({ quality: q.quality, allowed: q.allowed, preferred: q.preferred === true }));
  return { id: p.id, name: p.name, upgradeAllowed: p.upgradeAllowed !== false, cutoff: p.cutoff ?? qualities.find((q) => q.allowed)?.quality ?? '', qualities };
}

/** Quality profiles: what each allows and prefers, its cutoff; create, edit, remove; reset to the defaults. */
export function QualitySettings() {
  const list = useAsync((signal) => api<{ profiles: Profile[] }>(PATH, { signal }), []);
  const [editing, setEditing] = useState<Draft>();
  const profiles = list.data?.profiles ?? [];
  return (
    <div className="stack">
      <ErrorNote error={list.error} />
      <div className="table-wrap" aria-busy={list.loading}>
        <table>
          <caption className="sr-only">Quality profiles</caption>
          <thead>
            <tr>
              <th scope="col">Profile</th>
              <th scope="col">Allowed qualities</th>
              <th scope="col">Preferred</th>
              <th scope="col">Cutoff</th>
              <th scope="col">Upgrades</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {profiles.map((p) => (
              <tr key={p.id} data-testid="quality-profile" data-id={p.id}>
                <th scope="row">{p.name}</th>
                <td>
                  {(p.qualities ?? [])
                    .filter((q) => q.allowed)
                    .map((q) => q.quality)
                    .join(', ') || '—'}
                </td>
                <td>
                  {(p.qualities ?? [])
                    .filter((q) => q.preferred)
                    .map((q) => q.quality)
                    .join(', ') || '—'}
                </td>
                <td>{p.cutoff ?? '—'}</td>
                <td>{p.upgradeAllowed === false ? 'No' : 'Yes'}</td>
                <td>
                  <div className="row">
                    <button type="button" onClick={() => setEditing(draftOf(p))} aria-label={`Edit ${p.name}`}>
                      Edit
                    </button>
                    <ConfirmStep
                      label={`Remove ${p.name}`}
                      buttonText="Remove…"
                      danger
                      confirmLabel={`Remove ${p.name}`}
                      preview={async () => `Removes the quality profile "${p.name}" (${p.id}).`}
                      confirm={async () => {
                        await api(`${PATH}/${encodeURIComponent(p.id)}`, { method: 'DELETE' });
                        if (editing?.id === p.id) setEditing(undefined);
                        list.reload();
                        return 'Removed.';
                      }}
                    />
                  </div>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {editing ? (
        <ProfileForm
          key={editing.id ?? 'new'}
          draft={editing}
          onDone={() => {
            setEditing(undefined);
            list.reload();
          }}
          onCancel={() => setEditing(undefined)}
        />
      ) : (
        <div className="row">
          <button type="button" className="primary" onClick={() => setEditing(draftOf(undefined))}>
            New profile
          </button>
        </div>
      )}
      <ConfirmStep
        label="Reset to the default profiles"
        danger
        preview={async () =>
          `Replaces all ${profiles.length} profiles with the four built-in ones (HD-1080p, Ultra HD / 4K, Any Quality, SD Only); profiles you made are removed.`
        }
        confirm={async () => {
          await api(`${PATH}/reset`, { method: 'POST' });
          list.reload();
          return 'The default profiles are back.';
        }}
      />
    </div>
  );
}

function ProfileForm({ draft, onDone, onCancel }: { draft: Draft; onDone: () => void; onCancel: () => void }) {
  const [d, setD] = useState(draft);
  const allowed = d.qualities.filter((q) => q.allowed).map((q) => q.quality);
  const save = useAction(async () => {
    if (!d.name.trim()) throw new Error('Name: a profile needs a name');
    if (allowed.length === 0) throw new Error('Qualities: allow at least one quality');
    if (!allowed.includes(d.cutoff)) throw new Error(`Cutoff: "${d.cutoff || '(none)'}" is not one of the allowed qualities (${allowed.join(', ')})`);
    const body = { name: d.name.trim(), upgradeAllowed: d.upgradeAllowed, cutoff: d.cutoff, qualities: d.qualities };
    if (d.id) await api(`${PATH}/${encodeURIComponent(d.id)}`, { method: 'PATCH', body });
    else await api(`${PATH}/new`, { body });
    onDone();
  });
  const setQuality = (i: number, change: Partial<QualityRow>) =>
    setD({ ...d, qualities: d.qualities.map((q, j) => (j === i ? { ...q, ...change, ...(change.allowed === false ? { preferred: false } : {}) } : q)) });
  const title = d.id ? `Edit ${draft.name}` : 'New quality profile';
  return (
    <form
      className="stack card"
      aria-label={title}
      onSubmit={(e: FormEvent) => {
        e.preventDefault();
        void save.run();
      }}
    >
      <h2>{title}</h2>
      <div className="form-grid">
        <Field label="Name">
          <input name="profile-name" required value={d.name} onChange={(e) => setD({ ...d, name: e.target.value })} />
        </Field>
        <Field label="Cutoff" hint="Once a file of this quality is there, no upgrade is searched for.">
          <select name="profile-cutoff" value={d.cutoff} onChange={(e) => setD({ ...d, cutoff: e.target.value })}>
            {allowed.includes(d.cutoff) ? null : <option value={d.cutoff}>{d.cutoff || 'choose'}</option>}
            {allowed.map((q) => (
              <option key={q} value={q}>
                {q}
              </option>
            ))}
          </select>
        </Field>
        <Field label="Upgrade to better releases" inline>
          <input type="checkbox" name="profile-upgrade" checked={d.upgradeAllowed} onChange={(e) => setD({ ...d, upgradeAllowed: e.target.checked })} />
        </Field>
      </div>
      <fieldset>
        <legend>Qualities, best first</legend>
        <table>
          <thead>
            <tr>
              <th scope="col">Quality</th>
              <th scope="col">Allowed</th>
              <th scope="col">Preferred</th>
            </tr>
          </thead>
          <tbody>
            {d.qualities.map((q, i) => (
              <tr key={q.quality}>
                <th scope="row">{q.quality}</th>
                <td>
                  <input type="checkbox" aria-label={`Allow ${q.quality}`} checked={q.allowed} onChange={(e) => setQuality(i, { allowed: e.target.checked })} />
                </td>
                <td>
                  <input
                    type="checkbox"
                    aria-label={`Prefer ${q.quality}`}
                    checked={q.preferred}
                    disabled={!q.allowed}
                    onChange={(e) => setQuality(i, { preferred: e.target.checked })}
                  />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </fieldset>
      <ActionRow action={save} busyLabel="Saving…">
        <button type="submit" className="primary" disabled={save.busy}>
          {d.id ? 'Save profile' : 'Create profile'}
        </button>
        <button type="button" onClick={onCancel} disabled={save.busy}>
          Cancel
        </button>
      </ActionRow>
    </form>
  );
}

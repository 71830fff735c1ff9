import { api } from '../../api/client';
import { Busy, ErrorNote } from '../../components/status';
import { useAction, useAsync } from '../../components/use-async';

interface Profile {
  id: string;
  name: string;
  cutoff: string;
  upgradeAllowed?: boolean;
  qualities: { quality: string; allowed: boolean; preferred?: boolean }[];
}

/** Quality profiles: what each allows, its cutoff; remove one; reset to the defaults. */
export function QualitySettings() {
  const list = useAsync((signal) => api<{ profiles: Profile[] }>('/api/settings/quality-profiles', { signal }), []);
  const act = useAction(async (fn: () => Promise<unknown>) => {
    await fn();
    list.reload();
  });
  return (
    <div className="stack">
      <ErrorNote error={list.error ?? act.error} />
      <div className="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">Profile</th>
              <th scope="col">Allowed qualities</th>
              <th scope="col">Cutoff</th>
              <th scope="col">Upgrades</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {(list.data?.profiles ?? []).map((p) => (
              <tr key={p.id}>
                <td>{p.name}</td>
                <td>
                  {p.qualities
                    .filter((q) => q.allowed)
                    .map((q) => q.quality)
                    .join(', ')}
                </td>
                <td>{p.cutoff}</td>
                <td>{p.upgradeAllowed === false ? 'No' : 'Yes'}</td>
                <td>
                  <button
                    type="button"
                    className="danger"
                    onClick={() => act.run(() => api(`/api/settings/quality-profiles/${encodeURIComponent(p.id)}`, { method: 'DELETE' }))}
                  >
                    Remove
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <div className="row">
        <button type="button" onClick={() => act.run(() => api('/api/settings/quality-profiles/reset', { method: 'POST' }))} disabled={act.busy}>
          Reset to the default profiles
        </button>
        <Busy active={act.busy} />
      </div>
    </div>
  );
}

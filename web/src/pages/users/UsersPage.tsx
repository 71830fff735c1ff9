import { type FormEvent, useState } from 'react';
import { api, type UserInfo } from '../../api/client';
import { formatDate } from '../../api/types';
import { ActionRow, ConfirmStep, Field } from '../../components/form';
import { ErrorNote, Notice, PageHeader } from '../../components/status';
import { useAction } from '../../components/use-action';
import { useAsync } from '../../components/use-async';

interface ListedUser extends UserInfo {
  lastLoginAt?: string;
}

/** Users (admin): list, add, change role, disable, remove, end sessions. */
export function UsersPage({ user }: { user: UserInfo }) {
  const list = useAsync((signal) => api<{ users: ListedUser[] }>('/api/users', { signal }), []);
  const act = useAction(
    async (what: () => Promise<string>) => {
      const message = await what();
      list.reload();
      return message;
    },
    { done: (message) => message },
  );
  if (user.role !== 'admin') return <Notice>Only an admin can manage users.</Notice>;
  return (
    <section>
      <PageHeader title="Users" />
      <AddUser onAdded={list.reload} />
      <ErrorNote error={list.error} />
      {/* what the last change in the table did, or why it failed */}
      <ActionRow action={act} />
      <div className="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">Email</th>
              <th scope="col">Role</th>
              <th scope="col">Status</th>
              <th scope="col">Last login</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {(list.data?.users ?? []).map((u) => (
              <tr key={u.id}>
                <td>{u.email}</td>
                <td>
                  <select
                    aria-label={`Role of ${u.email}`}
                    value={u.role}
                    disabled={act.busy}
                    onChange={(e) =>
                      act.run(async () => {
                        await api(`/api/users/${u.id}`, { method: 'PATCH', body: { role: e.target.value } });
                        return `${u.email} is now ${e.target.value}.`;
                      })
                    }
                  >
                    <option value="user">user</option>
                    <option value="admin">admin</option>
                  </select>
                </td>
                <td>{u.disabled ? 'Disabled' : 'Active'}</td>
                <td>{formatDate(u.lastLoginAt)}</td>
                <td className="row">
                  <button
                    type="button"
                    disabled={act.busy}
                    onClick={() =>
                      act.run(async () => {
                        await api(`/api/users/${u.id}`, { method: 'PATCH', body: { disabled: !u.disabled } });
                        return `${u.email} ${u.disabled ? 'enabled' : 'disabled'}.`;
                      })
                    }
                  >
                    {u.disabled ? 'Enable' : 'Disable'}
                  </button>
                  <button
                    type="button"
                    disabled={act.busy}
                    onClick={() =>
                      act.run(async () => {
                        const r = await api<{ revoked: number }>(`/api/users/${u.id}/sessions/revoke`, { method: 'POST' });
                        return `${r.revoked} session(s) of ${u.email} ended.`;
                      })
                    }
                  >
                    End sessions
                  </button>
                  {u.id !== user.id ? (
                    <ConfirmStep
                      label={`Remove ${u.email}`}
                      buttonText="Remove…"
                      confirmLabel={`Remove ${u.email}`}
                      danger
                      preview={async () => `Removes the account ${u.email} (${u.role}); its sessions end now. Its audit entries are kept.`}
                      confirm={async () => {
                        await api(`/api/users/${u.id}`, { method: 'DELETE' });
                        list.reload();
                        return `${u.email} removed.`;
                      }}
                    />
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function AddUser({ onAdded }: { onAdded: () => void }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [role, setRole] = useState('user');
  const add = useAction(async () => {
    const r = await api<{ user: UserInfo }>('/api/auth/register', { body: { email: email.trim(), password } });
    if (role === 'admin') await api(`/api/users/${r.user.id}`, { method: 'PATCH', body: { role: 'admin' } });
    setEmail('');
    setPassword('');
    onAdded();
  });
  return (
    <form
      className="card stack"
      aria-label="Add a user"
      onSubmit={(e: FormEvent) => {
        e.preventDefault();
        void add.run();
      }}
    >
      <h2>Add a user</h2>
      <div className="form-grid">
        <Field label="Email">
          <input name="new-email" type="email" required autoComplete="off" value={email} onChange={(e) => setEmail(e.target.value)} />
        </Field>
        <Field label="Password">
          <input name="new-password" type="password" required autoComplete="new-password" value={password} onChange={(e) => setPassword(e.target.value)} />
        </Field>
        <Field label="Role">
          <select name="role" value={role} onChange={(e) => setRole(e.target.value)}>
            <option value="user">user</option>
            <option value="admin">admin</option>
          </select>
        </Field>
      </div>
      <ActionRow action={add} busyLabel="Adding…">
        <button type="submit" className="primary" disabled={add.busy}>
          Add user
        </button>
      </ActionRow>
    </form>
  );
}

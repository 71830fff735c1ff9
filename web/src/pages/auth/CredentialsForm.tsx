import { type FormEvent, useState } from 'react';
import { Busy, ErrorNote } from '../../components/status';

/** Email + password form shared by the first-run and login pages. */
export function CredentialsForm({
  submitLabel,
  busyLabel,
  newPassword,
  onSubmit,
}: {
  submitLabel: string;
  busyLabel: string;
  newPassword?: boolean;
  onSubmit: (email: string, password: string) => Promise<unknown>;
}) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await onSubmit(email.trim(), password);
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  }
  return (
    <form className="stack" onSubmit={submit}>
      <label>
        Email
        <input type="email" name="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.target.value)} />
      </label>
      <label>
        Password
        <input
          type="password"
          name="password"
          autoComplete={newPassword ? 'new-password' : 'current-password'}
          required
          minLength={newPassword ? 8 : undefined}
          value={password}
          onChange={(e) => setPassword(e.target.value)}
        />
      </label>
      <ErrorNote error={error} />
      <div className="row">
        <button type="submit" className="primary" disabled={busy}>
          {submitLabel}
        </button>
        <Busy active={busy} label={busyLabel} />
      </div>
    </form>
  );
}

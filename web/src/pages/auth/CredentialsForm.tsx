import { type FormEvent, useState } from 'react';
import { ActionRow, Field } from '../../components/form';
import { useAction } from '../../components/use-action';

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
  const submit = useAction(() => onSubmit(email.trim(), password));
  return (
    <form
      className="stack"
      onSubmit={(e: FormEvent) => {
        e.preventDefault();
        void submit.run();
      }}
    >
      <Field label="Email">
        <input type="email" name="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.target.value)} />
      </Field>
      <Field label="Password">
        <input
          type="password"
          name="password"
          autoComplete={newPassword ? 'new-password' : 'current-password'}
          required
          minLength={newPassword ? 8 : undefined}
          value={password}
          onChange={(e) => setPassword(e.target.value)}
        />
      </Field>
      <ActionRow action={submit} busyLabel={busyLabel}>
        <button type="submit" className="primary" disabled={submit.busy}>
          {submitLabel}
        </button>
      </ActionRow>
    </form>
  );
}

import { login } from '../../api/client';
import { CredentialsForm } from './CredentialsForm';

export function LoginPage() {
  return (
    <main className="center">
      <section className="card narrow" aria-labelledby="login-title">
        <h1 id="login-title">Sign in to MediaOS</h1>
        <CredentialsForm submitLabel="Sign in" busyLabel="Signing in…" onSubmit={login} />
      </section>
    </main>
  );
}

import { registerFirstAdmin } from '../../api/client';
import { CredentialsForm } from './CredentialsForm';

/** No user exists yet: the first account registered becomes the admin. */
export function FirstRunPage({ onDone }: { onDone: () => void }) {
  return (
    <main className="center">
      <section className="card narrow" aria-labelledby="setup-title">
        <h1 id="setup-title">Welcome to MediaOS</h1>
        <p>Create the administrator account. You can add other users later from the Users page.</p>
        <CredentialsForm
          submitLabel="Create admin account"
          busyLabel="Creating…"
          newPassword
          onSubmit={async (email, password) => {
            await registerFirstAdmin(email, password);
            onDone();
          }}
        />
      </section>
    </main>
  );
}

import { useEffect, useState } from 'react';
import { Navigate, Route, Routes } from 'react-router';
import { api, onSessionChange, resumeSession, type UserInfo } from './api/client';
import { ErrorNote } from './components/status';
import { ActivityPage } from './pages/activity/ActivityPage';
import { FirstRunPage } from './pages/auth/FirstRunPage';
import { LoginPage } from './pages/auth/LoginPage';
import { CalendarPage } from './pages/calendar/CalendarPage';
import { ItemPage } from './pages/library/ItemPage';
import { LibraryPage } from './pages/library/LibraryPage';
import { SettingsPage } from './pages/settings/SettingsPage';
import { SystemPage } from './pages/system/SystemPage';
import { UsersPage } from './pages/users/UsersPage';
import { WantedPage } from './pages/wanted/WantedPage';
import { Shell } from './Shell';

type Boot = { phase: 'loading' } | { phase: 'error'; error: unknown } | { phase: 'setup' } | { phase: 'ready' };

interface AuthStatus {
  hasUsers: boolean;
  requiresSetup: boolean;
}

/** Boots the session (first run, stored login, or the login page), then the app shell. */
export function App() {
  const [boot, setBoot] = useState<Boot>({ phase: 'loading' });
  const [user, setUser] = useState<UserInfo | null>(null);

  useEffect(() => onSessionChange(setUser), []);
  useEffect(() => {
    let cancelled = false;
    (async () => {
      const status = await api<AuthStatus>('/api/auth/status', { auth: false });
      if (status.requiresSetup) return setBoot({ phase: 'setup' });
      setUser(await resumeSession());
      setBoot({ phase: 'ready' });
    })().catch((error: unknown) => {
      if (!cancelled) setBoot({ phase: 'error', error });
    });
    return () => {
      cancelled = true;
    };
  }, []);

  if (boot.phase === 'loading') {
    return (
      <main className="center" aria-busy="true">
        <p className="muted">Loading MediaOS…</p>
      </main>
    );
  }
  if (boot.phase === 'error') {
    return (
      <main className="center">
        <h1>MediaOS</h1>
        <ErrorNote error={boot.error} />
      </main>
    );
  }
  if (boot.phase === 'setup' && !user) return <FirstRunPage onDone={() => setBoot({ phase: 'ready' })} />;
  if (!user) return <LoginPage />;
  return (
    <Shell user={user}>
      <Routes>
        <Route path="/" element={<Navigate to="/library" replace />} />
        <Route path="/library" element={<LibraryPage user={user} />} />
        <Route path="/library/:id" element={<ItemPage user={user} />} />
        <Route path="/wanted" element={<WantedPage user={user} />} />
        <Route path="/activity" element={<ActivityPage />} />
        <Route path="/calendar" element={<CalendarPage />} />
        <Route path="/settings/*" element={<SettingsPage user={user} />} />
        <Route path="/users" element={<UsersPage user={user} />} />
        <Route path="/system/*" element={<SystemPage user={user} />} />
        <Route path="*" element={<NotFound />} />
      </Routes>
    </Shell>
  );
}

function NotFound() {
  return (
    <section>
      <h1>Page not found</h1>
      <p>
        Nothing lives at this address. <a href="/library">Go to the library</a>.
      </p>
    </section>
  );
}

import { type ReactNode, useState } from 'react';
import { NavLink } from 'react-router';
import { logout, type UserInfo } from './api/client';
import { Busy } from './components/status';

const NAV: { to: string; label: string; adminOnly?: boolean }[] = [
  { to: '/library', label: 'Library' },
  { to: '/wanted', label: 'Wanted' },
  { to: '/activity', label: 'Activity' },
  { to: '/calendar', label: 'Calendar' },
  { to: '/settings', label: 'Settings' },
  { to: '/users', label: 'Users', adminOnly: true },
  { to: '/system', label: 'System' },
];

/** The app frame: skip link, navigation (a top bar that scrolls on phones), account and logout. */
export function Shell({ user, children }: { user: UserInfo; children: ReactNode }) {
  const [leaving, setLeaving] = useState(false);
  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <a className="brand" href="/library" aria-label="MediaOS home">
          MediaOS
        </a>
        <nav aria-label="Main">
          <ul>
            {NAV.filter((n) => !n.adminOnly || user.role === 'admin').map((n) => (
              <li key={n.to}>
                <NavLink to={n.to}>{n.label}</NavLink>
              </li>
            ))}
          </ul>
        </nav>
        <div className="account">
          <span className="muted" title={user.email}>
            {user.email}
          </span>
          <button
            type="button"
            disabled={leaving}
            onClick={async () => {
              setLeaving(true);
              await logout();
            }}
          >
            Log out
          </button>
          <Busy active={leaving} label="Signing out…" />
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        {children}
      </main>
    </div>
  );
}

import { NavLink, Route, Routes } from 'react-router';
import type { UserInfo } from '../../api/client';
import { api } from '../../api/client';
import { ErrorNote, PageHeader } from '../../components/status';
import { useAsync } from '../../components/use-async';
import { AuditLog } from './AuditLog';
import { BackupsPanel } from './BackupsPanel';
import { JobsPanel } from './JobsPanel';
import { MigrationConsole } from './MigrationConsole';

interface Health {
  ok: boolean;
  version?: string;
  storagePhase?: string;
  db?: {
    engine?: string;
    schemaVersion?: number;
    journalMode?: string;
    serverVersion?: string;
    pool?: { size: number; idle: number; waiting: number; max: number };
  };
}

const TABS = [
  { to: '/system', label: 'Health and migration', end: true },
  { to: '/system/backups', label: 'Backups' },
  { to: '/system/jobs', label: 'Jobs' },
  { to: '/system/audit', label: 'Audit log' },
];

/** System: health and the migration console; for admins also backups, jobs and the audit log. */
export function SystemPage(props: { user: UserInfo }) {
  const admin = props.user.role === 'admin';
  return (
    <section>
      <PageHeader title="System" />
      {admin ? (
        <nav className="tabs" aria-label="System sections">
          {TABS.map((t) => (
            <NavLink key={t.to} to={t.to} end={t.end}>
              {t.label}
            </NavLink>
          ))}
        </nav>
      ) : null}
      <Routes>
        <Route index element={<Overview admin={admin} />} />
        {admin ? (
          <>
            <Route path="backups" element={<BackupsPanel />} />
            <Route path="jobs" element={<JobsPanel />} />
            <Route path="audit" element={<AuditLog />} />
          </>
        ) : null}
        <Route path="*" element={<Overview admin={admin} />} />
      </Routes>
    </section>
  );
}

function Overview({ admin }: { admin: boolean }) {
  const health = useAsync((signal) => api<Health>('/api/health', { signal, auth: false }), []);
  return (
    <>
      <ErrorNote error={health.error} />
      <dl className="facts" aria-busy={health.loading}>
        <dt>Status</dt>
        <dd>{health.data ? (health.data.ok ? 'Healthy' : 'Degraded') : '…'}</dd>
        <dt>Version</dt>
        <dd>{health.data?.version ?? '…'}</dd>
        <dt>Engine</dt>
        <dd>{health.data?.db?.engine ?? '…'}</dd>
        <dt>Schema version</dt>
        <dd>{health.data?.db?.schemaVersion ?? '…'}</dd>
        <dt>Storage phase</dt>
        <dd>{health.data?.storagePhase ?? '…'}</dd>
        <dt>Journal mode</dt>
        <dd>{health.data?.db?.journalMode ?? '…'}</dd>
        <dt>Connection pool</dt>
        <dd>
          {health.data?.db?.pool
            ? `${health.data.db.pool.size} of ${health.data.db.pool.max} open, ${health.data.db.pool.idle} idle, ${health.data.db.pool.waiting} waiting`
            : health.data
              ? 'one connection (SQLite)'
              : '…'}
        </dd>
      </dl>
      {admin && <MigrationConsole />}
    </>
  );
}

import type { UserInfo } from '../../api/client';
import { api } from '../../api/client';
import { ErrorNote, PageHeader } from '../../components/status';
import { useAsync } from '../../components/use-async';
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

/** System: server health. The migration console and backups pages live under pages/system/ too. */
export function SystemPage(props: { user: UserInfo }) {
  const health = useAsync((signal) => api<Health>('/api/health', { signal, auth: false }), []);
  return (
    <section>
      <PageHeader title="System" />
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
      {props.user.role === 'admin' && <MigrationConsole />}
    </section>
  );
}

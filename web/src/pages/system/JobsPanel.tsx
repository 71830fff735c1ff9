import { useEffect, useRef, useState } from 'react';
import { api } from '../../api/client';
import { formatDate } from '../../api/types';
import { ActionRow, Field } from '../../components/form';
import { ErrorNote, Notice } from '../../components/status';
import { useAction } from '../../components/use-action';
import { useAsync } from '../../components/use-async';
import { useLiveEvents } from '../../components/use-live-events';

interface Job {
  id: string;
  type: string;
  status: 'queued' | 'running' | 'completed' | 'failed';
  attempts: number;
  maxAttempts: number;
  runAt: string;
  lockedBy?: string;
  error?: string;
  createdAt: string;
  updatedAt: string;
}

const STATUSES = ['failed', 'queued', 'running', 'completed'] as const;

/** The background job queue: by status, retry a failed job, cancel a queued or running one. */
export function JobsPanel() {
  const [status, setStatus] = useState<string>('');
  const jobs = useAsync((signal) => api<{ jobs: Job[] }>(`/api/system/jobs?limit=200${status ? `&status=${status}` : ''}`, { signal }), [status]);
  const list = jobs.data?.jobs ?? [];
  // live: a job queued, started, finished or failed reloads the list (at most every 300 ms)
  const pending = useRef<ReturnType<typeof setTimeout>>(undefined);
  const live = useLiveEvents((type) => {
    if (type === 'job.progress' || type === 'queue.progress' || pending.current) return;
    pending.current = setTimeout(() => {
      pending.current = undefined;
      jobs.reload();
    }, 300);
  });
  useEffect(() => () => clearTimeout(pending.current), []);
  // one action for the table: a retried or cancelled job may leave the filtered list, so what
  // happened (or why not) is said above the table, not in the row
  const act = useAction(
    async (what: 'retry' | 'cancel', j: Job) => {
      const r = await api<{ job: Job }>(`/api/system/jobs/${encodeURIComponent(j.id)}/${what}`, { method: 'POST' });
      jobs.reload();
      return `${j.type} job ${j.id} ${what === 'retry' ? 'queued again' : 'cancelled'} (now ${r.job.status}).`;
    },
    { done: (message) => message },
  );
  return (
    <section aria-labelledby="jobs-title" className="stack">
      <h2 id="jobs-title">Jobs</h2>
      <p className="muted">
        Everything that takes time (searches, imports, scans, checks, upkeep) runs as a job on the database queue. A job that failed all its attempts can be
        queued again; a queued or running one can be cancelled (a running one stops at its next heartbeat).
      </p>
      <div className="filters">
        <Field label="Status">
          <select name="job-status" value={status} onChange={(e) => setStatus(e.target.value)}>
            <option value="">all</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </Field>
        <button type="button" onClick={jobs.reload} disabled={jobs.loading}>
          Refresh
        </button>
        <span className="muted" data-testid="jobs-live">
          {live === 'live' ? 'Live' : live === 'connecting' ? 'Connecting…' : 'Not live (Refresh by hand)'}
        </span>
      </div>
      <ErrorNote error={jobs.error} />
      <ActionRow action={act} busyLabel="Working…" />
      <div className="table-wrap" aria-busy={jobs.loading}>
        <table>
          <caption className="sr-only">Jobs, newest first</caption>
          <thead>
            <tr>
              <th scope="col">Job</th>
              <th scope="col">Status</th>
              <th scope="col">Attempts</th>
              <th scope="col">Updated</th>
              <th scope="col">Last error</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {list.map((j) => (
              <JobRow key={j.id} job={j} busy={act.busy} onAction={(what) => act.run(what, j)} />
            ))}
          </tbody>
        </table>
      </div>
      {jobs.data && list.length === 0 ? <Notice>{status ? `No ${status} jobs.` : 'No jobs.'}</Notice> : null}
    </section>
  );
}

function JobRow({ job: j, busy, onAction }: { job: Job; busy: boolean; onAction: (what: 'retry' | 'cancel') => void }) {
  return (
    <tr data-testid="job-row" data-id={j.id}>
      <td>
        {j.type}
        <br />
        <small className="muted">{j.id}</small>
      </td>
      <td className={`status-${j.status}`}>{j.status}</td>
      <td>
        {j.attempts} of {j.maxAttempts}
      </td>
      <td>{formatDate(j.status === 'queued' ? j.runAt : j.updatedAt)}</td>
      <td>{j.error ?? '—'}</td>
      <td>
        <div className="row">
          {j.status === 'failed' ? (
            <button type="button" onClick={() => onAction('retry')} disabled={busy} aria-label={`Retry ${j.type} job ${j.id}`}>
              Retry
            </button>
          ) : null}
          {j.status === 'queued' || j.status === 'running' ? (
            <button type="button" className="danger" onClick={() => onAction('cancel')} disabled={busy} aria-label={`Cancel ${j.type} job ${j.id}`}>
              Cancel
            </button>
          ) : null}
        </div>
      </td>
    </tr>
  );
}

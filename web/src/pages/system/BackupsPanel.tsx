import { useState } from 'react';
import { api, downloadFile } from '../../api/client';
import { formatBytes, formatDate } from '../../api/types';
import { ActionRow, ConfirmStep } from '../../components/form';
import { ErrorNote, Notice } from '../../components/status';
import { useAction } from '../../components/use-action';
import { useAsync } from '../../components/use-async';

interface RestoreRequest {
  name: string;
  createdAt: string;
  requestedAt: string;
}
interface RestoreOutcome {
  name: string;
  at: string;
  ok: boolean;
  message: string;
  preRestoreBackup?: string;
}
interface Listing {
  backups: Backup[];
  restoreOnStart: RestoreRequest | null;
  lastRestore: RestoreOutcome | null;
}

export interface Backup {
  name: string;
  kind: string;
  format: 'archive' | 'sqlite';
  size: number;
  createdAt: string;
  engine?: string;
  schemaVersion?: number;
}

const KIND_LABEL: Record<string, string> = {
  scheduled: 'scheduled',
  manual: 'made by hand',
  'pre-migration': 'before a schema migration',
  'pre-import': 'before an import',
  'pre-restore': 'before a restore',
};

/**
 * Backups: the list the server keeps in <data>/backups, make one now, download one, restore one
 * (the server cannot swap its own database while it runs: the restore is done at its next start).
 */
export function BackupsPanel() {
  const list = useAsync((signal) => api<Listing>('/api/system/backups', { signal }), []);
  const [made, setMade] = useState<string>();
  const make = useAction(
    async () => {
      const r = await api<{ backup: Backup }>('/api/system/backups', { method: 'POST' });
      setMade(r.backup.name);
      list.reload();
      return r.backup;
    },
    { done: (b) => `Backup made: ${b.name} (${formatBytes(b.size)}).` },
  );
  const backups = list.data?.backups ?? [];
  return (
    <section aria-labelledby="backups-title" className="stack">
      <h2 id="backups-title">Backups</h2>
      <p className="muted">
        An archive holds a consistent copy of the database, the data dir's <code>secrets.json</code> (the keys of stored passwords) and a manifest with
        checksums. Keep downloaded copies where only the MediaOS admin can read them.
      </p>
      <ActionRow action={make} busyLabel="Making a backup (copying the database)…">
        <button type="button" className="primary" onClick={() => make.run()} disabled={make.busy}>
          Make a backup now
        </button>
      </ActionRow>
      {make.busy ? (
        <progress className="progress" aria-label="Backup in progress">
          making a backup
        </progress>
      ) : null}
      <ErrorNote error={list.error} />
      {list.data ? <RestoreState pending={list.data.restoreOnStart} last={list.data.lastRestore} onChange={list.reload} /> : null}
      <div className="table-wrap" aria-busy={list.loading}>
        <table>
          <caption className="sr-only">Backups, newest first</caption>
          <thead>
            <tr>
              <th scope="col">Made</th>
              <th scope="col">Kind</th>
              <th scope="col">Size</th>
              <th scope="col">Database</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {backups.map((b) => (
              <BackupRow key={b.name} backup={b} fresh={b.name === made} onRestoreAsked={list.reload} />
            ))}
          </tbody>
        </table>
      </div>
      {list.data && backups.length === 0 ? <Notice>No backups yet.</Notice> : null}
    </section>
  );
}

function BackupRow({ backup: b, fresh, onRestoreAsked }: { backup: Backup; fresh: boolean; onRestoreAsked: () => void }) {
  const download = useAction(async () => downloadFile(`/api/system/backups/${encodeURIComponent(b.name)}`, b.name), {
    done: (size) => `Downloaded (${formatBytes(size)}).`,
  });
  const restorePath = `/api/system/backups/${encodeURIComponent(b.name)}/restore`;
  return (
    <tr data-testid="backup-row" data-name={b.name} aria-current={fresh ? 'true' : undefined}>
      <td>
        <span title={b.name}>{formatDate(b.createdAt)}</span>
        <br />
        <small className="muted">{b.name}</small>
      </td>
      <td>{KIND_LABEL[b.kind] ?? b.kind}</td>
      <td>{formatBytes(b.size)}</td>
      <td>{b.format === 'archive' ? `${b.engine ?? '?'}, schema ${b.schemaVersion ?? '?'}` : 'SQLite file copy'}</td>
      <td>
        <ActionRow action={download} busyLabel="Downloading…">
          <button type="button" onClick={() => download.run()} disabled={download.busy} aria-label={`Download ${b.name}`}>
            Download
          </button>
        </ActionRow>
        {b.format === 'archive' ? (
          <ConfirmStep
            label={`Restore ${b.name}`}
            buttonText="Restore…"
            confirmLabel="Restore at the next start"
            danger
            preview={async () => (await api<{ summary: string }>(restorePath, { body: {} })).summary}
            confirm={async () => {
              const r = await api<{ summary: string }>(restorePath, { body: { confirm: true } });
              onRestoreAsked();
              return r.summary;
            }}
          />
        ) : (
          <small className="muted">restored by hand (docs/operations.md)</small>
        )}
      </td>
    </tr>
  );
}

/** The restore asked for (done when MediaOS starts next), and what the last start did with one. */
function RestoreState({ pending, last, onChange }: { pending: RestoreRequest | null; last: RestoreOutcome | null; onChange: () => void }) {
  const withdraw = useAction(
    async () => {
      await api('/api/system/backups/restore', { method: 'DELETE' });
      onChange();
    },
    { done: 'The restore will not happen.' },
  );
  return (
    <>
      {pending ? (
        <section className="confirm" aria-label="Restore at the next start">
          <p>
            <strong>Restore asked for:</strong> {pending.name} (the database of {formatDate(pending.createdAt)}), asked for at {formatDate(pending.requestedAt)}
            . It happens when MediaOS is restarted; until then nothing changes.
          </p>
          <ActionRow action={withdraw} busyLabel="Withdrawing…">
            <button type="button" onClick={() => withdraw.run()} disabled={withdraw.busy}>
              Withdraw the restore
            </button>
          </ActionRow>
        </section>
      ) : withdraw.done ? (
        <Notice>{withdraw.done}</Notice>
      ) : null}
      {last ? (
        <p className={last.ok ? 'ok' : 'error'} data-testid="last-restore">
          {`Last restore at start (${formatDate(last.at)}): ${last.message}`}
          {last.preRestoreBackup ? `. The database before it is kept as ${last.preRestoreBackup}.` : ''}
        </p>
      ) : null}
    </>
  );
}

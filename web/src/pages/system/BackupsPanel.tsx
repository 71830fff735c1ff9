import { useState } from 'react';
import { api, downloadFile } from '../../api/client';
import { formatBytes, formatDate } from '../../api/types';
import { ActionRow } from '../../components/form';
import { ErrorNote, Notice } from '../../components/status';
import { useAction } from '../../components/use-action';
import { useAsync } from '../../components/use-async';

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

/** Backups: the list the server keeps in <data>/backups, make one now, download one, restore one. */
export function BackupsPanel() {
  const list = useAsync((signal) => api<{ backups: Backup[] }>('/api/system/backups', { signal }), []);
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
              <BackupRow key={b.name} backup={b} fresh={b.name === made} />
            ))}
          </tbody>
        </table>
      </div>
      {list.data && backups.length === 0 ? <Notice>No backups yet.</Notice> : null}
    </section>
  );
}

function BackupRow({ backup: b, fresh }: { backup: Backup; fresh: boolean }) {
  const download = useAction(async () => downloadFile(`/api/system/backups/${encodeURIComponent(b.name)}`, b.name), {
    done: (size) => `Downloaded (${formatBytes(size)}).`,
  });
  const [restoring, setRestoring] = useState(false);
  return (
    <>
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
            <button type="button" onClick={() => setRestoring(!restoring)} aria-expanded={restoring} aria-label={`Restore ${b.name}…`}>
              Restore…
            </button>
          </ActionRow>
        </td>
      </tr>
      {restoring ? (
        <tr>
          <td colSpan={5}>
            <RestoreSteps backup={b} onClose={() => setRestoring(false)} />
          </td>
        </tr>
      ) : null}
    </>
  );
}

/**
 * What a restore does, before it is done. The database cannot be swapped under a running server
 * (`mediaos restore` refuses while one is announced), so the restore itself runs from the
 * command line with the server stopped: this says exactly what it will do and which command.
 */
function RestoreSteps({ backup: b, onClose }: { backup: Backup; onClose: () => void }) {
  const file = `<data dir>/backups/${b.name}`;
  const command = b.format === 'archive' ? `mediaos restore ${file}` : null;
  return (
    <div
      role="alertdialog"
      aria-labelledby={`restore-${b.name}`}
      className="confirm"
      onKeyDown={(e) => {
        if (e.key === 'Escape') onClose();
      }}
    >
      <p className="confirm-title" id={`restore-${b.name}`}>
        Restore the backup of {formatDate(b.createdAt)}: what it will do
      </p>
      {command ? (
        <ol>
          <li>
            Replace <strong>everything</strong> in the database (library, wanted, users, settings, jobs) with its state at {formatDate(b.createdAt)}
            {b.schemaVersion !== undefined ? ` (schema version ${b.schemaVersion}; an older one is migrated at the next start)` : ''}. Changes made since then
            are lost.
          </li>
          <li>First check every member's size and checksum against the manifest; a damaged or newer archive changes nothing.</li>
          <li>Keep the current database as a "before a restore" backup in this list, so the restore can be undone the same way.</li>
          <li>Put the archive's secrets.json back into the data dir.</li>
        </ol>
      ) : (
        <p>This is a plain SQLite copy taken before a schema migration: it is restored by copying it over the database file.</p>
      )}
      <p>
        The server cannot replace its own database while it runs, so the restore is done with the server stopped: <strong>stop MediaOS</strong>, then run with
        the same environment as the server:
      </p>
      <pre>
        <code>{command ?? `cp ${file} <the database file>  # then delete the database's -wal and -shm files`}</code>
      </pre>
      <p>then start MediaOS again. Steps and undo: docs/operations.md, "Backups and restore".</p>
      <div className="row">
        <button type="button" onClick={onClose}>
          Close
        </button>
      </div>
    </div>
  );
}

import { useState } from 'react';
import { api } from '../../api/client';
import { ActionRow, Field, ConfirmStep as Step } from '../../components/form';
import { ErrorNote, Notice } from '../../components/status';
import { useAction } from '../../components/use-action';
import { useAsync } from '../../components/use-async';
import { QuarantineViewer } from './QuarantineViewer';

interface FileReport {
  file: string;
  exists: boolean;
  read: number;
  imported: number;
  quarantined: number;
  inserted: number;
  updated: number;
  deleted: number;
  unchanged: number;
}
interface Report {
  dryRun: boolean;
  files: FileReport[];
  quarantine: { file: string; locator: string; reason: string }[];
  warnings: { file: string; locator: string; from: string; to: string }[];
}
interface Status {
  engine: string;
  phase: { effective: string; recorded?: string };
  schemaVersion: { current: number; latest: number };
  configDir: string;
  lastImport: { id: string; sourceDir: string; finishedAt: string | null; exitCode: number } | null;
  pendingFileSync: string[];
  quarantined: number;
}
interface Preview {
  preview: boolean;
  summary: string;
}

const PHASES = ['files', 'dual-read-files', 'dual-read-db', 'db'] as const;

function ReportTable({ report }: { report: Report }) {
  return (
    <>
      <table className="report">
        <caption>{report.dryRun ? 'Dry run: what an import would do' : 'Last import'}</caption>
        <thead>
          <tr>
            <th scope="col">File</th>
            <th scope="col">Read</th>
            <th scope="col">Imported</th>
            <th scope="col">Quarantined</th>
            <th scope="col">New</th>
            <th scope="col">Changed</th>
            <th scope="col">Removed</th>
          </tr>
        </thead>
        <tbody>
          {report.files.map((f) => (
            <tr key={f.file}>
              <th scope="row">{f.file + (f.exists ? '' : ' (absent)')}</th>
              <td>{f.read}</td>
              <td>{f.imported}</td>
              <td>{f.quarantined}</td>
              <td>{f.inserted}</td>
              <td>{f.updated}</td>
              <td>{f.deleted}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {report.warnings.length > 0 && (
        <ul aria-label="Warnings">
          {report.warnings.map((w) => (
            <li key={w.locator}>{`${w.file} ${w.locator}: kind ${w.from} imported as "${w.to}"`}</li>
          ))}
        </ul>
      )}
    </>
  );
}

/** A console step: the server's preview (`confirm: false`) first, then the confirmed run. */
function ConfirmStep({ label, run }: { label: string; run: (confirm: boolean) => Promise<Preview> }) {
  return <Step label={label} preview={async () => (await run(false)).summary} confirm={async () => (await run(true)).summary} />;
}

/** The migration console: status, dry run, import with a live bar, report, quarantine, verify, phases, rollback. */
export function MigrationConsole() {
  const status = useAsync((signal) => api<Status>('/api/system/migration/status', { signal }), []);
  const [tick, setTick] = useState(0);
  // the last import's report (none before the first import)
  const lastId = status.data?.lastImport?.id;
  const last = useAsync(
    (signal) => (lastId ? api<{ report: Report }>('/api/system/migration/report', { signal }) : Promise.resolve(undefined)),
    [tick, lastId],
  );
  const [dir, setDir] = useState('');
  const [prune, setPrune] = useState(false);
  const [report, setReport] = useState<Report>();
  const [progress, setProgress] = useState<{ percent: number; message: string }>();
  const [phase, setPhase] = useState<string>('dual-read-db');
  const [verify, setVerify] = useState<{ checked: number; mismatchCount: number; lines: string[] }>();
  const from = dir || status.data?.configDir || '';

  const dryRun = useAction(async () => {
    setReport((await api<{ report: Report }>('/api/system/migration/dry-run', { body: { from, prune } })).report);
  });
  const runVerify = useAction(async () => {
    setVerify(await api('/api/system/migration/verify', { body: from ? { from } : {} }));
  });

  const runImport = async (confirm: boolean): Promise<Preview> => {
    const r = await api<Preview & { jobId?: string; report?: Report }>('/api/system/migration/import', { body: { from, prune, confirm } });
    if (!confirm || !r.jobId) {
      if (r.report) setReport(r.report);
      return r;
    }
    setProgress({ percent: 0, message: 'queued' });
    for (;;) {
      await new Promise((res) => setTimeout(res, 400));
      const s = await api<{ job: { status: string; error?: string }; progress: { percent: number; message: string } }>(
        `/api/system/migration/import/${r.jobId}`,
      );
      setProgress(s.progress);
      if (s.job.status === 'failed') throw new Error(s.job.error ?? 'the import failed');
      if (s.job.status === 'completed') break;
    }
    setReport((await api<{ report: Report }>('/api/system/migration/report')).report);
    status.reload();
    setTick((t) => t + 1);
    return { preview: false, summary: `imported ${from}` };
  };

  const s = status.data;
  return (
    <section aria-labelledby="migration-title">
      <h2 id="migration-title">Migration console</h2>
      <ErrorNote error={status.error} />
      <dl className="facts" aria-busy={status.loading}>
        <dt>Engine</dt>
        <dd>{s?.engine ?? '…'}</dd>
        <dt>Storage phase</dt>
        <dd>{s ? `${s.phase.effective}${s.phase.recorded ? '' : ' (nothing recorded)'}` : '…'}</dd>
        <dt>Schema version</dt>
        <dd>{s ? `${s.schemaVersion.current} of ${s.schemaVersion.latest}` : '…'}</dd>
        <dt>Legacy config dir</dt>
        <dd>{s?.configDir ?? '…'}</dd>
        <dt>Last import</dt>
        <dd>{s ? (s.lastImport ? `${s.lastImport.sourceDir}, exit ${s.lastImport.exitCode}, ${s.lastImport.finishedAt ?? ''}` : 'none') : '…'}</dd>
        <dt>Files behind the database</dt>
        <dd>{s ? (s.pendingFileSync.length ? s.pendingFileSync.join(', ') : 'none') : '…'}</dd>
        <dt>Quarantined records</dt>
        <dd>{s?.quarantined ?? '…'}</dd>
      </dl>

      <h3>Import a legacy config directory</h3>
      <Field label="Legacy config directory (on the server)">
        <input value={from} onChange={(e) => setDir(e.target.value)} name="from" autoComplete="off" />
      </Field>
      <Field label="Remove what the directory no longer holds (prune)" inline>
        <input type="checkbox" checked={prune} onChange={(e) => setPrune(e.target.checked)} />
      </Field>
      <ActionRow action={dryRun} busyLabel="Dry run…">
        <button type="button" onClick={() => dryRun.run()} disabled={!from || dryRun.busy}>
          Dry run
        </button>
      </ActionRow>
      <ConfirmStep label="Import" run={runImport} />
      {progress && (
        <div>
          <label htmlFor="import-progress">Import progress: {progress.message}</label>
          <progress id="import-progress" max={100} value={progress.percent}>
            {progress.percent}%
          </progress>
        </div>
      )}
      {(report ?? last.data?.report) && <ReportTable report={(report ?? last.data?.report) as Report} />}

      <h3>Quarantine</h3>
      <QuarantineViewer key={tick} />

      <h3>Verify</h3>
      <ActionRow action={runVerify} busyLabel="Comparing…">
        <button type="button" disabled={runVerify.busy} onClick={() => runVerify.run()}>
          Compare the files with the database
        </button>
      </ActionRow>
      {verify && (
        <Notice>
          {`${verify.checked} records compared, ${verify.mismatchCount} mismatches`}
          {verify.lines.length > 0 && (
            <ul>
              {verify.lines.map((l) => (
                <li key={l}>{l}</li>
              ))}
            </ul>
          )}
        </Notice>
      )}

      <h3>Storage phase</h3>
      <Field label="Move to phase">
        <select value={phase} onChange={(e) => setPhase(e.target.value)}>
          {PHASES.map((p) => (
            <option key={p}>{p}</option>
          ))}
        </select>
      </Field>
      <ConfirmStep label="Move phase" run={(confirm) => api<Preview>('/api/system/migration/phase', { body: { phase, from, confirm } })} />

      <h3>Roll back</h3>
      <ConfirmStep label="Roll back" run={(confirm) => api<Preview>('/api/system/migration/rollback', { body: { confirm } })} />
    </section>
  );
}

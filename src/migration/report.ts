/** Human-readable output of the import, verify-import and `import --report`. */
import type { ImportReport } from './import.js';
import { kindWarningLine } from './library-kind.js';
import type { Mismatch } from './verify.js';

function table(header: string[], rows: (string | number)[][]): string[] {
  const cells = [header, ...rows.map((r) => r.map(String))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => r[i]!.length)));
  const line = (r: string[]) =>
    r
      .map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(cells[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)];
}

/** What the import table's columns count (printed under it). */
export const TABLE_LEGEND: readonly string[] = [
  'read: records found in the file; imported: records accepted; quarantined: records kept aside, verbatim.',
  'new / changed / removed / unchanged: database rows this import inserted / rewrote / deleted / left as they were. A file',
  "with more than its list at the top level (indexers.json's sources, quality-profiles.json's envelope) also fills one row",
  'for that part, so new + changed + unchanged can be one more than imported.',
];

export function summaryLines(report: ImportReport): string[] {
  const out: string[] = [];
  if (report.backup?.config) out.push(`backup of the legacy directory: ${report.backup.config}`);
  if (report.backup?.database) out.push(`backup of the database: ${report.backup.database}`);
  if (report.backup?.databaseNote) out.push(`note: ${report.backup.databaseNote}`);
  const rows = report.files.map((f) => [
    f.file + (f.exists ? '' : ' (absent)') + (f.broken ? ' (broken)' : ''),
    f.read,
    f.imported,
    f.quarantined,
    f.inserted,
    f.updated,
    f.deleted,
    f.unchanged,
  ]);
  const total = (k: 'read' | 'imported' | 'quarantined' | 'inserted' | 'updated' | 'deleted' | 'unchanged') => report.files.reduce((n, f) => n + f[k], 0);
  rows.push(['total', total('read'), total('imported'), total('quarantined'), total('inserted'), total('updated'), total('deleted'), total('unchanged')]);
  out.push(...table(['file', 'read', 'imported', 'quarantined', 'new', 'changed', 'removed', 'unchanged'], rows));
  out.push(...TABLE_LEGEND);
  const q = report.quarantine.length;
  if (report.dryRun) out.push(`dry run: nothing was written (${report.changed ? 'an import would change the database' : 'an import would change nothing'})`);
  else out.push(report.changed ? 'the database now equals the legacy files' : 'no changes: the database already equals the legacy files');
  if (report.pruneNeeded) out.push(`an import would be refused without --prune: it would remove ${report.pruneNeeded.join('; ')}`);
  const w = report.warnings?.length ?? 0;
  if (w > 0) {
    out.push(`${w} record(s) imported with a normalized kind spelling:`);
    for (const line of report.warnings.slice(0, 20).map(kindWarningLine)) out.push(`  ${line}`);
    if (w > 20) out.push(`  ... and ${w - 20} more (all in the report file)`);
  }
  if (report.verify) out.push(`read-back check: ${report.verify.checked} records compared, ${report.verify.mismatches.length} mismatches`);
  const st = report.statistics;
  if (st?.ok) out.push(`planner statistics refreshed (VACUUM ANALYZE, ${st.ms} ms)`);
  else if (st) out.push(`warning: the planner statistics were not refreshed (${st.error}); the import is committed, PostgreSQL's autovacuum does this later`);
  if (q > 0 && report.dryRun)
    out.push(
      `${q} record(s) would be quarantined: ${report.quarantine
        .slice(0, 5)
        .map((r) => `${r.file} ${r.locator || '(whole file)'}`)
        .join(', ')}${q > 5 ? ', ...' : ''}`,
    );
  else if (q > 0) out.push(`${q} record(s) quarantined (kept verbatim, written back by export): list them with \`mediaos import --report\``);
  if (report.reportFile) out.push(`report: ${report.reportFile}`);
  return out;
}

export function mismatchLines(mismatches: Mismatch[]): string[] {
  return mismatches.map((m) => `${m.file} ${m.locator || '(document)'}${m.field ? ` field ${m.field}` : ''}: ${m.problem}`);
}

export function quarantineLines(rows: { file: string; locator: string; reason: string; created_at: string }[]): string[] {
  if (rows.length === 0) return ['no quarantined records'];
  return [`${rows.length} quarantined record(s) (file, locator, reason):`, ...rows.map((r) => `${r.file}\t${r.locator || '(whole file)'}\t${r.reason}`)];
}

import { createHash } from 'node:crypto';
import type { Engine } from '../dialect.js';
import { DATA_TABLES, type DataTable } from './data-tables.js';
import { dataColumns, type Executor, type PortableRow, type PortableValue, readBatches } from './table-rows.js';

/**
 * Per-table row counts and checksums computed the same way on both engines, so a copy or restore
 * can be verified across SQLite and PostgreSQL.
 *
 * Each row is serialized canonically in JS, as a JSON array of its values in sorted column-name
 * order: booleans as booleans, numbers as numbers, JSON columns parsed and re-serialized with
 * sorted keys (jsonb reorders keys and drops whitespace; SQLite keeps the text as written), SQL
 * NULL as null. The table checksum is sha256 over the column names, the row count and the sum
 * (mod 2^256) of every row's sha256. The sum makes it independent of row order: each engine can
 * read in its own index order (a PostgreSQL text key under a locale collation sorts differently
 * from SQLite's bytewise order, and forcing COLLATE "C" would turn every keyset batch into a full
 * scan). Rows are unique by primary key, so a changed, missing or extra row changes the sum.
 */
export interface TableSummary {
  table: string;
  rows: number;
  checksum: string;
}

/** JSON with object keys sorted at every level; the serialization the checksums hash. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj)
    .filter((k) => obj[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(',')}}`;
}

const MOD_MASK = (1n << 256n) - 1n;

/** A running checksum of one table's rows, fed batch by batch in any order. */
export class TableHasher {
  private readonly header: string;
  private sum = 0n;
  private readonly order: number[];
  private readonly json: boolean[];
  rows = 0;

  constructor(
    readonly table: DataTable,
    columns: readonly string[],
  ) {
    const sorted = [...columns].sort();
    this.order = sorted.map((c) => columns.indexOf(c));
    this.json = sorted.map((c) => table.json.includes(c));
    this.header = JSON.stringify(sorted);
  }

  add(rows: readonly PortableRow[]): void {
    for (const row of rows) {
      const parts = this.order.map((i, n) => canonicalValue(row[i], this.json[n]));
      const digest = createHash('sha256')
        .update(`[${parts.join(',')}]`)
        .digest('hex');
      this.sum = (this.sum + BigInt(`0x${digest}`)) & MOD_MASK;
      this.rows += 1;
    }
  }

  digest(): TableSummary {
    const checksum = createHash('sha256')
      .update(`${this.header}\n${this.rows}\n${this.sum.toString(16)}`)
      .digest('hex');
    return { table: this.table.name, rows: this.rows, checksum };
  }
}

function canonicalValue(v: PortableValue, isJson: boolean): string {
  if (v === null) return 'null';
  if (isJson && typeof v === 'string') return JSON.stringify(canonicalJson(JSON.parse(v)));
  return JSON.stringify(v);
}

/** Counts and checksums of every data table, reading each by keyset with `batchSize` rows per query. */
export async function summarizeTables(exec: Executor, engine: Engine, batchSize = 2000): Promise<TableSummary[]> {
  const columns = await dataColumns(exec, engine);
  const out: TableSummary[] = [];
  for (const t of DATA_TABLES) {
    const hasher = new TableHasher(t, columns.get(t.name)!);
    for await (const batch of readBatches(exec, engine, t, columns.get(t.name)!, batchSize)) hasher.add(batch);
    out.push(hasher.digest());
  }
  return out;
}

export interface SummaryComparison {
  table: string;
  source: TableSummary;
  target: TableSummary;
  same: boolean;
}

export function compareSummaries(source: readonly TableSummary[], target: readonly TableSummary[]): SummaryComparison[] {
  return source.map((s) => {
    const t = target.find((x) => x.table === s.table) ?? { table: s.table, rows: -1, checksum: '' };
    return { table: s.table, source: s, target: t, same: s.rows === t.rows && s.checksum === t.checksum };
  });
}

/** A fixed-width table of both sides (checksums shortened to 16 hex digits) for the CLI. */
export function formatComparison(rows: readonly SummaryComparison[], labels: [string, string] = ['source', 'target']): string[] {
  const table: string[][] = [
    ['table', `${labels[0]} rows`, `${labels[1]} rows`, `${labels[0]} checksum`, `${labels[1]} checksum`, 'result'],
    ...rows.map((r) => [
      r.table,
      String(r.source.rows),
      String(r.target.rows),
      r.source.checksum.slice(0, 16),
      r.target.checksum.slice(0, 16),
      r.same ? 'ok' : 'DIFFERENT',
    ]),
  ];
  const widths = table[0].map((_, i) => Math.max(...table.map((row) => row[i].length)));
  const numeric = new Set([1, 2]);
  return table.map((row) =>
    row.map((cell, i) => (numeric.has(i) ? cell.padStart(widths[i]) : i === row.length - 1 ? cell : cell.padEnd(widths[i]))).join('  '),
  );
}

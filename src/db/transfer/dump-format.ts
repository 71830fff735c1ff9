import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream';
import { createGunzip } from 'node:zlib';
import type { Engine } from '../dialect.js';
import type { PortableRow } from './table-rows.js';

/**
 * The `mediaos dump` file: gzip-compressed JSON lines, engine-neutral.
 *
 *   {"format":"mediaos-dump","version":1,"schemaVersion":1,"createdAt":"…","engine":"sqlite"}
 *   {"table":"users","columns":["id","email",…]}
 *   ["u1","a@example.com",…]                      one JSON array per row, in `columns` order
 *   …                                            (every data table, in foreign-key order)
 *   {"end":true,"tables":{"users":{"rows":2,"checksum":"…"},…}}
 *
 * Row values are portable (table-rows.ts): booleans as booleans, JSON columns as their JSON text,
 * SQL NULL as null. The end line carries each table's row count and checksum (checksum.ts), so a
 * restore verifies what it wrote, and a file without it is known to be truncated.
 */
export const DUMP_FORMAT = 'mediaos-dump';
export const DUMP_VERSION = 1;

export interface DumpHeader {
  format: typeof DUMP_FORMAT;
  version: number;
  schemaVersion: number;
  createdAt: string;
  engine: Engine;
}

export interface DumpTableStart {
  table: string;
  columns: string[];
}

export interface DumpEnd {
  end: true;
  tables: Record<string, { rows: number; checksum: string }>;
}

export type DumpLine =
  | { kind: 'header'; header: DumpHeader }
  | { kind: 'table'; start: DumpTableStart }
  | { kind: 'row'; row: PortableRow }
  | { kind: 'end'; end: DumpEnd };

/** A dump that cannot be read; `line` is the 1-based line the problem was found at (0 = before any). */
export class DumpFormatError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(line > 0 ? `dump line ${line}: ${message}` : `dump: ${message}`);
  }
}

/**
 * The lines of a dump file, decompressed and split as they stream in (bounded memory: one chunk
 * plus one partial line). A gzip error (corrupt or truncated file) names the last complete line.
 */
export async function* readDumpLines(file: string): AsyncGenerator<{ n: number; text: string }> {
  const gunzip = createGunzip();
  pipeline(createReadStream(file), gunzip, () => {});
  gunzip.setEncoding('utf8');
  let n = 0;
  let rest = '';
  try {
    for await (const chunk of gunzip as AsyncIterable<string>) {
      rest += chunk;
      for (let at = rest.indexOf('\n'); at >= 0; at = rest.indexOf('\n')) {
        const text = rest.slice(0, at);
        rest = rest.slice(at + 1);
        n += 1;
        yield { n, text };
      }
    }
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new DumpFormatError(n + 1, `the file is corrupt or truncated after line ${n} (${why})`);
  }
  if (rest.length) {
    n += 1;
    yield { n, text: rest };
  }
}

/** Parses one line; which kinds are allowed where is the restore's business. */
export function parseDumpLine(n: number, text: string): DumpLine {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new DumpFormatError(n, 'not valid JSON (the file is corrupt or truncated)');
  }
  if (Array.isArray(value)) {
    for (const v of value) {
      if (v !== null && typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') {
        throw new DumpFormatError(n, 'a row value must be a string, number, boolean or null');
      }
    }
    return { kind: 'row', row: value as PortableRow };
  }
  if (value === null || typeof value !== 'object') throw new DumpFormatError(n, 'expected a JSON object or array');
  const o = value as Record<string, unknown>;
  if (o.format !== undefined) {
    if (o.format !== DUMP_FORMAT) throw new DumpFormatError(n, `not a MediaOS dump (format "${String(o.format)}")`);
    if (o.version !== DUMP_VERSION) throw new DumpFormatError(n, `unsupported dump version ${String(o.version)} (this build reads ${DUMP_VERSION})`);
    if (!Number.isInteger(o.schemaVersion)) throw new DumpFormatError(n, 'the header has no schemaVersion');
    return { kind: 'header', header: o as unknown as DumpHeader };
  }
  if (typeof o.table === 'string') {
    if (!Array.isArray(o.columns) || !o.columns.every((c) => typeof c === 'string')) {
      throw new DumpFormatError(n, `table ${o.table}: columns must be a list of names`);
    }
    return { kind: 'table', start: { table: o.table, columns: o.columns as string[] } };
  }
  if (o.end === true && o.tables && typeof o.tables === 'object') return { kind: 'end', end: o as unknown as DumpEnd };
  throw new DumpFormatError(n, 'unrecognised line');
}

/**
 * PostgreSQL `COPY ... FROM STDIN` (text format, pg-copy-streams) on the connection of a running
 * Kysely transaction. Kysely keeps the pg client of a transaction to itself; connect.ts records the
 * primary pool's clients by backend pid, and the transaction's own `pg_backend_pid()` names its
 * client. The client keeps its session (search_path from DATABASE_SCHEMA, the open transaction),
 * and read replicas never see a transaction (read-replicas.ts sends those to the primary).
 */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { type Kysely, sql } from 'kysely';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';

/** `count` rows of `values`, row-major, `width` values a row (the columns' values first in each). */
export type CopyRows = { values: readonly unknown[]; width: number; count: number };

export type CopyIn = (trx: Kysely<any>, table: string, columns: readonly string[], rows: CopyRows) => Promise<number>;

const SPECIAL = /[\\\n\r\t]/;

/** A text value in COPY's text format: backslash, newline, carriage return and tab escaped. */
function escapeText(s: string): string {
  if (!SPECIAL.test(s)) return s;
  return s.replace(/[\\\n\r\t]/g, (c) => (c === '\\' ? '\\\\' : c === '\n' ? '\\n' : c === '\r' ? '\\r' : '\\t'));
}

/**
 * One value as COPY text, the way pg sends a bind parameter: NULL for null/undefined, numbers and
 * bigints in decimal, booleans as t/f, objects as their JSON text; a Buffer or Date is refused (the
 * import writes neither).
 */
export function copyValue(v: unknown, column: string): string {
  if (v === null || v === undefined) return '\\N';
  switch (typeof v) {
    case 'string':
      return escapeText(v);
    case 'number':
    case 'bigint':
      return String(v);
    case 'boolean':
      return v ? 't' : 'f';
    case 'object':
      if (!Buffer.isBuffer(v) && !(v instanceof Date)) return escapeText(JSON.stringify(v));
  }
  throw new TypeError(`COPY: column ${column} has a value of an unsupported type (${Object.prototype.toString.call(v)})`);
}

const CHUNK_BYTES = 64 * 1024;

/**
 * The COPY text of `rows` as UTF-8, about 64 KB a chunk. Each value is encoded straight into the
 * chunk (Buffer#write) instead of being joined into a string the socket encodes afterwards: at 1M
 * library rows the joined strings cost 3.3 s of the main thread in Buffer.from alone; writing into
 * the buffer takes about half the time of building and encoding the string (bench/RESULTS.md,
 * issue 18 stop 18).
 */
export function* copyText(columns: readonly string[], rows: CopyRows): Generator<Buffer> {
  let chunk = Buffer.allocUnsafe(CHUNK_BYTES);
  let at = 0;
  const last = columns.length - 1;
  for (let r = 0; r < rows.count; r++) {
    const base = r * rows.width;
    for (let c = 0; c <= last; c++) {
      const text = copyValue(rows.values[base + c], columns[c]!);
      // at most 3 bytes of UTF-8 per UTF-16 code unit, and the tab or newline after it
      const room = text.length * 3 + 1;
      if (at + room > chunk.length) {
        if (at > 0) yield chunk.subarray(0, at);
        chunk = Buffer.allocUnsafe(Math.max(CHUNK_BYTES, room));
        at = 0;
      }
      at += chunk.write(text, at, 'utf8');
      chunk[at++] = c === last ? 0x0a : 0x09;
    }
  }
  if (at > 0) yield chunk.subarray(0, at);
}

/** The raw pg clients of a pool by backend pid, and the COPY through them. */
export function createCopyIn(pool: pg.Pool): CopyIn {
  const clients = new Map<number, pg.PoolClient>();
  pool.on('connect', (client) => {
    const pid = (client as unknown as { processID?: number }).processID;
    if (pid !== undefined) clients.set(pid, client as pg.PoolClient);
  });
  pool.on('remove', (client) => {
    const pid = (client as unknown as { processID?: number }).processID;
    if (pid !== undefined && clients.get(pid) === client) clients.delete(pid);
  });
  // a transaction keeps its connection: its client is looked up once
  const ofTransaction = new WeakMap<object, pg.PoolClient>();
  return async (trx, table, columns, rows) => {
    if (!trx.isTransaction) throw new Error('COPY runs inside a transaction only (its connection must stay the same)');
    if (rows.count === 0) return 0;
    let client = ofTransaction.get(trx);
    if (!client) {
      const pid = Number((await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(trx)).rows[0]!.pid);
      client = clients.get(pid);
      if (!client) throw new Error(`COPY: the transaction's connection (backend ${pid}) is not one of this pool's`);
      ofTransaction.set(trx, client);
    }
    const stream = client.query(copyFrom(`COPY ${table} (${columns.join(', ')}) FROM STDIN`));
    await pipeline(Readable.from(copyText(columns, rows)), stream);
    return stream.rowCount;
  };
}

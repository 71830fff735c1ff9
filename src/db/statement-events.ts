import type { CompiledQuery, DatabaseConnection, LogEvent, QueryResult } from 'kysely';
import { rowBuilder } from './row-builder.js';

/**
 * Told every statement once it ran (Kysely's log event: SQL, duration, error). Fed by the
 * drivers themselves rather than Kysely's `log` option, which wraps each statement in four
 * more awaits (a quarter of the promises of a page request, measured).
 */
export type StatementListener = (event: LogEvent) => void;

/**
 * One listener calling each of `fixed`, then each of `observers` as the set is at that moment;
 * a listener that throws never fails the statement it watches.
 */
export function statementEvents(fixed: readonly (StatementListener | undefined)[], observers: ReadonlySet<StatementListener>): StatementListener {
  const always = fixed.filter((l): l is StatementListener => l !== undefined);
  const call = (listener: StatementListener, event: LogEvent) => {
    try {
      listener(event);
    } catch {
      /* ignored */
    }
  };
  return (event) => {
    for (const listener of always) call(listener, event);
    for (const listener of observers) call(listener, event);
  };
}

/**
 * Times each statement of a connection Kysely's own driver made (PostgreSQL) with one `then`.
 * Called once per new connection (the dialect's onCreateConnection), as Kysely's log option
 * patches it.
 */
export function observeConnection(connection: DatabaseConnection, onStatement: StatementListener): void {
  const execute = connection.executeQuery.bind(connection);
  connection.executeQuery = <R>(query: CompiledQuery): Promise<QueryResult<R>> => {
    const started = performance.now();
    return execute<R>(query).then(
      (result) => {
        onStatement({ level: 'query', isStream: false, query, queryDurationMillis: performance.now() - started });
        return result;
      },
      (error: unknown) => {
        onStatement({ level: 'error', error, query, queryDurationMillis: performance.now() - started });
        throw error;
      },
    );
  };
  const stream = connection.streamQuery.bind(connection);
  connection.streamQuery = async function* <R>(query: CompiledQuery, chunkSize?: number): AsyncIterableIterator<QueryResult<R>> {
    const started = performance.now();
    try {
      yield* stream<R>(query, chunkSize);
    } catch (error) {
      onStatement({ level: 'error', error, query, queryDurationMillis: performance.now() - started });
      throw error;
    }
    onStatement({ level: 'query', isStream: true, query, queryDurationMillis: performance.now() - started });
  };
}

/** What runOnPool needs of a pool (pg.Pool, the timed pool, the replica routing). */
interface ClientPool {
  connect(): Promise<{ query(config: { text: string; values: unknown[]; rowMode: 'array' }): Promise<unknown>; release(err?: Error | boolean): void }>;
}

/**
 * One statement on a client of `pool`, as Kysely's PostgreSQL driver runs it (same result shape)
 * but without its executor: compileOnce's hot statements skip a dozen promises each. Told to
 * `onStatement` like every other statement. The rows come from pg as arrays and become objects
 * here, one object literal per statement (objectRows).
 */
export async function runOnPool(pool: ClientPool, query: CompiledQuery, onStatement: StatementListener): Promise<QueryResult<unknown>> {
  const client = await pool.connect();
  const started = performance.now();
  try {
    const { command, rowCount, rows, fields } = (await client.query({ text: query.sql, values: query.parameters as unknown[], rowMode: 'array' })) as {
      command: string;
      rowCount: number | null;
      rows?: unknown[][];
      fields?: readonly { name: string }[];
    };
    const result: QueryResult<unknown> =
      command === 'ROLLBACK' || command === 'COMMIT'
        ? { rows: [{ command }] }
        : {
            numAffectedRows: command === 'INSERT' || command === 'UPDATE' || command === 'DELETE' || command === 'MERGE' ? BigInt(rowCount ?? 0) : undefined,
            rows: rows && fields ? objectRows(query.sql, fields, rows) : [],
          };
    onStatement({ level: 'query', isStream: false, query, queryDurationMillis: performance.now() - started });
    return result;
  } catch (error) {
    onStatement({ level: 'error', error, query, queryDurationMillis: performance.now() - started });
    throw error;
  } finally {
    client.release();
  }
}

/** The row builder of each statement text runOnPool ran, with the column names it was built for (bounded by compileOnce's statements). */
const builders = new Map<string, { names: readonly string[]; build: (values: unknown[]) => Record<string, unknown> }>();

function builderFor(text: string, fields: readonly { name: string }[]) {
  const known = builders.get(text);
  // The same text gives the same columns, unless the schema changed under a `select *`.
  if (known && known.names.length === fields.length && known.names.every((n, i) => n === fields[i].name)) return known.build;
  const names = fields.map((f) => f.name);
  const build = rowBuilder(names);
  builders.set(text, { names, build });
  return build;
}

/**
 * A pg result's rows (arrays, `rowMode: 'array'`) as objects in an array of our own; pg's array
 * is emptied.
 * - Objects: pg builds each row object with one keyed store per column in code shared by every
 *   statement of the process, which sees dozens of row shapes and goes megamorphic (~0.4 us per
 *   row at 50 connections, 3x the bare server's); one object literal per statement is one
 *   hidden class (row-builder.ts, as on SQLite).
 * - Emptied: under load V8 learns that the array pg's Result allocates for its rows (one
 *   allocation site for every query) often outlives a young collection, and starts allocating it
 *   in the old generation. Such an array dies young too, but only a full collection frees it,
 *   and until then every young object it reaches survives each young collection as if it were
 *   live: ~60 KB of a page's rows and their strings moved to the old heap per request, 3-5 ms
 *   young pauses and a full collection every few seconds at 50 connections. Ours is allocated
 *   young; pg's, emptied, keeps nothing alive.
 */
function objectRows(text: string, fields: readonly { name: string }[], rows: unknown[][]): Record<string, unknown>[] {
  const build = builderFor(text, fields);
  const own = new Array<Record<string, unknown>>(rows.length);
  for (let i = 0; i < rows.length; i++) own[i] = build(rows[i]);
  rows.length = 0;
  return own;
}

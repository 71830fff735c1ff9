import type { CompiledQuery, DatabaseConnection, LogEvent, QueryResult } from 'kysely';

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
  connect(): Promise<{ query(text: string, values: unknown[]): Promise<unknown>; release(err?: Error | boolean): void }>;
}

/**
 * One statement on a client of `pool`, as Kysely's PostgreSQL driver runs it (same result shape)
 * but without its executor: compileOnce's hot statements skip a dozen promises each. Told to
 * `onStatement` like every other statement.
 */
export async function runOnPool(pool: ClientPool, query: CompiledQuery, onStatement: StatementListener): Promise<QueryResult<unknown>> {
  const client = await pool.connect();
  const started = performance.now();
  try {
    const { command, rowCount, rows } = (await client.query(query.sql, query.parameters as unknown[])) as {
      command: string;
      rowCount: number | null;
      rows?: unknown[];
    };
    const result: QueryResult<unknown> =
      command === 'ROLLBACK' || command === 'COMMIT'
        ? { rows: [{ command }] }
        : {
            numAffectedRows: command === 'INSERT' || command === 'UPDATE' || command === 'DELETE' || command === 'MERGE' ? BigInt(rowCount ?? 0) : undefined,
            rows: rows ? detachRows(rows) : [],
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

/**
 * The rows of a pg result in an array of our own, pg's emptied. Under load V8 learns that the
 * array pg's Result allocates for its rows (one allocation site for every query of the process)
 * often outlives a young collection and starts allocating it in the old generation. Such an
 * array dies young too, but only a full collection frees it, and until then every young object
 * it reaches (the row objects, their strings) survives each young collection as if it were live:
 * ~30 KB of a page's rows moved to the old heap per request, 3-5 ms young pauses and a full
 * collection every few seconds at 50 connections (bench/RESULTS.md, issue 18, pgpage). The copy
 * is allocated young at a site of ours; pg's array, emptied, keeps nothing alive.
 */
function detachRows(rows: unknown[]): unknown[] {
  const own = rows.slice();
  rows.length = 0;
  return own;
}

import {
  CompiledQuery,
  createQueryId,
  type DatabaseConnection,
  type Driver,
  IdentifierNode,
  type QueryResult,
  RawNode,
  SelectQueryNode,
  type SqliteDatabase,
  SqliteDialect,
} from 'kysely';
import type { StatementListener } from './statement-events.js';

type SavepointCommand = Parameters<NonNullable<Driver['savepoint']>>[2];

/**
 * The one SQLite connection, as Kysely's SqliteDriver hands it out, with two differences:
 * - every statement is timed here and told to `onStatement` synchronously, instead of through
 *   Kysely's `log` option (which wraps each statement in four more awaits, measured as a quarter
 *   of the promises of a page request);
 * - waiters for the connection are served first come, first served, one at a time (Kysely's
 *   mutex wakes every waiter on each release and all but one wait again).
 * `runNow` runs one statement at once when nothing holds the connection (no transaction open,
 * nobody queued): compileOnce's hot statements skip Kysely's executor, a dozen promises each.
 */
export class SqliteStatementDriver implements Driver {
  readonly #database: SqliteDatabase;
  readonly #onStatement: StatementListener;
  readonly #connection: DatabaseConnection;
  #held = false;
  readonly #waiters: ((connection: DatabaseConnection) => void)[] = [];
  #closed = false;

  constructor(database: SqliteDatabase, onStatement: StatementListener) {
    this.#database = database;
    this.#onStatement = onStatement;
    this.#connection = {
      executeQuery: <R>(query: CompiledQuery): Promise<QueryResult<R>> => {
        try {
          return Promise.resolve(this.#run(query) as QueryResult<R>);
        } catch (err) {
          return Promise.reject(err);
        }
      },
      streamQuery: <R>(query: CompiledQuery, chunkSize?: number) => this.#stream<R>(query, chunkSize),
    };
  }

  async init(): Promise<void> {}

  acquireConnection(): Promise<DatabaseConnection> {
    if (!this.#held) {
      this.#held = true;
      return Promise.resolve(this.#connection);
    }
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  async releaseConnection(): Promise<void> {
    const next = this.#waiters.shift();
    // Handed straight to the next waiter: the connection is never free while someone waits.
    if (next) next(this.#connection);
    else this.#held = false;
  }

  /** The statement's result now, or undefined when the connection is held (the caller goes through Kysely and waits its turn). */
  runNow<R>(query: CompiledQuery): QueryResult<R> | undefined {
    if (this.#held || this.#closed) return undefined;
    return this.#run(query) as QueryResult<R>;
  }

  async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin'));
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('commit'));
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('rollback'));
  }

  async savepoint(connection: DatabaseConnection, name: string, compile: SavepointCommand): Promise<void> {
    await connection.executeQuery(compile(savepointCommand('savepoint', name), createQueryId()));
  }

  async rollbackToSavepoint(connection: DatabaseConnection, name: string, compile: SavepointCommand): Promise<void> {
    await connection.executeQuery(compile(savepointCommand('rollback to', name), createQueryId()));
  }

  async releaseSavepoint(connection: DatabaseConnection, name: string, compile: SavepointCommand): Promise<void> {
    await connection.executeQuery(compile(savepointCommand('release', name), createQueryId()));
  }

  async destroy(): Promise<void> {
    this.#closed = true;
    this.#database.close();
  }

  #run(query: CompiledQuery): QueryResult<unknown> {
    const started = performance.now();
    try {
      const stmt = this.#database.prepare(query.sql);
      let result: QueryResult<unknown>;
      if (stmt.reader) {
        result = { rows: stmt.all(query.parameters) };
      } else {
        const { changes, lastInsertRowid } = stmt.run(query.parameters);
        result = {
          numAffectedRows: changes !== undefined && changes !== null ? BigInt(changes) : undefined,
          insertId: lastInsertRowid !== undefined && lastInsertRowid !== null ? BigInt(lastInsertRowid) : undefined,
          rows: [],
        };
      }
      this.#onStatement({ level: 'query', isStream: false, query, queryDurationMillis: performance.now() - started });
      return result;
    } catch (error) {
      this.#onStatement({ level: 'error', error, query, queryDurationMillis: performance.now() - started });
      throw error;
    }
  }

  async *#stream<R>(query: CompiledQuery, _chunkSize?: number): AsyncIterableIterator<QueryResult<R>> {
    const started = performance.now();
    try {
      if (!SelectQueryNode.is(query.query)) throw new Error('Sqlite driver only supports streaming of select queries');
      const stmt = this.#database.prepare(query.sql);
      for (const row of stmt.iterate(query.parameters)) yield { rows: [row as R] };
    } catch (error) {
      this.#onStatement({ level: 'error', error, query, queryDurationMillis: performance.now() - started });
      throw error;
    }
    this.#onStatement({ level: 'query', isStream: true, query, queryDurationMillis: performance.now() - started });
  }
}

/** `savepoint "name"` etc., built as Kysely's own driver builds it (the name as a quoted identifier). */
function savepointCommand(command: string, name: string): RawNode {
  return RawNode.createWithChildren([RawNode.createWithSql(`${command} `), IdentifierNode.create(name)]);
}

/** Kysely's SQLite dialect (compiler, adapter, introspector) over a SqliteStatementDriver. */
export class SqliteStatementDialect extends SqliteDialect {
  readonly #driver: SqliteStatementDriver;

  constructor(driver: SqliteStatementDriver) {
    super({ database: {} as SqliteDatabase });
    this.#driver = driver;
  }

  override createDriver(): Driver {
    return this.#driver;
  }
}

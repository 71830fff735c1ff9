import type { Compilable, CompiledQuery, Kysely, QueryResult, RawBuilder } from 'kysely';

/**
 * A query that is built and compiled ONCE and then run with new parameter values.
 *
 * Building a Kysely query (immutable operation nodes, frozen at every step) and compiling it to
 * SQL costs more than running a primary-key look-up on SQLite; the hot queries of every request
 * (the session check, a page of the library) would pay it each time. `compileOnce` builds the
 * query with placeholder values ("slots"), records where each slot landed in the parameter list,
 * and later runs the same SQL text with the real values in those positions.
 *
 * Rules for `build`: the SQL must not depend on the values, only their positions (anything
 * that changes the shape belongs in the cache key of the caller, e.g. "with a cursor or not"),
 * and every slot must end up as a bound parameter: a slot inlined into the SQL text (or
 * dropped) throws at compile time rather than running the wrong query.
 */
export type Slot = <T>(index: number) => T;

const SLOT_PREFIX = '\u0000mediaos.slot:';

/**
 * The SQL texts compileOnce made, each with a statement name. On PostgreSQL these run as named
 * prepared statements (pg-prepared.ts): parsed and planned once per connection instead of on
 * every request (planning a page of the library cost ~3x its execution). Bounded by the number
 * of query shapes in the code, not by values.
 */
const preparedNames = new Map<string, string>();

/**
 * A database whose statements can run without Kysely's executor (SQLite: at once on the one
 * connection when nothing holds it, sqlite-dialect.ts; PostgreSQL: on a pool client,
 * statement-events.ts). Answers undefined when it cannot (the statement then goes through Kysely).
 */
type RunNow = (query: CompiledQuery) => QueryResult<unknown> | Promise<QueryResult<unknown>> | undefined;
const runners = new WeakMap<object, RunNow>();

/** Lets compileOnce's statements on `db` (that instance only, never a transaction of it) run through `runNow` when it can. */
export function runStatementsWith(db: Kysely<any>, runNow: RunNow): void {
  runners.set(db, runNow);
}

/** The prepared-statement name of a SQL text compileOnce made, or undefined for any other text. */
export function preparedStatementName(text: string): string | undefined {
  return preparedNames.get(text);
}

export function compileOnce<R>(
  // Any schema, a Transaction too.
  db: Kysely<any>,
  slots: number,
  build: (slot: Slot) => Compilable<R> | RawBuilder<R>,
  /** `prepared: false`: see compileUnprepared. */
  opts: { prepared?: boolean } = {},
): (values: readonly unknown[]) => Promise<QueryResult<R>> {
  let compiled: CompiledQuery<R> | undefined;
  let positions: number[] = [];
  // async: a misuse rejects like any failing query instead of throwing at the call site
  return async (values) => {
    if (values.length !== slots) throw new Error(`compileOnce: ${slots} value(s) expected, got ${values.length}`);
    if (!compiled) {
      // A query builder compiles by itself; a raw `sql` template needs the database's compiler.
      const c = (build(<T>(i: number) => `${SLOT_PREFIX}${i}` as T) as RawBuilder<R>).compile(db);
      positions = c.parameters.map((p) => (typeof p === 'string' && p.startsWith(SLOT_PREFIX) ? Number(p.slice(SLOT_PREFIX.length)) : -1));
      for (let i = 0; i < slots; i++) {
        if (!positions.includes(i)) throw new Error(`compileOnce: slot ${i} is not a bound parameter of: ${c.sql}`);
      }
      if (c.sql.includes(SLOT_PREFIX)) throw new Error(`compileOnce: a slot was inlined into the SQL: ${c.sql}`);
      compiled = c;
      if (opts.prepared !== false && !preparedNames.has(c.sql)) preparedNames.set(c.sql, `mediaos_q${preparedNames.size + 1}`);
    }
    const template = compiled.parameters;
    const parameters = new Array<unknown>(template.length);
    for (let i = 0; i < template.length; i++) parameters[i] = positions[i] >= 0 ? values[positions[i]] : template[i];
    const query: CompiledQuery<R> = { ...compiled, parameters };
    // A transaction is another instance: never found here, its statements stay on its connection.
    const now = runners.get(db)?.(query) as QueryResult<R> | Promise<QueryResult<R>> | undefined;
    return now ?? db.executeQuery<R>(query);
  };
}

/**
 * compileOnce, but never a named prepared statement on PostgreSQL: for statements whose best plan
 * depends on the values (a text search: a rare word wants the GIN index, a common one the sort
 * index), where the generic plan PostgreSQL may settle on after five runs would serve all alike.
 */
export function compileUnprepared<R>(
  db: Kysely<any>,
  slots: number,
  build: (slot: Slot) => Compilable<R> | RawBuilder<R>,
): (values: readonly unknown[]) => Promise<QueryResult<R>> {
  return compileOnce(db, slots, build, { prepared: false });
}

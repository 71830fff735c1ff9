type Row = Record<string, unknown>;

/**
 * Builds rows from a driver's raw arrays with one object literal per statement (same hidden class
 * for every row). On SQLite (better-sqlite3's raw mode) creating the row objects was otherwise
 * half the cost of reading a page of 100 items (0.36 ms -> 0.21 ms per page at 1M items); on
 * PostgreSQL see statement-events.ts (runOnPool). Later duplicate column names win, as they do in
 * the drivers' own objects.
 */
export function rowBuilder(columns: readonly string[]): (values: unknown[]) => Row {
  // A quoted "__proto__" key in a literal would set the prototype; the computed form defines it.
  const fields = columns.map((name, i) => `${name === '__proto__' ? `[${JSON.stringify(name)}]` : JSON.stringify(name)}: v[${i}]`).join(', ');
  return new Function('v', `return { ${fields} };`) as (values: unknown[]) => Row;
}

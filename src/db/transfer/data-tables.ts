/**
 * The one list of tables that hold data, in foreign-key order (a table comes after every table it
 * references), used by `db copy`, `dump` and `restore`. test/db/transfer/copy.test.ts checks it against the
 * migrated catalog of both engines, so a new table or column type cannot be forgotten here.
 *
 * Not listed on purpose:
 * - `schema_migrations`: the target is migrated by this build, so it records its own versions;
 * - derived tables (`DERIVED_TABLES`): SQLite's FTS5 index over library_items is maintained by
 *   triggers on the target and is never copied.
 */
export interface DataTable {
  name: string;
  /** The single-column primary key: rows are read in this order (keyset, never OFFSET). */
  key: string;
  /** jsonb on PostgreSQL, json_valid TEXT on SQLite. */
  json: readonly string[];
  /** boolean on PostgreSQL, 0/1 INTEGER on SQLite. */
  bool: readonly string[];
  /** A PostgreSQL IDENTITY column whose sequence must follow max(value) after a bulk load. */
  identity?: string;
}

export const DATA_TABLES: readonly DataTable[] = [
  { name: 'users', key: 'id', json: ['extra'], bool: [] },
  { name: 'sessions', key: 'id', json: [], bool: [] },
  { name: 'library_items', key: 'seq', json: ['metadata', 'extra'], bool: [], identity: 'seq' },
  { name: 'downloaders', key: 'id', json: ['config'], bool: ['enabled'] },
  { name: 'indexers', key: 'id', json: ['config'], bool: ['enabled'] },
  { name: 'wanted_items', key: 'id', json: ['last_scan', 'metadata'], bool: [] },
  { name: 'quality_profiles', key: 'id', json: ['qualities', 'config'], bool: ['upgrade_allowed'] },
  { name: 'verify_jobs', key: 'id', json: ['result'], bool: [] },
  { name: 'verify_results', key: 'key', json: ['issues', 'extra'], bool: [] },
  { name: 'grabs', key: 'key', json: ['status', 'nzb_upload', 'extra'], bool: ['ok'] },
  { name: 'blocklist', key: 'id', json: [], bool: [] },
  { name: 'media_files', key: 'id', json: ['parsed'], bool: [] },
  { name: 'metadata_cache', key: 'key', json: ['value'], bool: [] },
  { name: 'organizer_runs', key: 'id', json: ['options', 'errors'], bool: ['dry_run'] },
  { name: 'organizer_journal', key: 'id', json: ['created_dirs', 'removed_dirs'], bool: [] },
  { name: 'content_checks', key: 'path', json: ['result', 'metadata'], bool: ['passed'] },
  { name: 'audit_log', key: 'seq', json: ['before', 'after'], bool: [], identity: 'seq' },
  { name: 'settings', key: 'key', json: ['value'], bool: [] },
  { name: 'app_state', key: 'key', json: ['value'], bool: [] },
  { name: 'jobs', key: 'id', json: ['payload', 'result'], bool: [] },
  { name: 'import_runs', key: 'id', json: ['report'], bool: ['dry_run'] },
  { name: 'import_quarantine', key: 'id', json: [], bool: [] },
  { name: 'locks', key: 'name', json: [], bool: [] },
];

/** Tables the migrations create that are filled by the database itself (triggers), per engine. */
export const DERIVED_TABLES = { sqlite: ['library_items_fts'], postgres: [] as string[] } as const;

/**
 * Bookkeeping tables each database keeps for itself, never copied: its migrations, and the running
 * servers' shared counters (login limiter, rate limit) and cross-process event outbox (0010).
 */
export const OWN_TABLES = ['schema_migrations', 'rate_counters', 'event_outbox'] as const;

export function dataTable(name: string): DataTable | undefined {
  return DATA_TABLES.find((t) => t.name === name);
}

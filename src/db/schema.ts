import type { ColumnType, Generated } from 'kysely';

/**
 * The one Kysely `DB` type for both engines (STYLE.md §14). Row values differ by engine in two
 * ways that every repository maps in its `toX(row)` function:
 * - booleans come back as 0/1 from SQLite and as booleans from PostgreSQL (`DbBool`);
 * - JSON columns come back as text on both engines (`DbJson`); read them with `fromJson()` and
 *   write them with `toJson()` from ./json.ts.
 */
export type DbBool = ColumnType<boolean | number, boolean, boolean>;
export type DbBoolNullable = ColumnType<boolean | number | null, boolean | null | undefined, boolean | null>;
export type DbJson = ColumnType<string, string, string>;
export type DbJsonNullable = ColumnType<string | null, string | null | undefined, string | null>;
/** ISO text with a database default. */
export type DefaultedTime = ColumnType<string, string | undefined, string>;

export interface UsersTable {
  id: string;
  email: string;
  email_lower: string;
  password_hash: string;
  role: 'admin' | 'user';
  created_at: DefaultedTime;
  updated_at: DefaultedTime;
  last_login_at: string | null;
  extra: DbJsonNullable;
}

export interface SessionsTable {
  id: string;
  user_id: string;
  token_hash: string;
  expires_at: string;
  created_at: DefaultedTime;
  revoked_at: string | null;
  revoke_reason: string | null;
  last_used_at: string | null;
  user_agent: string | null;
  ip: string | null;
}

export interface LibraryItemsTable {
  seq: Generated<number>;
  id: string;
  kind: 'movie' | 'series' | 'music' | 'book';
  title: string;
  title_lower: string;
  search_text: string;
  poster_url: string | null;
  background_url: string | null;
  year: number | null;
  quality: string | null;
  source: string | null;
  file_path: string | null;
  file_size: number | null;
  metadata: DbJsonNullable;
  extra: DbJsonNullable;
  created_at: DefaultedTime;
  updated_at: DefaultedTime;
}

export interface DownloadersTable {
  id: string;
  client_type: 'qbittorrent' | 'nzbget' | 'sabnzbd';
  enabled: DbBool;
  base_url: string | null;
  username: string | null;
  encrypted_password: string | null;
  encrypted_api_key: string | null;
  category: string | null;
  timeout_ms: number | null;
  config: DbJsonNullable;
  created_at: DefaultedTime;
  updated_at: DefaultedTime;
}

export interface IndexersTable {
  id: string;
  name: string;
  type: 'manual' | 'prowlarr' | 'jackett';
  protocol: 'torrent' | 'usenet' | 'both';
  base_url: string | null;
  encrypted_api_key: string | null;
  enabled: DbBool;
  priority: number | null;
  position: number;
  config: DbJsonNullable;
  created_at: DefaultedTime;
  updated_at: DefaultedTime;
}

export interface WantedItemsTable {
  id: string;
  library_item_id: string | null;
  item_id: string;
  title: string;
  kind: string;
  status: ColumnType<'wanted' | 'searching' | 'found' | 'failed', 'wanted' | 'searching' | 'found' | 'failed' | undefined>;
  search_query: string | null;
  last_search_at: string | null;
  last_scan: DbJsonNullable;
  added_at: DefaultedTime;
  position: number;
  metadata: DbJsonNullable;
}

export interface QualityProfilesTable {
  id: string;
  name: string;
  description: string | null;
  upgrade_allowed: DbBoolNullable;
  cutoff: string | null;
  qualities: DbJsonNullable;
  min_size: number | null;
  max_size: number | null;
  position: number;
  config: DbJsonNullable;
  created_at: DefaultedTime;
  updated_at: DefaultedTime;
}

export interface VerifyJobsTable {
  id: string;
  library_item_id: string | null;
  item_id: string;
  kind: string;
  title: string;
  phase: string;
  status: ColumnType<'pending' | 'running' | 'completed' | 'failed', 'pending' | 'running' | 'completed' | 'failed' | undefined>;
  path: string | null;
  result: DbJsonNullable;
  error: string | null;
  started_at: string | null;
  completed_at: string | null;
  created_at: DefaultedTime;
}

export interface VerifyResultsTable {
  key: string;
  kind: string;
  item_id: string;
  library_item_id: string | null;
  title: string | null;
  phase: string | null;
  top_severity: string | null;
  analyzed_at: string | null;
  path: string | null;
  issues: DbJsonNullable;
  position: number;
  extra: DbJsonNullable;
}

export interface GrabsTable {
  key: string;
  kind: string;
  item_id: string;
  library_item_id: string | null;
  title: string | null;
  link: string | null;
  protocol: string | null;
  client: string | null;
  ok: DbBoolNullable;
  status: DbJsonNullable;
  at: string | null;
  category: string | null;
  nzb_upload: DbJsonNullable;
  position: number;
  extra: DbJsonNullable;
}

/** Releases the decision engine rejects (migration 0005). */
export interface BlocklistTable {
  id: string;
  title: string;
  guid: string | null;
  link: string | null;
  indexer: string | null;
  protocol: string | null;
  reason: string | null;
  created_at: Generated<string>;
}

/** Metadata service answers kept until they expire (migration 0008). */
export interface MetadataCacheTable {
  key: string;
  provider: string;
  request: string;
  value: DbJson;
  fetched_at: string;
  expires_at: string;
}

/** Files found by the library scanner (migration 0006). */
export interface MediaFilesTable {
  id: string;
  path: string;
  root: string;
  kind: 'movie' | 'series' | 'music' | 'book';
  item_id: string | null;
  /** bigint: PostgreSQL returns it as a string; read with Number(). */
  size: ColumnType<number | string, number, number>;
  mtime_ms: ColumnType<number | string, number, number>;
  quality: string | null;
  parsed: DbJson;
  status: 'present' | 'missing';
  missing_since: string | null;
  first_seen_at: string;
  last_seen_at: string;
}

/** Who changed what, when (migration 0007); before/after hold redacted JSON. */
export interface AuditLogTable {
  seq: Generated<number>;
  at: DefaultedTime;
  actor: string;
  entity: string;
  entity_id: string | null;
  action: string;
  before: DbJsonNullable;
  after: DbJsonNullable;
}

/** Organizer runs (migration 0009): one per apply or dry run, with counters. */
export interface OrganizerRunsTable {
  id: string;
  status: 'queued' | 'organizing' | 'completed' | 'failed' | 'undoing' | 'undone';
  operation: 'move' | 'copy' | 'hardlink';
  dry_run: DbBool;
  options: DbJson;
  total_files: ColumnType<number, number | undefined, number>;
  processed_files: ColumnType<number, number | undefined, number>;
  success_count: ColumnType<number, number | undefined, number>;
  skip_count: ColumnType<number, number | undefined, number>;
  error_count: ColumnType<number, number | undefined, number>;
  current_file: string | null;
  errors: ColumnType<string, string | undefined, string>;
  created_by: string | null;
  created_at: string;
  finished_at: string | null;
  undone_at: string | null;
}

/** One applied organizer file operation (migration 0009), with what undo needs. */
export interface OrganizerJournalTable {
  id: string;
  run_id: string;
  seq: number;
  operation: 'move' | 'copy' | 'hardlink';
  source: string;
  destination: string;
  created_dirs: DbJson;
  removed_dirs: DbJson;
  size: ColumnType<number | string, number, number>;
  mtime_ms: ColumnType<number | string, number, number>;
  status: 'applied' | 'undone' | 'undo_failed';
  error: string | null;
  applied_at: string;
  undone_at: string | null;
}

/** The last content check of a file (migration 0009), keyed by its resolved path. */
export interface ContentChecksTable {
  path: string;
  passed: DbBool;
  issue_count: number;
  security_issue_count: number;
  result: DbJson;
  metadata: DbJsonNullable;
  job_id: string | null;
  checked_at: string;
}

export interface SettingsTable {
  key: string;
  value: DbJson;
  created_at: DefaultedTime;
  updated_at: DefaultedTime;
}

export interface AppStateTable {
  key: string;
  value: DbJson;
  updated_at: DefaultedTime;
}

export interface JobsTable {
  id: string;
  type: string;
  payload: DbJson;
  status: ColumnType<'queued' | 'running' | 'completed' | 'failed', 'queued' | 'running' | 'completed' | 'failed' | undefined>;
  attempts: ColumnType<number, number | undefined>;
  max_attempts: ColumnType<number, number | undefined>;
  run_at: DefaultedTime;
  locked_by: string | null;
  locked_at: string | null;
  result: DbJsonNullable;
  error: string | null;
  created_at: DefaultedTime;
  updated_at: DefaultedTime;
}

export interface ImportRunsTable {
  id: string;
  source_dir: string;
  started_at: DefaultedTime;
  finished_at: string | null;
  status: 'running' | 'completed' | 'failed';
  dry_run: DbBool;
  exit_code: number | null;
  report: DbJsonNullable;
}

export interface ImportQuarantineTable {
  id: string;
  import_id: string | null;
  file: string;
  locator: string;
  reason: string;
  raw: string;
  raw_encoding: ColumnType<'json' | 'base64', 'json' | 'base64' | undefined>;
  created_at: DefaultedTime;
}

export interface RateCountersTable {
  key: string;
  count: number;
  /** Epoch ms when the window ends. */
  reset_at: number;
}

export interface EventOutboxTable {
  seq: Generated<number>;
  origin: string;
  topic: string;
  payload: string;
  created_ms: number;
}

export interface LocksTable {
  name: string;
  holder: string;
  acquired_at: DefaultedTime;
  heartbeat_at: DefaultedTime;
}

export interface SchemaMigrationsTable {
  version: number;
  name: string;
  applied_at: string;
}

export interface DB {
  users: UsersTable;
  sessions: SessionsTable;
  library_items: LibraryItemsTable;
  downloaders: DownloadersTable;
  indexers: IndexersTable;
  wanted_items: WantedItemsTable;
  quality_profiles: QualityProfilesTable;
  verify_jobs: VerifyJobsTable;
  verify_results: VerifyResultsTable;
  grabs: GrabsTable;
  blocklist: BlocklistTable;
  media_files: MediaFilesTable;
  metadata_cache: MetadataCacheTable;
  audit_log: AuditLogTable;
  organizer_runs: OrganizerRunsTable;
  organizer_journal: OrganizerJournalTable;
  content_checks: ContentChecksTable;
  settings: SettingsTable;
  app_state: AppStateTable;
  jobs: JobsTable;
  import_runs: ImportRunsTable;
  import_quarantine: ImportQuarantineTable;
  locks: LocksTable;
  rate_counters: RateCountersTable;
  event_outbox: EventOutboxTable;
  schema_migrations: SchemaMigrationsTable;
}

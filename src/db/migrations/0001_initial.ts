import { type Kysely, sql } from 'kysely';
import { ddlFor, dropUpdatedAtTrigger, type Engine, updatedAtTrigger } from '../dialect.js';

/**
 * The seed's eight core tables (users, sessions, library_items, downloaders, indexers,
 * wanted_items, quality_profiles, verify_jobs), adapted where the legacy data does not fit the
 * draft (mediaos-legacy/NOTES.md §5), plus the homes a lossless import needs (grabs,
 * verify_results, settings documents) and our own bookkeeping (app_state, jobs, import runs,
 * quarantine, locks). Frozen: never import app code here.
 *
 * Conventions: legacy ids are kept as TEXT; timestamps are ISO-8601 UTC text with milliseconds;
 * each legacy record's keys without a column live in that row's JSON column (`extra`, or the
 * seed's `metadata`/`config` name where the seed had one), so an import never drops a key.
 */
const UPDATED_AT_TABLES = ['users', 'library_items', 'downloaders', 'indexers', 'quality_profiles', 'settings', 'jobs'];

export function statements(engine: Engine): string[] {
  const d = ddlFor(engine);
  const ts = d.timestamp;
  const created = ts('created_at', { notNull: true, defaultNow: true });
  const updated = ts('updated_at', { notNull: true, defaultNow: true });
  const out: string[] = [];

  if (engine === 'postgres') {
    out.push(`CREATE OR REPLACE FUNCTION mediaos_set_updated_at() RETURNS trigger AS $fn$
      BEGIN
        IF NEW.updated_at IS NOT DISTINCT FROM OLD.updated_at THEN NEW.updated_at := ${d.nowIso}; END IF;
        RETURN NEW;
      END $fn$ LANGUAGE plpgsql`);
  }

  out.push(`CREATE TABLE users (
    id TEXT PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    email_lower TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('admin', 'user')),
    ${created}, ${updated},
    ${ts('last_login_at')},
    ${d.json('extra')}
  )`);
  out.push(`CREATE INDEX idx_users_role ON users(role)`);

  out.push(`CREATE TABLE sessions (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    token_hash TEXT NOT NULL,
    ${ts('expires_at', { notNull: true })},
    ${created},
    ${ts('revoked_at')},
    revoke_reason TEXT,
    ${ts('last_used_at')},
    user_agent TEXT,
    ip TEXT
  )`);
  out.push(`CREATE INDEX idx_sessions_token_hash ON sessions(token_hash)`);
  out.push(`CREATE INDEX idx_sessions_user_id ON sessions(user_id)`);
  out.push(`CREATE INDEX idx_sessions_expires_at ON sessions(expires_at)`);

  // seq: insertion order (legacy array order) and the FTS rowid; id stays the legacy id.
  out.push(`CREATE TABLE library_items (
    ${d.seqPrimaryKey('seq')},
    id TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL CHECK (kind IN ('movie', 'series', 'music', 'book')),
    title TEXT NOT NULL,
    title_lower TEXT NOT NULL,
    search_text TEXT NOT NULL,
    poster_url TEXT,
    background_url TEXT,
    year INTEGER,
    quality TEXT,
    source TEXT,
    file_path TEXT,
    file_size ${d.bigint},
    ${d.json('metadata')},
    ${d.json('extra')},
    ${created}, ${updated},
    UNIQUE (kind, title_lower)
  )`);
  out.push(`CREATE INDEX idx_library_title ON library_items(title_lower, seq)`);
  out.push(`CREATE INDEX idx_library_created_at ON library_items(created_at, seq)`);
  out.push(`CREATE INDEX idx_library_kind_created_at ON library_items(kind, created_at, seq)`);
  if (engine === 'sqlite') {
    out.push(`CREATE VIRTUAL TABLE library_items_fts USING fts5(
      search_text, content='library_items', content_rowid='seq',
      tokenize="unicode61 remove_diacritics 2", prefix='2 3')`);
    out.push(`CREATE TRIGGER library_items_fts_ai AFTER INSERT ON library_items BEGIN
      INSERT INTO library_items_fts(rowid, search_text) VALUES (NEW.seq, NEW.search_text); END`);
    out.push(`CREATE TRIGGER library_items_fts_ad AFTER DELETE ON library_items BEGIN
      INSERT INTO library_items_fts(library_items_fts, rowid, search_text) VALUES ('delete', OLD.seq, OLD.search_text); END`);
    out.push(`CREATE TRIGGER library_items_fts_au AFTER UPDATE OF search_text ON library_items BEGIN
      INSERT INTO library_items_fts(library_items_fts, rowid, search_text) VALUES ('delete', OLD.seq, OLD.search_text);
      INSERT INTO library_items_fts(rowid, search_text) VALUES (NEW.seq, NEW.search_text); END`);
  } else {
    out.push(`CREATE INDEX idx_library_search ON library_items USING gin (to_tsvector('simple', search_text))`);
  }

  // One row per client type (the legacy file holds exactly these three sections).
  out.push(`CREATE TABLE downloaders (
    id TEXT PRIMARY KEY,
    client_type TEXT NOT NULL UNIQUE CHECK (client_type IN ('qbittorrent', 'nzbget', 'sabnzbd')),
    ${d.bool('enabled', { notNull: true, default: false })},
    base_url TEXT,
    username TEXT,
    encrypted_password TEXT,
    encrypted_api_key TEXT,
    category TEXT,
    timeout_ms INTEGER,
    ${d.json('config')},
    ${created}, ${updated}
  )`);

  // type = where the entry came from (legacy `type`); protocol = torrent/usenet (legacy `protocol`).
  out.push(`CREATE TABLE indexers (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    type TEXT NOT NULL CHECK (type IN ('manual', 'prowlarr', 'jackett')),
    protocol TEXT NOT NULL CHECK (protocol IN ('torrent', 'usenet', 'both')),
    base_url TEXT,
    encrypted_api_key TEXT,
    ${d.bool('enabled', { notNull: true, default: true })},
    priority INTEGER,
    position INTEGER NOT NULL,
    ${d.json('config')},
    ${created}, ${updated}
  )`);
  out.push(`CREATE INDEX idx_indexers_enabled ON indexers(enabled)`);
  out.push(`CREATE INDEX idx_indexers_type ON indexers(type)`);
  out.push(`CREATE INDEX idx_indexers_priority ON indexers(priority DESC)`);

  // Legacy wanted items point at a library id that is not checked; a deleted item leaves the
  // wanted entry in place (legacy behaviour), so the link is SET NULL rather than CASCADE.
  out.push(`CREATE TABLE wanted_items (
    id TEXT PRIMARY KEY,
    library_item_id TEXT REFERENCES library_items(id) ON DELETE SET NULL,
    item_id TEXT NOT NULL,
    title TEXT NOT NULL,
    kind TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'wanted' CHECK (status IN ('wanted', 'searching', 'found', 'failed')),
    search_query TEXT,
    ${ts('last_search_at')},
    ${d.json('last_scan')},
    ${ts('added_at', { notNull: true, defaultNow: true })},
    position INTEGER NOT NULL,
    ${d.json('metadata')},
    UNIQUE (kind, item_id)
  )`);
  out.push(`CREATE INDEX idx_wanted_status ON wanted_items(status)`);
  out.push(`CREATE INDEX idx_wanted_added_at ON wanted_items(added_at DESC)`);
  out.push(`CREATE INDEX idx_wanted_library_item_id ON wanted_items(library_item_id)`);
  out.push(`CREATE INDEX idx_wanted_position ON wanted_items(position)`);

  // Named profiles (legacy quality-profiles.json): qualities[] + cutoff instead of the draft's
  // min/max/preferred columns; names are not unique in legacy data.
  out.push(`CREATE TABLE quality_profiles (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    description TEXT,
    ${d.bool('upgrade_allowed')},
    cutoff TEXT,
    ${d.json('qualities')},
    min_size DOUBLE PRECISION,
    max_size DOUBLE PRECISION,
    position INTEGER NOT NULL,
    ${d.json('config')},
    ${created}, ${updated}
  )`);

  out.push(`CREATE TABLE verify_jobs (
    id TEXT PRIMARY KEY,
    library_item_id TEXT REFERENCES library_items(id) ON DELETE CASCADE,
    item_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    phase TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'running', 'completed', 'failed')),
    path TEXT,
    ${d.json('result')},
    error TEXT,
    ${ts('started_at')},
    ${ts('completed_at')},
    ${created}
  )`);
  out.push(`CREATE INDEX idx_verify_jobs_status ON verify_jobs(status)`);
  out.push(`CREATE INDEX idx_verify_jobs_library_item_id ON verify_jobs(library_item_id)`);
  out.push(`CREATE INDEX idx_verify_jobs_created_at ON verify_jobs(created_at DESC)`);

  // Last verify result per `<kind>:<id>` key (legacy verify-results.json); key kept verbatim.
  out.push(`CREATE TABLE verify_results (
    key TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    item_id TEXT NOT NULL,
    library_item_id TEXT REFERENCES library_items(id) ON DELETE SET NULL,
    title TEXT,
    phase TEXT,
    top_severity TEXT,
    ${ts('analyzed_at')},
    path TEXT,
    ${d.json('issues')},
    position INTEGER NOT NULL,
    ${d.json('extra')}
  )`);
  out.push(`CREATE INDEX idx_verify_results_item ON verify_results(item_id)`);

  // Last grab per `<kind>:<id>` key (legacy grabs.json); key kept verbatim.
  out.push(`CREATE TABLE grabs (
    key TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    item_id TEXT NOT NULL,
    library_item_id TEXT REFERENCES library_items(id) ON DELETE SET NULL,
    title TEXT,
    link TEXT,
    protocol TEXT,
    client TEXT,
    ${d.bool('ok')},
    ${d.json('status')},
    ${ts('at')},
    category TEXT,
    ${d.json('nzb_upload')},
    position INTEGER NOT NULL,
    ${d.json('extra')}
  )`);
  out.push(`CREATE INDEX idx_grabs_item ON grabs(item_id)`);
  out.push(`CREATE INDEX idx_grabs_at ON grabs(at)`);

  // Whole-document settings (one row per legacy document: settings, verify, metadata, organizer,
  // subtitle-automation, monitor, quality (the per-kind map), indexer sources, ...).
  out.push(`CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    ${d.json('value', { notNull: true })},
    ${created}, ${updated}
  )`);

  out.push(`CREATE TABLE app_state (
    key TEXT PRIMARY KEY,
    ${d.json('value', { notNull: true })},
    ${ts('updated_at', { notNull: true, defaultNow: true })}
  )`);

  // Database-backed job queue (orphaned `running` jobs are re-queued on boot).
  out.push(`CREATE TABLE jobs (
    id TEXT PRIMARY KEY,
    type TEXT NOT NULL,
    ${d.json('payload', { notNull: true })},
    status TEXT NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'completed', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    max_attempts INTEGER NOT NULL DEFAULT 3,
    ${ts('run_at', { notNull: true, defaultNow: true })},
    locked_by TEXT,
    ${ts('locked_at')},
    ${d.json('result')},
    error TEXT,
    ${created}, ${updated}
  )`);
  out.push(`CREATE INDEX idx_jobs_status_run_at ON jobs(status, run_at)`);

  out.push(`CREATE TABLE import_runs (
    id TEXT PRIMARY KEY,
    source_dir TEXT NOT NULL,
    ${ts('started_at', { notNull: true, defaultNow: true })},
    ${ts('finished_at')},
    status TEXT NOT NULL CHECK (status IN ('running', 'completed', 'failed')),
    ${d.bool('dry_run', { notNull: true, default: false })},
    exit_code INTEGER,
    ${d.json('report')}
  )`);

  // Records an import could not put into a column, kept verbatim with where they came from.
  out.push(`CREATE TABLE import_quarantine (
    id TEXT PRIMARY KEY,
    import_id TEXT REFERENCES import_runs(id) ON DELETE SET NULL,
    file TEXT NOT NULL,
    locator TEXT NOT NULL,
    reason TEXT NOT NULL,
    raw TEXT NOT NULL,
    raw_encoding TEXT NOT NULL DEFAULT 'json' CHECK (raw_encoding IN ('json', 'base64')),
    ${created},
    UNIQUE (file, locator)
  )`);

  out.push(`CREATE TABLE locks (
    name TEXT PRIMARY KEY,
    holder TEXT NOT NULL,
    ${ts('acquired_at', { notNull: true, defaultNow: true })},
    ${ts('heartbeat_at', { notNull: true, defaultNow: true })}
  )`);

  for (const table of UPDATED_AT_TABLES) out.push(...updatedAtTrigger(d, table));
  return out;
}

const TABLES_IN_DROP_ORDER = [
  'locks',
  'import_quarantine',
  'import_runs',
  'jobs',
  'app_state',
  'settings',
  'grabs',
  'verify_results',
  'verify_jobs',
  'quality_profiles',
  'wanted_items',
  'indexers',
  'downloaders',
  'library_items',
  'sessions',
  'users',
];

export function downStatements(engine: Engine): string[] {
  const d = ddlFor(engine);
  const out: string[] = UPDATED_AT_TABLES.map((t) => dropUpdatedAtTrigger(d, t));
  if (engine === 'sqlite') out.push('DROP TABLE IF EXISTS library_items_fts');
  for (const t of TABLES_IN_DROP_ORDER) out.push(`DROP TABLE IF EXISTS ${t}`);
  if (engine === 'postgres') out.push('DROP FUNCTION IF EXISTS mediaos_set_updated_at()');
  return out;
}

export async function up(db: Kysely<any>, engine: Engine): Promise<void> {
  for (const s of statements(engine)) await sql.raw(s).execute(db);
}

export async function down(db: Kysely<any>, engine: Engine): Promise<void> {
  for (const s of downStatements(engine)) await sql.raw(s).execute(db);
}

import type { Insertable, Kysely } from 'kysely';
import type { CliIo } from '../../../src/cli/io.js';
import { main } from '../../../src/cli.js';
import type { DatabaseTarget } from '../../../src/db/connect.js';
import type { DB } from '../../../src/db/schema.js';

/** A CliIo that records output, for running `main(argv, io)` in-process. */
export function captureIo(env: Record<string, string | undefined>, cwd: string): CliIo & { lines: string[]; errors: string[]; exitCode: number } {
  const io = {
    env,
    cwd,
    lines: [] as string[],
    errors: [] as string[],
    exitCode: 0,
    isTty: false,
    out: (line: string) => void io.lines.push(line),
    err: (line: string) => void io.errors.push(line),
    setExitCode: (code: number) => {
      io.exitCode = code;
    },
  };
  return io;
}

export async function runCli(argv: string[], env: Record<string, string | undefined>, cwd: string) {
  const io = captureIo(env, cwd);
  await main(['node', 'mediaos', ...argv], io);
  return io;
}

/** The URL form of a test target (`sqlite:PATH`, or the PostgreSQL URL with `?schema=`). */
export function targetUrl(t: DatabaseTarget): string {
  if (t.engine === 'sqlite') return `sqlite:${t.location}`;
  const u = new URL(t.location);
  u.searchParams.set('schema', t.pgSchema!);
  return u.toString();
}

/** The environment that makes `loadConfig` point at a test target. */
export function targetEnv(t: DatabaseTarget, dataDir: string): Record<string, string> {
  if (t.engine === 'sqlite') return { DATABASE_URL: `sqlite:${t.location}`, MEDIAOS_DATA_DIR: dataDir };
  return { DATABASE_URL: t.location, MEDIAOS_PG_SCHEMA: t.pgSchema!, MEDIAOS_DATA_DIR: dataDir };
}

const BIG = 2 ** 53 - 1;

/** One INSERT per row: the rows differ in which columns they set, and SQLite has no DEFAULT in a VALUES list. */
async function insertEach<T extends keyof DB>(db: Kysely<DB>, table: T, rows: readonly Insertable<DB[T]>[]): Promise<void> {
  for (const row of rows)
    await db
      .insertInto(table)
      .values(row as never)
      .execute();
}
const TITLES = ['Amélie', '東京物語', 'Ça ira 🎬', 'Zoë', 'apple', 'Ångström'];

/**
 * Rows in every data table through plain Kysely inserts: booleans (true/false/null), JSON with
 * unsorted keys, whitespace, unicode and the JSON value null, big file sizes, text keys whose
 * byte order differs from a locale's order, and library `seq` values with gaps (legacy order).
 */
export async function seedAllTables(db: Kysely<DB>, opts: { libraryRows: number }): Promise<void> {
  const at = '2025-01-02T03:04:05.678Z';
  await insertEach(db, 'users', [
    {
      id: 'u-Zed',
      email: 'zoë@example.com',
      email_lower: 'zoë@example.com',
      password_hash: 'h1',
      role: 'admin',
      created_at: at,
      updated_at: at,
      extra: '{ "z": 1, "a": { "y": [1, 2.5, "é"], "b": null } }',
    },
    { id: 'u-apple', email: 'A@example.com', email_lower: 'a@example.com', password_hash: 'h2', role: 'user', last_login_at: at, extra: null },
    { id: 'u-_under', email: 'u@example.com', email_lower: 'u@example.com', password_hash: 'h3', role: 'user', extra: 'null' },
  ]);
  await insertEach(db, 'sessions', [
    { id: 's1', user_id: 'u-Zed', token_hash: 't1', expires_at: at, user_agent: 'curl/8 "quoted" \\ back', ip: '::1' },
    { id: 's2', user_id: 'u-apple', token_hash: 't2', expires_at: at, revoked_at: at, revoke_reason: 'logout' },
  ]);

  const chunk = 1000;
  for (let start = 0; start < opts.libraryRows; start += chunk) {
    const rows = [];
    for (let i = start; i < Math.min(opts.libraryRows, start + chunk); i++) {
      const title = `${TITLES[i % TITLES.length]} ${i}`;
      rows.push({
        seq: 10 + i * 3,
        id: `item-${String(i).padStart(7, '0')}`,
        kind: (['movie', 'series', 'music', 'book'] as const)[i % 4],
        title,
        title_lower: title.toLowerCase(),
        search_text: `${title} ${i % 7 === 0 ? 'director Agnès' : ''}`,
        poster_url: i % 5 === 0 ? null : `https://img.example/${i}.jpg`,
        year: i % 9 === 0 ? null : 1950 + (i % 75),
        file_size: i === 0 ? BIG : i % 3 === 0 ? null : 4_700_000_000 + i,
        metadata: i % 4 === 0 ? null : i % 4 === 1 ? 'null' : `{"genres":["Drama","Comédie"],"rating":${(i % 100) / 10},"b":true,"a":{"n":${i}}}`,
        extra: i % 2 ? `{ "legacyKey" : "v${i}", "empty": {} , "list": [] }` : null,
        created_at: at,
        updated_at: at,
      });
    }
    await db.insertInto('library_items').values(rows).execute();
  }
  const firstItem = opts.libraryRows ? 'item-0000000' : null;

  await insertEach(db, 'downloaders', [
    {
      id: 'd1',
      client_type: 'qbittorrent',
      enabled: true,
      base_url: 'http://127.0.0.1:8081',
      username: 'admin',
      encrypted_password: 'v1:abc',
      category: 'mediaos',
      timeout_ms: 30000,
      config: '{"x":1}',
    },
    { id: 'd2', client_type: 'nzbget', enabled: false, config: null },
  ]);
  await insertEach(db, 'indexers', [
    { id: 'i-b', name: 'Manual', type: 'manual', protocol: 'torrent', enabled: true, priority: null, position: 0, config: '{}' },
    { id: 'i-a', name: 'Prowlarr ✓', type: 'prowlarr', protocol: 'both', enabled: false, priority: 25, position: 1, encrypted_api_key: 'v1:k' },
  ]);
  await insertEach(db, 'wanted_items', [
    {
      id: 'w1',
      library_item_id: firstItem,
      item_id: 'item-0000000',
      title: 'Amélie',
      kind: 'movie',
      position: 0,
      last_scan: '{"found":0}',
      metadata: '{"q":"1080p"}',
    },
    { id: 'w2', library_item_id: null, item_id: 'gone', title: 'Gone', kind: 'series', status: 'failed', position: 1 },
  ]);
  await insertEach(db, 'quality_profiles', [
    { id: 'q1', name: 'HD', upgrade_allowed: true, cutoff: '1080p', qualities: '["720p","1080p"]', min_size: 1.5, max_size: 12345.25, position: 0 },
    { id: 'q2', name: 'Any', upgrade_allowed: false, position: 1 },
    { id: 'q3', name: 'Legacy', upgrade_allowed: null, position: 2, config: '{"unknown":{"deep":[{"k":"v"}]}}' },
  ]);
  await insertEach(db, 'verify_jobs', [
    {
      id: 'vj1',
      library_item_id: firstItem,
      item_id: 'item-0000000',
      kind: 'movie',
      title: 'Amélie',
      phase: 'probe',
      status: 'completed',
      result: '{"ok":true}',
      started_at: at,
      completed_at: at,
    },
  ]);
  await insertEach(db, 'verify_results', [
    {
      key: 'movie:item-0000000',
      kind: 'movie',
      item_id: 'item-0000000',
      library_item_id: firstItem,
      issues: '[{"severity":"warn","msg":"Ünïcode"}]',
      position: 0,
    },
    { key: 'movie:Zed', kind: 'movie', item_id: 'Zed', position: 1, extra: '{"kept":true}' },
  ]);
  await insertEach(db, 'grabs', [
    { key: 'movie:item-0000000', kind: 'movie', item_id: 'item-0000000', library_item_id: firstItem, ok: true, status: '{"code":200}', at, position: 0 },
    { key: 'series:x', kind: 'series', item_id: 'x', ok: false, nzb_upload: '{"name":"x.nzb"}', position: 1 },
    { key: 'book:y', kind: 'book', item_id: 'y', ok: null, position: 2 },
  ]);
  await insertEach(db, 'settings', [
    { key: 'settings', value: '{"theme":"dark","n":1e3}' },
    { key: 'quality', value: '{"movie":"1080p"}' },
  ]);
  await insertEach(db, 'app_state', [{ key: 'storage_phase', value: '"db"' }]);
  await insertEach(db, 'jobs', [
    { id: 'j1', type: 'verify', payload: '{"id":"item-0000000"}', status: 'completed', attempts: 1, result: '{}' },
    { id: 'j2', type: 'scan', payload: '[]' },
  ]);
  await insertEach(db, 'import_runs', [
    { id: 'r1', source_dir: '/config', status: 'completed', dry_run: false, exit_code: 0, report: '{"items":3}' },
    { id: 'r2', source_dir: '/config', status: 'failed', dry_run: true },
  ]);
  await insertEach(db, 'import_quarantine', [
    { id: 'iq1', import_id: 'r1', file: 'library.json', locator: '$[3]', reason: 'bad kind', raw: '{"kind":"game"}' },
    { id: 'iq2', import_id: null, file: 'users.json', locator: '$[0]', reason: 'binary', raw: 'AAEC', raw_encoding: 'base64' },
  ]);
  await insertEach(db, 'locks', [{ name: 'importer', holder: 'pid-1', acquired_at: at, heartbeat_at: at }]);
}

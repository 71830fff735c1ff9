import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CLI_DOC, commandPaths, renderCliDoc } from '../scripts/readme-cli.js';
import { type Config, loadConfig, parseDuration } from '../src/config.js';

const root = fileURLToPath(new URL('../', import.meta.url));
const read = (path: string) => readFileSync(join(root, path), 'utf8');
const readme = read('README.md');
const configuration = read('docs/configuration.md');

/** Every variable src/config.ts reads: the keys of its env schema. */
const configVars = [...read('src/config.ts').matchAll(/^\s{2}([A-Z][A-Z0-9_]+): /gm)].map((m) => m[1]);

/**
 * The default of each variable in the words of docs/configuration.md, read from the config the
 * code builds without any variable (undefined: no fixed value, e.g. generated or taken from the database).
 */
const cwd = '/srv/mediaos';
const DEFAULTS: Record<string, (c: Config) => string | undefined> = {
  HOST: (c) => c.host,
  PORT: (c) => String(c.port),
  LOG_LEVEL: (c) => c.logLevel,
  ALLOWED_ORIGINS: (c) => (c.allowedOrigins.length ? c.allowedOrigins.join(',') : undefined),
  UPLOAD_MAX_BYTES: (c) => String(c.uploadMaxBytes),
  MEDIAOS_OPENSUBTITLES_URL: (c) => c.openSubtitlesUrl,
  DATABASE_URL: (c) => c.databaseUrl.replace(c.dataDir, '<MEDIAOS_DATA_DIR>'),
  MEDIAOS_DATA_DIR: (c) => `./${relative(cwd, c.dataDir)}`,
  MEDIAOS_BACKUP_RETENTION: (c) => String(c.backupRetention),
  MEDIAOS_BACKUP_INTERVAL_HOURS: (c) => String(c.backupIntervalHours),
  MEDIAOS_BACKUP_KEEP: () => undefined, // follows MEDIAOS_BACKUP_RETENTION
  MEDIAOS_JOB_LEASE_SECONDS: (c) => String(c.jobLeaseSeconds),
  MEDIAOS_DISK_WARN_MB: (c) => String(c.diskWarnMb),
  TRUST_PROXY: (c) => String(c.trustProxy),
  MEDIAOS_PG_POOL_MAX: (c) => String(c.pgPoolMax),
  MEDIAOS_PG_PREPARED: (c) => String(c.pgPrepared),
  MEDIAOS_PG_SYNCHRONOUS_COMMIT: (c) => c.pgSynchronousCommit,
  DATABASE_SCHEMA: (c) => c.pgSchema,
  DATABASE_READ_URLS: (c) => (c.readUrls.length ? c.readUrls.join(',') : undefined),
  MEDIAOS_REPLICA_MAX_LAG_MS: (c) => String(c.replicaMaxLagMs),
  MEDIAOS_PG_SCHEMA: (c) => c.pgSchema,
  MEDIAOS_SQLITE_CACHE_MB: (c) => String(c.sqliteCacheMb),
  MEDIAOS_SQLITE_MMAP_MB: (c) => String(c.sqliteMmapMb),
  MEDIAOS_CONFIG_DIR: (c) => `./${relative(cwd, c.configDir)}`,
  MEDIAOS_STORAGE_PHASE: (c) => c.storagePhase,
  MEDIAOS_AUTO_IMPORT: (c) => String(c.autoImport),
  JWT_SECRET: (c) => c.jwtSecret,
  ENCRYPTION_KEY: (c) => c.encryptionKey,
  MEDIAOS_OPEN_REGISTRATION: (c) => String(c.openRegistration),
  MEDIAOS_REFRESH_ROTATION: (c) => String(c.refreshRotation),
  MEDIAOS_REFRESH_GRACE_SECONDS: (c) => String(c.refreshGraceSeconds),
  MEDIAOS_SESSION_CACHE_MS: (c) => String(c.sessionCacheMs),
  MEDIAOS_WEB_DIR: () => undefined, // web/dist of the installation
  RATE_LIMIT_MAX: (c) => String(c.rateLimitMax),
  RATE_LIMIT_WINDOW: (c) => `${c.rateLimitWindowMs} ms`,
  MEDIAOS_LOGIN_RATE_LIMIT: (c) => String(c.loginRateLimitMax),
  MEDIAOS_AUDIT_RETENTION_DAYS: (c) => String(c.auditRetentionDays),
  MEDIAOS_SLOW_QUERY_MS: (c) => String(c.slowQueryMs),
  MEDIAOS_METRICS_TOKEN: (c) => c.metricsToken,
  MEDIAOS_MISSING_SEARCH_HOURS: (c) => String(c.missingSearchHours),
  MEDIAOS_MISSING_SEARCH_LIMIT: (c) => String(c.missingSearchLimit),
  MEDIAOS_START_DELAY_SECONDS: (c) => String(c.startDelaySeconds),
  MEDIAOS_TRACK_SECONDS: (c) => String(c.trackSeconds),
  MEDIAOS_RSS_SYNC_MINUTES: (c) => String(c.rssSyncMinutes),
  MEDIAOS_ALLOW_NETWORK_FS: (c) => String(c.allowNetworkFs),
  MEDIAOS_HOUSEKEEPING_HOURS: (c) => String(c.housekeepingHours),
  MEDIAOS_DB_OPTIMIZE_HOURS: (c) => String(c.dbOptimizeHours),
  MEDIAOS_WAL_CHECKPOINT_MINUTES: (c) => String(c.walCheckpointMinutes),
  MEDIAOS_INTEGRITY_CHECK_HOURS: (c) => String(c.integrityCheckHours),
  MEDIAOS_SHUTDOWN_TIMEOUT_SECONDS: (c) => String(c.shutdownTimeoutSeconds),
  MEDIAOS_WORKERS: (c) => String(c.workers),
  MEDIAOS_ARTWORK_MAX_BYTES: (c) => String(c.artworkMaxBytes),
  MEDIAOS_SCAN_WATCH: (c) => String(c.scanWatch),
  MEDIAOS_SCAN_WATCH_DEBOUNCE_MS: (c) => String(c.scanWatchDebounceMs),
  MEDIAOS_TMDB_URL: (c) => c.tmdbUrl,
  MEDIAOS_TMDB_IMAGE_URL: (c) => c.tmdbImageUrl,
  MEDIAOS_MUSICBRAINZ_URL: (c) => c.musicBrainzUrl,
  MEDIAOS_OPENLIBRARY_URL: (c) => c.openLibraryUrl,
  MEDIAOS_METADATA_CACHE_HOURS: (c) => String(c.metadataCacheHours),
  MEDIAOS_METADATA_TIMEOUT_MS: (c) => String(c.metadataTimeoutMs),
};

/** `| \`NAME\` | default | meaning |` rows of docs/configuration.md, by name. */
function documentedDefaults(): Map<string, string> {
  const rows = [...configuration.matchAll(/^\| `([A-Z][A-Z0-9_]+)` \| ([^|]+) \|/gm)];
  return new Map(rows.map((m) => [m[1], m[2].trim()]));
}

/** GitHub's heading anchors of a markdown file. */
function anchors(markdown: string): Set<string> {
  const headings = [...markdown.matchAll(/^#{1,6} (.+)$/gm)].map((m) => m[1]);
  return new Set(
    headings.map((h) =>
      h
        .toLowerCase()
        .replace(/[^\p{L}\p{N} _-]/gu, '')
        .replace(/ /g, '-'),
    ),
  );
}

/** Written on the branch that restructures the folders; drop from here once it is merged. */
const ON_ANOTHER_BRANCH = new Set(['docs/design.md']);

describe('README.md is the front door', () => {
  it('starts with the two set-up commands, which package.json runs', () => {
    const first = readme.indexOf('npm ci && npm start');
    expect(first).toBeGreaterThan(0);
    expect(readme.indexOf('npm test')).toBeGreaterThan(first);
    expect(first).toBeLessThan(readme.indexOf('## Upgrading'));
    const scripts = JSON.parse(read('package.json')).scripts as Record<string, string>;
    expect(scripts.start).toBe('exec node bin/mediaos serve'); // exec: SIGTERM reaches the server, no orphan
    expect(scripts.test).toMatch(/^vitest run/);
    expect(scripts.lint).toBe('biome check .');
    expect(readme).toContain('`npm run lint`');
  });

  it('stays short: what changes every round lives in docs/', () => {
    expect(readme.split('\n').length).toBeLessThanOrEqual(150);
  });

  it('lists every command of the program, linked to its section of docs/cli.md', () => {
    const paths = commandPaths();
    expect(paths).toContain('serve');
    expect(paths).toContain('db copy');
    const cliAnchors = anchors(read('docs/cli.md'));
    // One row per command; its subcommands are linked in the same row: | [`mediaos user`](...) [`add`](...), ... |
    for (const p of paths) {
      const anchor = `mediaos-${p.replace(/ /g, '-')}`;
      const [top, ...sub] = p.split(' ');
      const row = readme.split('\n').find((l) => l.startsWith(`| [\`mediaos ${top}\`](docs/cli.md#mediaos-${top})`));
      expect(row, p).toBeDefined();
      if (sub.length > 0) expect(row, p).toContain(`[\`${sub.join(' ')}\`](docs/cli.md#${anchor})`);
      expect(cliAnchors, p).toContain(anchor);
    }
    const listed = [...readme.matchAll(/^\| \[`mediaos ([a-z-]+)`\]/gm)].map((m) => m[1]);
    expect(listed).toEqual(paths.filter((p) => !p.includes(' ')));
  });

  it('lists every environment variable the configuration reads, linked to docs/configuration.md', () => {
    expect(configVars.length).toBeGreaterThan(15);
    for (const v of configVars) expect(readme, v).toMatch(new RegExp(`\\[\`${v}\`\\]\\(docs/configuration\\.md#[a-z-]+\\)`));
  });

  it('links only to files and headings that exist (here and in docs/)', () => {
    const pages = ['README.md', ...readdirSync(join(root, 'docs')).map((f) => `docs/${f}`)];
    let checked = 0;
    for (const page of pages) {
      for (const [, target] of read(page).matchAll(/\]\(([^)]+)\)/g)) {
        if (/^[a-z]+:/.test(target)) continue;
        const [file, anchor] = target.split('#');
        // `(#anchor)` is a heading of the page itself.
        const path = file ? relative(root, resolve(root, dirname(page), file)) : page;
        if (ON_ANOTHER_BRANCH.has(path)) continue;
        expect(existsSync(join(root, path)), `${page}: ${target}`).toBe(true);
        if (anchor) expect(anchors(read(path)), `${page}: ${target}`).toContain(anchor);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(50);
  });
});

describe('docs/ is the manual', () => {
  it('docs/cli.md holds every command exactly as its --help prints it (npm run docs:cli regenerates it)', async () => {
    expect(readFileSync(CLI_DOC, 'utf8')).toBe(await renderCliDoc());
  });

  it('docs/configuration.md documents every environment variable with the default the code uses, and no other', () => {
    const documented = documentedDefaults();
    expect([...documented.keys()].sort()).toEqual([...configVars].sort());
    expect(Object.keys(DEFAULTS).sort()).toEqual([...configVars].sort());
    const config = loadConfig({}, cwd);
    for (const v of configVars) {
      const doc = documented.get(v)!;
      const literal = /^`([^`]+)`$/.exec(doc)?.[1];
      const actual = DEFAULTS[v](config);
      if (actual === undefined) {
        expect(literal, `${v}: documented as a value, but the code has none`).toBeUndefined();
      } else if (v === 'RATE_LIMIT_WINDOW') {
        expect(literal && `${parseDuration(literal, v)} ms`, v).toBe(actual);
      } else {
        expect(literal, v).toBe(actual);
      }
    }
  });
});

import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, parseDuration, redactUrl } from '../src/config.js';
import { ensureInstanceSecrets } from '../src/secrets-file.js';

describe('loadConfig', () => {
  it('has the documented defaults', () => {
    const c = loadConfig({}, '/srv/mediaos');
    expect(c).toMatchObject({
      engine: 'sqlite',
      databaseLocation: '/srv/mediaos/data/mediaos.db',
      dataDir: '/srv/mediaos/data',
      configDir: '/srv/mediaos/config',
      host: '0.0.0.0',
      port: 8080,
      storagePhase: undefined,
      openRegistration: false,
      autoImport: true,
      rateLimitMax: 1000,
      rateLimitWindowMs: 60_000,
      pgPoolMax: 10,
      sqliteCacheMb: 32,
      sqliteMmapMb: 0,
    });
  });

  it('selects PostgreSQL from DATABASE_URL and a SQLite path relative to the cwd', () => {
    expect(loadConfig({ DATABASE_URL: 'postgres://u:p@db/x' }, '/a')).toMatchObject({ engine: 'postgres', databaseLocation: 'postgres://u:p@db/x' });
    expect(loadConfig({ DATABASE_URL: 'sqlite:./x/y.db' }, '/a').databaseLocation).toBe(resolve('/a/x/y.db'));
    expect(loadConfig({ MEDIAOS_DATA_DIR: '/d' }, '/a').databaseLocation).toBe('/d/mediaos.db');
  });

  it.each([
    [{ PORT: 'eighty' }, /PORT must be an integer/],
    [{ JWT_SECRET: 'short' }, /JWT_SECRET must be at least 32 characters/],
    [{ ENCRYPTION_KEY: 'short' }, /ENCRYPTION_KEY must be at least 32 characters/],
    [{ MEDIAOS_STORAGE_PHASE: 'both' }, /MEDIAOS_STORAGE_PHASE must be one of files, dual-read-files, dual-read-db, db/],
    [{ DATABASE_URL: 'mysql://x' }, /DATABASE_URL must start with sqlite: or postgres:\/\//],
    [{ MEDIAOS_OPEN_REGISTRATION: 'maybe' }, /MEDIAOS_OPEN_REGISTRATION must be true or false/],
    [{ LOG_LEVEL: 'loud' }, /LOG_LEVEL must be one of/],
    [{ RATE_LIMIT_WINDOW: 'soon' }, /RATE_LIMIT_WINDOW must be milliseconds/],
    [{ MEDIAOS_SQLITE_MMAP_MB: '-1' }, /MEDIAOS_SQLITE_MMAP_MB/],
  ])('names the variable in the error for %j', (env, message) => {
    expect(() => loadConfig(env as Record<string, string>, '/a')).toThrow(ConfigError);
    expect(() => loadConfig(env as Record<string, string>, '/a')).toThrow(message);
  });

  it('parses durations and redacts URLs', () => {
    expect(parseDuration('60000', 'X')).toBe(60000);
    expect(parseDuration('1 minute', 'X')).toBe(60000);
    expect(parseDuration('30 seconds', 'X')).toBe(30000);
    expect(parseDuration('2 hours', 'X')).toBe(7_200_000);
    expect(parseDuration('250ms', 'X')).toBe(250);
    expect(redactUrl('postgres://bob:s3cret@db:5432/x')).toBe('postgres://bob:***@db:5432/x');
    expect(() => loadConfig({ DATABASE_URL: 'mysql://bob:s3cret@x' }, '/a')).toThrow(/bob:\*\*\*@x/);
  });
});

describe('instance secrets', () => {
  it('generates strong keys once into a 0600 file and reuses them; env wins', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mediaos-secrets-'));
    const config = loadConfig({ MEDIAOS_DATA_DIR: dir }, dir);
    const first = ensureInstanceSecrets(config);
    expect(first.generated).toBe(true);
    expect(first.jwtSecret.length).toBeGreaterThanOrEqual(32);
    expect(first.encryptionKey.length).toBeGreaterThanOrEqual(32);
    expect(statSync(first.file).mode & 0o777).toBe(0o600);
    const second = ensureInstanceSecrets(config);
    expect(second.generated).toBe(false);
    expect(second.jwtSecret).toBe(first.jwtSecret);
    const fromEnv = ensureInstanceSecrets(loadConfig({ MEDIAOS_DATA_DIR: dir, JWT_SECRET: 'j'.repeat(40) }, dir));
    expect(fromEnv.jwtSecret).toBe('j'.repeat(40));
    expect(fromEnv.encryptionKey).toBe(first.encryptionKey);
    expect(JSON.parse(readFileSync(first.file, 'utf8')).jwtSecret).toBe(first.jwtSecret);
  });
});

describe('ALLOWED_ORIGINS', () => {
  it('parses a list of origins and rejects anything else by name', () => {
    expect(loadConfig({}, '/a').allowedOrigins).toEqual([]);
    expect(loadConfig({ ALLOWED_ORIGINS: 'https://a.example, http://b.example:8080/' }, '/a').allowedOrigins).toEqual([
      'https://a.example',
      'http://b.example:8080',
    ]);
    expect(() => loadConfig({ ALLOWED_ORIGINS: 'a.example' }, '/a')).toThrow(/ALLOWED_ORIGINS must be/);
    expect(() => loadConfig({ ALLOWED_ORIGINS: 'https://a.example/path' }, '/a')).toThrow(/ALLOWED_ORIGINS must be/);
  });
});

describe('TRUST_PROXY', () => {
  it('is false by default and takes true, a hop count or proxy addresses/CIDRs', () => {
    expect(loadConfig({}, '/a').trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: 'false' }, '/a').trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: 'TRUE' }, '/a').trustProxy).toBe(true);
    expect(loadConfig({ TRUST_PROXY: '2' }, '/a').trustProxy).toBe(2);
    expect(loadConfig({ TRUST_PROXY: '127.0.0.1, 10.0.0.0/8,::1,fd00::/8' }, '/a').trustProxy).toEqual(['127.0.0.1', '10.0.0.0/8', '::1', 'fd00::/8']);
  });

  it('refuses anything else, naming the variable and the bad entry', () => {
    for (const bad of ['proxy.local', '10.0.0.0/33', '10.0.0.1/8/1', '::1/129', '101', 'maybe']) {
      expect(() => loadConfig({ TRUST_PROXY: bad }, '/a')).toThrow(/^TRUST_PROXY must be true, false, a hop count/);
    }
    expect(() => loadConfig({ TRUST_PROXY: '127.0.0.1,nope' }, '/a')).toThrow('(got "nope")');
  });
});

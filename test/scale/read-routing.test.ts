import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { isReadOnlyStatement, replicaName } from '../../src/db/read-replicas.js';

describe('read routing rules', () => {
  it('sends only plain reads to a replica', () => {
    expect(isReadOnlyStatement('select * from library_items where id = $1')).toBe(true);
    expect(isReadOnlyStatement('  SELECT count(*) from jobs')).toBe(true);
    expect(isReadOnlyStatement('show server_version')).toBe(true);
    for (const write of [
      'insert into users values ($1)',
      'update jobs set status = $1',
      'delete from sessions',
      'begin',
      'with x as (delete from jobs returning id) select * from x',
      'select id from jobs where status = $1 for update skip locked',
      'select * from t for share',
      'select pg_notify($1, $2)',
      "select nextval('s')",
      'select pg_try_advisory_lock(1)',
      "select set_config('search_path', 'x', false)",
    ]) {
      expect(isReadOnlyStatement(write), write).toBe(false);
    }
  });

  it('names a replica without its credentials', () => {
    expect(replicaName('postgres://u:secret@db2.example:5433/media')).toBe('db2.example:5433/media');
    expect(replicaName('postgres://db3/media')).toBe('db3:5432/media');
    expect(replicaName('not a url')).toBe('replica');
  });

  it('reads DATABASE_READ_URLS and MEDIAOS_REPLICA_MAX_LAG_MS, refusing what cannot work', () => {
    const pgEnv = { DATABASE_URL: 'postgres://u@primary/db' };
    expect(loadConfig(pgEnv)).toMatchObject({ readUrls: [], replicaMaxLagMs: 5000 });
    expect(loadConfig({ ...pgEnv, DATABASE_READ_URLS: ' postgres://r1/db, postgresql://r2/db ,', MEDIAOS_REPLICA_MAX_LAG_MS: '250' })).toMatchObject({
      readUrls: ['postgres://r1/db', 'postgresql://r2/db'],
      replicaMaxLagMs: 250,
    });
    expect(() => loadConfig({ ...pgEnv, DATABASE_READ_URLS: 'mysql://u:pw@r1/db' })).toThrow(
      /DATABASE_READ_URLS must be comma-separated postgres:\/\/ URLs \(got "mysql:\/\/u:\*\*\*@r1\/db"\)/,
    );
    expect(() => loadConfig({ DATABASE_READ_URLS: 'postgres://r1/db' })).toThrow(/DATABASE_READ_URLS needs a postgres:\/\/ DATABASE_URL/);
    expect(() => loadConfig({ ...pgEnv, MEDIAOS_REPLICA_MAX_LAG_MS: '-1' })).toThrow(/MEDIAOS_REPLICA_MAX_LAG_MS must be an integer/);
  });
});

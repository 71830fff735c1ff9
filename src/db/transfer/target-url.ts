import { resolve } from 'node:path';
import { redactUrl } from '../../config.js';
import type { DatabaseTarget } from '../connect.js';

/**
 * Database URLs given on the command line (`db copy --to/--from`):
 * - `sqlite:PATH` (relative to the working directory; `sqlite:///abs/path` also accepted);
 * - `postgres://user:pass@host:port/db` or `postgresql://...`, with an optional
 *   `schema=NAME` query parameter that selects the PostgreSQL schema (search_path), like
 *   MEDIAOS_PG_SCHEMA does for DATABASE_URL. The parameter is removed before pg sees the URL.
 */
export function parseTargetUrl(url: string, cwd: string): DatabaseTarget {
  if (url.startsWith('sqlite:')) {
    const path = url.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
    if (!path) throw new Error('a sqlite: URL needs a file path, e.g. sqlite:./data/copy.db');
    if (path === ':memory:') throw new Error('sqlite::memory: cannot be copied to or from: use a file path');
    return { engine: 'sqlite', location: resolve(cwd, path) };
  }
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new Error(`not a valid PostgreSQL URL: ${redactUrl(url)}`);
    }
    const schema = parsed.searchParams.get('schema') ?? undefined;
    if (schema !== undefined && !/^[a-z_][a-z0-9_]*$/.test(schema)) {
      throw new Error(`schema=${schema} must be a lowercase SQL identifier`);
    }
    parsed.searchParams.delete('schema');
    return { engine: 'postgres', location: parsed.toString(), pgSchema: schema };
  }
  throw new Error(`a database URL must start with sqlite: or postgres:// (got "${redactUrl(url)}")`);
}

/** How a target is named in output: engine, location without password, schema. */
export function describeTarget(target: DatabaseTarget): string {
  if (target.engine === 'sqlite') return `sqlite:${target.location}`;
  return `${redactUrl(target.location)}${target.pgSchema ? ` (schema ${target.pgSchema})` : ''}`;
}

/** True when two targets are the same database (copying onto itself would destroy the source). */
export function sameDatabase(a: DatabaseTarget, b: DatabaseTarget): boolean {
  if (a.engine !== b.engine) return false;
  if (a.engine === 'sqlite') return resolve(a.location) === resolve(b.location);
  const norm = (t: DatabaseTarget) => {
    try {
      const u = new URL(t.location);
      return `${u.hostname}:${u.port || '5432'}${u.pathname}/${t.pgSchema ?? 'public'}`;
    } catch {
      return `${t.location}/${t.pgSchema ?? 'public'}`;
    }
  };
  return norm(a) === norm(b);
}

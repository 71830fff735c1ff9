import pg from 'pg';
import type { TestProject } from 'vitest/node';

/**
 * Decides once per run whether the PostgreSQL suite runs. The URL comes from MEDIAOS_TEST_PG_URL
 * (default: the machine's local server). Unreachable: the suite is skipped with one line saying
 * why, unless MEDIAOS_TEST_REQUIRE_PG=1 (CI), where it is a failure.
 */
export default async function setup(project: TestProject): Promise<void> {
  const url = process.env.MEDIAOS_TEST_PG_URL || 'postgres://postgres@127.0.0.1:5432/test';
  const wanted = (process.env.MEDIAOS_TEST_ENGINES || 'sqlite,postgres').split(',').map((s) => s.trim());
  if (process.env.MEDIAOS_TEST_REQUIRE_PG === '1' && !wanted.includes('postgres')) wanted.push('postgres');
  let pgUrl = '';
  if (wanted.includes('postgres')) {
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
    try {
      await client.connect();
      await client.query('select 1');
      pgUrl = url;
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      if (process.env.MEDIAOS_TEST_REQUIRE_PG === '1') {
        throw new Error(`PostgreSQL is required (MEDIAOS_TEST_REQUIRE_PG=1) but ${url.replace(/:[^:@/]*@/, ':***@')} is unreachable: ${why}`);
      }
      console.log(`PostgreSQL suite skipped: ${url.replace(/:[^:@/]*@/, ':***@')} is unreachable (${why})`);
    } finally {
      await client.end().catch(() => {});
    }
  }
  project.provide('pgUrl', pgUrl);
  project.provide(
    'engines',
    wanted.filter((e) => e !== 'postgres' || pgUrl),
  );
}

declare module 'vitest' {
  export interface ProvidedContext {
    pgUrl: string;
    engines: string[];
  }
}

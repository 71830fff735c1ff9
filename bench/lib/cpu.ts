/** Server CPU for the bench's per-request figures: the process's own, plus (PostgreSQL) its backends'. */
import { cpuMs } from './server.js';

/** application_name of our server's PostgreSQL connections (bench/run.ts sets PGAPPNAME). */
export const OURS_APP_NAME = 'mediaos-bench-server';

interface CpuMark {
  pid: number;
  pgUrl?: string;
  appName: string;
  byPid: Map<number, number>;
}

/** CPU used so far by a process and (PostgreSQL) by the backends of its connections, by pid. */
export async function cpuWithBackends(pid: number, pgUrl: string | undefined, appName: string): Promise<CpuMark> {
  const byPid = new Map<number, number>([[pid, cpuMs(pid)]]);
  for (const p of pgUrl ? await backendPids(pgUrl, appName) : []) byPid.set(p, cpuMsOrZero(p));
  return { pid, pgUrl, appName, byPid };
}

/** CPU used since the mark; a backend started meanwhile counts from zero. */
export async function cpuSince(mark: CpuMark): Promise<number> {
  let used = cpuMs(mark.pid) - (mark.byPid.get(mark.pid) ?? 0);
  for (const p of mark.pgUrl ? await backendPids(mark.pgUrl, mark.appName) : []) used += cpuMsOrZero(p) - (mark.byPid.get(p) ?? 0);
  return used;
}

function cpuMsOrZero(pid: number): number {
  try {
    return cpuMs(pid);
  } catch {
    return 0; // gone (or on another machine)
  }
}

async function backendPids(url: string, appName: string): Promise<number[]> {
  const pg = (await import('pg')).default;
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query<{ pid: number }>('select pid from pg_stat_activity where application_name = $1', [appName])).rows.map((r) => r.pid);
  } finally {
    await c.end();
  }
}

/**
 * The free-space check before whatever writes a lot (an import and its backups, a backup, a
 * schema migration, `db copy`): an estimate of what it will write, compared with what the file
 * system holds free, so a full disk refuses up front with numbers instead of failing halfway
 * with a bare ENOSPC. The estimates are the callers' (see space-needs.ts and migration/import.ts);
 * PostgreSQL's disk is the server's: not probed.
 */
import { existsSync, readdirSync, statfsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** Bytes available to us on the file system holding `path` (which exists). Injectable for tests. */
export type FreeSpaceProbe = (path: string) => number;

export const statfsProbe: FreeSpaceProbe = (path) => {
  const s = statfsSync(path);
  return s.bavail * s.bsize;
};

export interface SpaceNeed {
  /** Where it is written (a file or directory; need not exist yet). */
  path: string;
  bytes: number;
  /** What it is, with how the figure was made (for the message). */
  what: string;
}

export class NotEnoughSpaceError extends Error {
  override name = 'NotEnoughSpaceError';
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(1)} ${units[i]}`;
}

/** Total size of the regular files under `dir` (0 when it does not exist). */
export function directoryBytes(dir: string): number {
  if (!existsSync(dir)) return 0;
  let total = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) total += directoryBytes(p);
    else if (e.isFile()) total += statSync(p).size;
  }
  return total;
}

/** The nearest ancestor of `path` that exists (where the file system can be asked). */
function existing(path: string): string {
  let p = path;
  while (!existsSync(p) && dirname(p) !== p) p = dirname(p);
  return p;
}

/**
 * Throws NotEnoughSpaceError when the needs that land on one file system add up to more than it
 * has free. Needs on one device are summed; the message lists every need and the free space.
 */
export function checkFreeSpace(needs: SpaceNeed[], probe: FreeSpaceProbe = statfsProbe): void {
  const byDevice = new Map<number, { at: string; needs: SpaceNeed[] }>();
  for (const need of needs.filter((n) => n.bytes > 0)) {
    const at = existing(need.path);
    const dev = statSync(at).dev;
    const group = byDevice.get(dev) ?? { at, needs: [] };
    group.needs.push(need);
    byDevice.set(dev, group);
  }
  for (const { at, needs: group } of byDevice.values()) {
    const free = probe(at);
    const total = group.reduce((n, g) => n + g.bytes, 0);
    if (total <= free) continue;
    const list = group.map((g) => `${g.what} about ${formatBytes(g.bytes)} in ${g.path}`).join('; ');
    throw new NotEnoughSpaceError(
      `not enough free space on the file system of ${at}: ${formatBytes(free)} free, about ${formatBytes(total)} needed (${list}); free some space or point MEDIAOS_DATA_DIR / DATABASE_URL at a larger disk`,
    );
  }
}

import { statfs } from 'node:fs/promises';

export interface DiskSpace {
  /** MB available to this (unprivileged) process; undefined when the directory cannot be read. */
  freeMb?: number;
  totalMb?: number;
  /** The errno code when the directory could not be examined (e.g. ENOENT). */
  error?: string;
}

const MB = 1024 * 1024;

/** Free space of the file system holding `dir` (statfs: blocks available to non-root users). */
export async function diskSpace(dir: string): Promise<DiskSpace> {
  try {
    const s = await statfs(dir);
    return { freeMb: Math.floor((s.bavail * s.bsize) / MB), totalMb: Math.floor((s.blocks * s.bsize) / MB) };
  } catch (err) {
    return { error: (err as NodeJS.ErrnoException).code ?? 'error' };
  }
}

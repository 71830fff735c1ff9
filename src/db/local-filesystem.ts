/**
 * SQLite on a network file system loses data: its locks (POSIX advisory locks, and the shared
 * memory the write-ahead log needs) are not honoured reliably by NFS, SMB/CIFS, FUSE mounts such
 * as sshfs, or 9p. Before a SQLite file is opened for writing, the mount that holds it is looked
 * up in the mount table (/proc/self/mountinfo: the longest mount point that is a prefix of the
 * file's real path) and a network file system is refused unless MEDIAOS_ALLOW_NETWORK_FS=1.
 */
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';

export const MOUNTINFO_PATH = '/proc/self/mountinfo';

/** File system types that are remote (or FUSE, which covers sshfs, rclone, s3fs, ...). */
const NETWORK_TYPES = new Set([
  'nfs',
  'nfs4',
  'cifs',
  'smb',
  'smb2',
  'smb3',
  'smbfs',
  '9p',
  'afs',
  'ceph',
  'glusterfs',
  'lustre',
  'gpfs',
  'ocfs2',
  'gfs2',
  'ncpfs',
  'coda',
  'davfs',
  'fuse',
  'fuseblk',
  'virtiofs',
]);

export interface MountEntry {
  mountPoint: string;
  fsType: string;
  source: string;
}

export class NetworkFilesystemError extends Error {
  override name = 'NetworkFilesystemError';
}

/** Undoes the octal escapes (`\040` for a space) the kernel writes into mount points. */
function unescapeOctal(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_m, oct: string) => String.fromCharCode(Number.parseInt(oct, 8)));
}

/** Parses /proc/self/mountinfo text (proc(5): fields, ` - `, fs type, source, super options). */
export function parseMountInfo(text: string): MountEntry[] {
  const out: MountEntry[] = [];
  for (const line of text.split('\n')) {
    const [left, right] = line.split(' - ');
    if (!left || !right) continue;
    const mountPoint = left.split(' ')[4];
    const [fsType, source] = right.split(' ');
    if (mountPoint && fsType) out.push({ mountPoint: unescapeOctal(mountPoint), fsType, source: unescapeOctal(source ?? '') });
  }
  return out;
}

/** The mount holding `path`: the longest mount point that is `path` or one of its parents (later mounts win ties). */
export function mountOf(path: string, mounts: MountEntry[]): MountEntry | undefined {
  let best: MountEntry | undefined;
  for (const m of mounts) {
    const root = m.mountPoint.endsWith(sep) ? m.mountPoint : `${m.mountPoint}${sep}`;
    const inside = path === m.mountPoint || path.startsWith(root) || m.mountPoint === sep;
    if (inside && (!best || m.mountPoint.length >= best.mountPoint.length)) best = m;
  }
  return best;
}

export function isNetworkFilesystem(fsType: string): boolean {
  const base = fsType.toLowerCase();
  return NETWORK_TYPES.has(base) || base.startsWith('fuse.') || base.startsWith('nfs');
}

/** The real path of `path`, or of its nearest existing parent (the file may not exist yet). */
function realPathOf(path: string): string {
  let p = path;
  while (!existsSync(p) && dirname(p) !== p) p = dirname(p);
  return join(realpathSync(p), relative(p, path));
}

/**
 * Throws NetworkFilesystemError when the SQLite file `location` lies on a network file system.
 * `mountInfoPath` is the mount table to read (tests pass a file of their own); when it cannot be
 * read (not Linux) nothing is checked.
 */
export function assertLocalFilesystem(location: string, mountInfoPath: string = MOUNTINFO_PATH): void {
  let text: string;
  try {
    text = readFileSync(mountInfoPath, 'utf8');
  } catch {
    return;
  }
  const real = realPathOf(location);
  const mount = mountOf(real, parseMountInfo(text));
  if (!mount || !isNetworkFilesystem(mount.fsType)) return;
  throw new NetworkFilesystemError(
    `refusing to open the SQLite database ${location}: ${mount.mountPoint} is a network file system (${mount.fsType} from ${mount.source}), ` +
      'where SQLite locking is unreliable and the database can be corrupted; move MEDIAOS_DATA_DIR (or DATABASE_URL) to a local disk, ' +
      'use PostgreSQL, or set MEDIAOS_ALLOW_NETWORK_FS=1 to open it anyway',
  );
}

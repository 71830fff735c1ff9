import { existsSync, mkdirSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { openDatabase } from '../../src/db/connect.js';
import { assertLocalFilesystem, isNetworkFilesystem, mountOf, parseMountInfo } from '../../src/db/local-filesystem.js';
import { startServer } from '../../src/server.js';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/engines.js';

/** A mount table (proc(5) format) with the real root, and `dir` mounted as `fsType`. */
function mountTable(dir: string, fsType: string, source = 'nas:/export/media'): string {
  const esc = realpathSync(dir).replace(/ /g, '\\040');
  return [
    '26 1 254:0 / / rw,relatime - ext4 /dev/vda rw',
    `90 26 0:50 / ${esc} rw,relatime shared:1 - ${fsType} ${source} rw,vers=4.2`,
    `91 90 0:51 / ${esc}/local-sub rw,relatime - ext4 /dev/vdb rw`,
  ].join('\n');
}

describe('the network file system check', () => {
  it('parses mountinfo (escaped spaces, optional fields) and finds the longest mount point', () => {
    const mounts = parseMountInfo(
      '36 35 98:0 /mnt1 /mnt/my\\040share rw,noatime master:1 - cifs //srv/share rw\n26 1 254:0 / / rw - ext4 /dev/vda rw\nbad line',
    );
    expect(mounts).toEqual([
      { mountPoint: '/mnt/my share', fsType: 'cifs', source: '//srv/share' },
      { mountPoint: '/', fsType: 'ext4', source: '/dev/vda' },
    ]);
    expect(mountOf('/mnt/my share/data/mediaos.db', mounts)?.fsType).toBe('cifs');
    expect(mountOf('/mnt/my shared/x', mounts)?.fsType).toBe('ext4');
    expect(mountOf('/mnt/my share', mounts)?.fsType).toBe('cifs');
    for (const t of ['nfs', 'nfs4', 'cifs', 'smb3', '9p', 'fuse.sshfs', 'fuse', 'fuse.rclone', 'glusterfs']) expect(isNetworkFilesystem(t), t).toBe(true);
    for (const t of ['ext4', 'xfs', 'btrfs', 'zfs', 'tmpfs', 'overlay']) expect(isNetworkFilesystem(t), t).toBe(false);
  });

  it('refuses a SQLite file on NFS naming the path, the type and the override; opens it on a local disk or with the override', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const nas = join(dir, 'nas');
      mkdirSync(join(nas, 'local-sub'), { recursive: true });
      const table = join(dir, 'mountinfo');
      writeFileSync(table, mountTable(nas, 'nfs4'));
      const file = join(nas, 'data', 'mediaos.db');
      expect(() => openDatabase({ engine: 'sqlite', location: file, createDirectory: true, mountInfoPath: table })).toThrow(
        new RegExp(
          `refusing to open the SQLite database ${file}: .*nas is a network file system \\(nfs4 from nas:/export/media\\).*MEDIAOS_ALLOW_NETWORK_FS=1`,
        ),
      );
      expect(existsSync(file)).toBe(false); // nothing created
      // through a symlink: the real path counts
      symlinkSync(nas, join(dir, 'link'));
      expect(() => assertLocalFilesystem(join(dir, 'link', 'x.db'), table)).toThrow(/nfs4/);
      // a local mount below the network one, the override, readonly, no mount table: opened
      const local = openDatabase({ engine: 'sqlite', location: join(nas, 'local-sub', 'a.db'), mountInfoPath: table });
      await local.close();
      const forced = openDatabase({ engine: 'sqlite', location: join(nas, 'b.db'), mountInfoPath: table, allowNetworkFs: true });
      await forced.close();
      expect(() => assertLocalFilesystem(join(nas, 'c.db'), join(dir, 'no-such-mountinfo'))).not.toThrow();
      // the real mount table of this machine: the temp dir is local
      expect(() => assertLocalFilesystem(join(dir, 'd.db'))).not.toThrow();
    } finally {
      cleanup();
    }
  });

  it('`serve` refuses a data dir reported as SMB, and the CLI honours MEDIAOS_ALLOW_NETWORK_FS', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const data = join(dir, 'data');
      mkdirSync(data);
      const table = join(dir, 'mountinfo');
      writeFileSync(table, mountTable(data, 'cifs', '//nas/media'));
      const config = loadConfig({ MEDIAOS_DATA_DIR: data, HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'silent' }, dir);
      await expect(startServer(config, { print: () => {}, mountInfoPath: table })).rejects.toThrow(
        /data\/mediaos\.db: .*data is a network file system \(cifs from \/\/nas\/media\).*set MEDIAOS_ALLOW_NETWORK_FS=1/,
      );
      expect(existsSync(join(data, 'mediaos.db'))).toBe(false);
      expect(loadConfig({ MEDIAOS_ALLOW_NETWORK_FS: '1' }).allowNetworkFs).toBe(true);
      expect(() => loadConfig({ MEDIAOS_ALLOW_NETWORK_FS: 'maybe' })).toThrow(/MEDIAOS_ALLOW_NETWORK_FS must be true or false/);
      // with the override, the same server starts
      const server = await startServer({ ...config, allowNetworkFs: true }, { print: () => {}, mountInfoPath: table });
      await server.close();
      const r = await runCli(['migrate', 'status'], { MEDIAOS_DATA_DIR: data, MEDIAOS_ALLOW_NETWORK_FS: '1' });
      expect(r.code).toBe(0);
    } finally {
      cleanup();
    }
  });
});

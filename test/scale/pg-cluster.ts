/**
 * A throwaway PostgreSQL primary and a streaming replica of it, made with the machine's own
 * binaries (initdb, pg_ctl, pg_basebackup -R) in a temp dir, on free 127.0.0.1 ports. The
 * machine's shared server is not used: its pg_hba allows no replication connections.
 * PostgreSQL refuses to run as root: as root the programs run as the `postgres` user.
 */
import { execFileSync } from 'node:child_process';
import { appendFileSync, chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { freePort } from './cluster.js';

export function postgresBinDir(): string | undefined {
  const base = '/usr/lib/postgresql';
  if (!existsSync(base)) return undefined;
  const versions = readdirSync(base).sort((a, b) => Number(b) - Number(a));
  for (const v of versions) {
    const bin = join(base, v, 'bin');
    if (['initdb', 'pg_ctl', 'pg_basebackup', 'postgres'].every((p) => existsSync(join(bin, p)))) return bin;
  }
  return undefined;
}

/** Why the replica test cannot run here, or undefined when it can. */
export function replicaSkipReason(): string | undefined {
  if (!postgresBinDir()) return 'no PostgreSQL server binaries (initdb, pg_ctl, pg_basebackup) under /usr/lib/postgresql/*/bin';
  if (userInfo().uid === 0) {
    try {
      execFileSync('id', ['-u', 'postgres'], { stdio: 'ignore' });
    } catch {
      return 'running as root and there is no postgres user to run PostgreSQL as';
    }
  }
  return undefined;
}

export interface PgCluster {
  primaryUrl: string;
  replicaUrl: string;
  stopReplica(): void;
  startReplica(): void;
  stop(): void;
}

export async function startPgCluster(): Promise<PgCluster> {
  const bin = postgresBinDir()!;
  const asRoot = userInfo().uid === 0;
  const dir = mkdtempSync(join(tmpdir(), 'mediaos-pgcluster-'));
  chmodSync(dir, 0o755);
  const run = (prog: string, args: string[]) => {
    const cmd = asRoot ? ['runuser', '-u', 'postgres', '--', join(bin, prog), ...args] : [join(bin, prog), ...args];
    return execFileSync(cmd[0], cmd.slice(1), { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 }).toString();
  };
  if (asRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString());
    chownSync(dir, uid, gid);
  }
  const [pPort, rPort] = [await freePort(), await freePort()];
  const primary = join(dir, 'primary');
  const replica = join(dir, 'replica');
  const common = (port: number) => `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c shared_buffers=16MB -c max_connections=60`;
  run('initdb', ['-D', primary, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
  const conf = ['wal_level = replica', 'max_wal_senders = 5', 'hot_standby = on', 'wal_keep_size = 64MB'].join('\n');
  appendFileSync(join(primary, 'postgresql.conf'), `\n${conf}\n`);
  appendFileSync(join(primary, 'pg_hba.conf'), '\nhost replication all 127.0.0.1/32 trust\n');
  run('pg_ctl', ['-D', primary, '-o', common(pPort), '-l', join(dir, 'primary.log'), '-w', 'start']);
  run('pg_basebackup', ['-h', '127.0.0.1', '-p', String(pPort), '-U', 'postgres', '-D', replica, '-R', '-X', 'stream']);
  const startReplica = () => run('pg_ctl', ['-D', replica, '-o', common(rPort), '-l', join(dir, 'replica.log'), '-w', 'start']);
  const stopReplica = () => run('pg_ctl', ['-D', replica, '-m', 'immediate', '-w', 'stop']);
  startReplica();
  return {
    primaryUrl: `postgres://postgres@127.0.0.1:${pPort}/postgres`,
    replicaUrl: `postgres://postgres@127.0.0.1:${rPort}/postgres`,
    startReplica,
    stopReplica,
    stop() {
      for (const d of [replica, primary]) {
        try {
          run('pg_ctl', ['-D', d, '-m', 'immediate', '-w', 'stop']);
        } catch {
          /* already stopped */
        }
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

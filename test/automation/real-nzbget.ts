import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from './real-qbittorrent.js';

/** Is Debian's nzbget installed (the test says so and skips when not)? */
export function hasNzbget(): boolean {
  return spawnSync('nzbget', ['-v'], { encoding: 'utf8' }).status === 0;
}

export interface RealNzbget {
  url: string;
  username: string;
  password: string;
  /** Where finished downloads land (`<destDir>/<name>`; `<destDir>/<category>/<name>` with a category). */
  destDir: string;
  log: () => string;
  stop(): Promise<void>;
}

/**
 * Starts `nzbget -s` (server mode, in the foreground) with a temp config: control port on
 * 127.0.0.1 only, all its folders under `root`, one news server (`news`, e.g. a local NNTP server)
 * or none, no unpack (Debian's package has no unrar), no disk-space check. Resolves when its
 * JSON-RPC answers `version`.
 */
export async function startRealNzbget(root: string, news?: { host: string; port: number }): Promise<RealNzbget> {
  const port = await freePort();
  const main = join(root, 'nzbget');
  mkdirSync(main, { recursive: true });
  const username = 'mediaos';
  const password = 'nzbget-test-pass-9e1c';
  const lines = [
    `MainDir=${main}`,
    `DestDir=${join(main, 'dst')}`,
    `InterDir=${join(main, 'inter')}`,
    `NzbDir=${join(main, 'nzb')}`,
    `QueueDir=${join(main, 'queue')}`,
    `TempDir=${join(main, 'tmp')}`,
    `ScriptDir=${join(main, 'scripts')}`,
    `LockFile=${join(main, 'nzbget.lock')}`,
    `LogFile=${join(main, 'nzbget.log')}`,
    'WebDir=',
    'ControlIP=127.0.0.1',
    `ControlPort=${port}`,
    `ControlUsername=${username}`,
    `ControlPassword=${password}`,
    'RestrictedUsername=',
    'AddUsername=',
    'SecureControl=no',
    'FormAuth=no',
    'AuthorizedIP=127.0.0.1',
    'WriteLog=append',
    'OutputMode=loggable',
    'DetailTarget=log',
    'DebugTarget=none',
    'DiskSpace=0',
    'Unpack=no',
    'ParCheck=manual',
    'HealthCheck=delete',
    'ArticleRetries=0',
    'ArticleTimeout=5',
    'UrlRetries=0',
    'UrlTimeout=5',
    'UpdateInterval=200',
    'AppendCategoryDir=yes',
    'Category1.Name=movies',
    'Category2.Name=tv',
  ];
  if (news)
    lines.push(
      'Server1.Active=yes',
      'Server1.Name=local',
      'Server1.Level=0',
      `Server1.Host=${news.host}`,
      `Server1.Port=${news.port}`,
      'Server1.Encryption=no',
      'Server1.Connections=2',
      'Server1.JoinGroup=no',
    );
  const conf = join(main, 'nzbget.conf');
  writeFileSync(conf, `${lines.join('\n')}\n`);
  let out = '';
  const child: ChildProcess = spawn('nzbget', ['-c', conf, '-s'], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, HOME: root } });
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const auth = `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`nzbget exited: ${out}`);
    try {
      const r = await fetch(`${url}/jsonrpc`, {
        method: 'POST',
        headers: { authorization: auth },
        body: JSON.stringify({ method: 'version', params: [], id: 1 }),
      });
      if (r.ok) break;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    username,
    password,
    destDir: join(main, 'dst'),
    log: () => out,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

/** Is Debian's qbittorrent-nox installed (the test says so and skips when not)? */
export function hasQbittorrentNox(): boolean {
  return spawnSync('qbittorrent-nox', ['--version'], { encoding: 'utf8' }).status === 0;
}

/** A free TCP port on 127.0.0.1 (bound and released). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

type Bencodable = number | string | Buffer | Bencodable[] | { [key: string]: Bencodable };

/** BEP 3 bencoding (dictionary keys sorted as raw bytes). */
export function bencode(v: Bencodable): Buffer {
  if (typeof v === 'number') return Buffer.from(`i${Math.trunc(v)}e`);
  if (typeof v === 'string' || Buffer.isBuffer(v)) {
    const b = Buffer.isBuffer(v) ? v : Buffer.from(v, 'utf8');
    return Buffer.concat([Buffer.from(`${b.length}:`), b]);
  }
  if (Array.isArray(v)) return Buffer.concat([Buffer.from('l'), ...v.map(bencode), Buffer.from('e')]);
  const keys = Object.keys(v).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  return Buffer.concat([Buffer.from('d'), ...keys.flatMap((k) => [bencode(k), bencode(v[k])]), Buffer.from('e')]);
}

/** A single-file v1 `.torrent` of `data` named `name`, and its info-hash (hex). No reachable tracker. */
export function makeTorrent(name: string, data: Buffer, pieceLength = 16384): { file: Buffer; infoHash: string } {
  const pieces: Buffer[] = [];
  for (let i = 0; i < data.length; i += pieceLength)
    pieces.push(
      createHash('sha1')
        .update(data.subarray(i, i + pieceLength))
        .digest(),
    );
  const info = { name, length: data.length, 'piece length': pieceLength, pieces: Buffer.concat(pieces), private: 1 };
  const file = bencode({ announce: 'http://127.0.0.1:9/announce', 'created by': 'mediaos test', info });
  return { file, infoHash: createHash('sha1').update(bencode(info)).digest('hex') };
}

export interface RealQbit {
  url: string;
  savePath: string;
  log: () => string;
  stop(): Promise<void>;
}

/**
 * Starts qbittorrent-nox on 127.0.0.1 with a temp profile: Web UI on a free port with no login
 * for localhost, peers only on the loopback interface (no DHT/LSD/PeX/UPnP), downloads into
 * `savePath`. Resolves when the Web API answers.
 */
export async function startRealQbit(root: string): Promise<RealQbit> {
  const [webPort, peerPort] = [await freePort(), await freePort()];
  const profile = join(root, 'qbt-profile');
  const savePath = join(root, 'downloads');
  mkdirSync(join(profile, 'qBittorrent', 'config'), { recursive: true });
  mkdirSync(savePath, { recursive: true });
  const conf = [
    '[LegalNotice]',
    'Accepted=true',
    '',
    '[BitTorrent]',
    `Session\\DefaultSavePath=${savePath}`,
    `Session\\Port=${peerPort}`,
    'Session\\Interface=lo',
    'Session\\InterfaceName=lo',
    'Session\\InterfaceAddress=127.0.0.1',
    'Session\\DHTEnabled=false',
    'Session\\LSDEnabled=false',
    'Session\\PeXEnabled=false',
    'Session\\AnonymousModeEnabled=true',
    '',
    '[Preferences]',
    'WebUI\\Address=127.0.0.1',
    `WebUI\\Port=${webPort}`,
    'WebUI\\LocalHostAuth=false',
    'WebUI\\CSRFProtection=false',
    'WebUI\\HostHeaderValidation=false',
    'WebUI\\UseUPnP=false',
    'Connection\\UPnP=false',
    `Downloads\\SavePath=${savePath}`,
    'General\\Locale=en',
    '',
  ].join('\n');
  writeFileSync(join(profile, 'qBittorrent', 'config', 'qBittorrent.conf'), conf);
  let out = '';
  const child: ChildProcess = spawn('qbittorrent-nox', [`--profile=${profile}`, `--webui-port=${webPort}`], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, HOME: root },
  });
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${webPort}`;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`qbittorrent-nox exited: ${out}`);
    try {
      const r = await fetch(`${url}/api/v2/app/version`);
      if (r.ok) break;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    savePath,
    log: () => out,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

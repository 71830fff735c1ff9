/**
 * A tiny tar.gz writer (POSIX ustar, with a PAX header for long names) for the legacy config
 * backup: regular files and directories only, streamed file by file, so a 350 MB library.json
 * never sits in memory. Readable by `tar -xzf` and every archive tool.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { readdir, rename, rm, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';

const BLOCK = 512;

function octal(n: number, width: number): string {
  return `${n.toString(8).padStart(width - 1, '0')}\0`;
}

function header(name: string, size: number, mtime: number, type: '0' | '5' | 'x', mode: number): Buffer {
  const h = Buffer.alloc(BLOCK, 0);
  h.write(name, 0, 100, 'utf8');
  h.write(octal(mode, 8), 100, 'ascii');
  h.write(octal(0, 8), 108, 'ascii');
  h.write(octal(0, 8), 116, 'ascii');
  h.write(octal(size, 12), 124, 'ascii');
  h.write(octal(Math.floor(mtime / 1000), 12), 136, 'ascii');
  h.write('        ', 148, 'ascii'); // checksum field counts as spaces
  h.write(type, 156, 'ascii');
  h.write('ustar\0', 257, 'ascii');
  h.write('00', 263, 'ascii');
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${octal(sum, 7)} `, 148, 'ascii');
  return h;
}

function pad(size: number): Buffer {
  const rest = size % BLOCK;
  return Buffer.alloc(rest === 0 ? 0 : BLOCK - rest, 0);
}

/** Header blocks for one entry: a PAX `path=` record first when the name is long or not ASCII. */
function entryHeaders(name: string, size: number, mtime: number, type: '0' | '5', mode: number): Buffer[] {
  if (Buffer.byteLength(name) <= 100 && /^[\x20-\x7e]*$/.test(name)) return [header(name, size, mtime, type, mode)];
  const body = (len: number) => `${len} path=${name}\n`;
  let len = Buffer.byteLength(body(0));
  while (Buffer.byteLength(body(len)) !== len) len = Buffer.byteLength(body(len));
  const record = Buffer.from(body(len), 'utf8');
  const short = `PaxHeaders/${name.replace(/[^\x20-\x7e]/g, '_').slice(-80)}`;
  return [header(short, record.length, mtime, 'x', 0o644), record, pad(record.length), header(name.slice(0, 100), size, mtime, type, mode)];
}

async function listFiles(root: string): Promise<{ path: string; name: string; dir: boolean }[]> {
  const out: { path: string; name: string; dir: boolean }[] = [];
  const walk = async (dir: string) => {
    const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      const path = join(dir, e.name);
      const name = relative(root, path).split(sep).join('/');
      if (e.isDirectory()) {
        out.push({ path, name: `${name}/`, dir: true });
        await walk(path);
      } else if (e.isFile()) {
        out.push({ path, name, dir: false });
      }
    }
  };
  await walk(root);
  return out;
}

async function* tarStream(root: string, prefix: string): AsyncGenerator<Buffer> {
  for (const f of await listFiles(root)) {
    const st = await stat(f.path);
    const name = `${prefix}/${f.name}`;
    if (f.dir) {
      yield* entryHeaders(name, 0, st.mtimeMs, '5', 0o755);
      continue;
    }
    yield* entryHeaders(name, st.size, st.mtimeMs, '0', 0o644);
    let written = 0;
    // Exactly st.size bytes, even if the file grows while we read it (the header already says so).
    for await (const chunk of createReadStream(f.path, { end: Math.max(0, st.size - 1), highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
      if (st.size === 0) break;
      written += chunk.length;
      yield chunk;
    }
    if (written < st.size) yield Buffer.alloc(st.size - written, 0);
    yield pad(st.size);
  }
  yield Buffer.alloc(BLOCK * 2, 0);
}

/**
 * Archives every file under `dir` into `target` (a .tar.gz), entries named `<prefix>/<relative
 * path>`. Written to a temp name and renamed, so a half-written archive never looks complete.
 */
export async function archiveDirectory(dir: string, target: string, prefix = 'config'): Promise<{ bytes: number }> {
  const temp = `${target}.partial`;
  try {
    await pipeline(Readable.from(tarStream(dir, prefix)), createGzip({ level: 1, chunkSize: 1 << 20 }), createWriteStream(temp, { mode: 0o600 }));
    await rename(temp, target);
  } catch (err) {
    await rm(temp, { force: true });
    const message = err instanceof Error ? err.message : String(err);
    throw new Error(`archiving ${dir} into ${target} failed: ${message}`, { cause: err });
  }
  return { bytes: (await stat(target)).size };
}

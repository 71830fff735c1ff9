/**
 * Reads a backup archive back: unpacks its members into a folder while hashing them, then checks
 * the manifest against what was unpacked. Anything wrong (not gzip, a flipped byte, a truncated
 * file, an unexpected member, a size or sha256 that differs) is a BackupArchiveError naming the
 * archive and what failed; nothing outside the folder given is written.
 */
import { createHash } from 'node:crypto';
import { closeSync, createReadStream, createWriteStream, existsSync, mkdirSync, openSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip, gunzipSync, constants as zlibConstants } from 'node:zlib';
import tar from 'tar-stream';
import { TransferRefused } from '../db/transfer/transfer-checks.js';
import { ARTWORK_MEMBER, type BackupManifest, DUMP_MEMBER, isMemberName, MANIFEST_NAME, manifestSchema, SQLITE_MEMBER } from './backup-manifest.js';

/** The archive is not a complete, intact MediaOS backup; the message says what failed. */
export class BackupArchiveError extends TransferRefused {}

const MAX_MANIFEST_BYTES = 1024 * 1024;

/** True when `file` is a tar.gz (by name, or by the ustar magic of its first block): a backup archive rather than a dump. */
export async function isBackupArchive(file: string): Promise<boolean> {
  if (/\.(tar\.gz|tgz)$/i.test(file)) return true;
  try {
    const fd = openSync(file, 'r');
    const buf = Buffer.alloc(4096);
    let n: number;
    try {
      n = readSync(fd, buf, 0, buf.length, 0);
    } finally {
      closeSync(fd);
    }
    // Z_SYNC_FLUSH: inflate what the first block holds without requiring the end of the stream.
    const head = gunzipSync(buf.subarray(0, n), { finishFlush: zlibConstants.Z_SYNC_FLUSH });
    return head.subarray(257, 262).toString('latin1') === 'ustar';
  } catch {
    return false; // missing, not gzip, or cut short: the dump reader reports it
  }
}

export interface UnpackedArchive {
  manifest: BackupManifest;
  /** Path of the unpacked database member (database.db or database.dump.gz). */
  database: string;
  /** Path of the unpacked secrets.json, when the archive has one. */
  secrets?: string;
  /** The unpacked artwork files (`<dir>/artwork/<sha256>.<ext>`). */
  artwork: string[];
}

/** Unpacks `file` into `dir` (an empty folder) and verifies every member against the manifest. */
export async function unpackBackupArchive(file: string, dir: string): Promise<UnpackedArchive> {
  const fail = (what: string) => new BackupArchiveError(`${file}: ${what}; nothing was changed`);
  if (!existsSync(file)) throw new BackupArchiveError(`the backup archive ${file} does not exist`);
  const seen = new Map<string, { size: number; sha256: string }>();
  let manifestText: string | undefined;
  const extract = tar.extract();
  const feeding = pipeline(createReadStream(file), createGunzip(), extract);
  feeding.catch(() => {}); // reported through the loop below, or awaited after it
  try {
    for await (const entry of extract) {
      const { name, type } = entry.header;
      if (type !== 'file') throw fail(`member ${name} is a ${type}, not a regular file`);
      if (seen.has(name) || (name === MANIFEST_NAME && manifestText !== undefined)) throw fail(`member ${name} appears twice`);
      if (name === MANIFEST_NAME) {
        const chunks: Buffer[] = [];
        let n = 0;
        for await (const c of entry) {
          n += (c as Buffer).length;
          if (n > MAX_MANIFEST_BYTES) throw fail('manifest.json is larger than 1 MB');
          chunks.push(c as Buffer);
        }
        manifestText = Buffer.concat(chunks).toString('utf8');
        continue;
      }
      if (!isMemberName(name)) throw fail(`unexpected member ${JSON.stringify(name)}`);
      if (ARTWORK_MEMBER.test(name)) mkdirSync(join(dir, 'artwork'), { recursive: true });
      const hash = createHash('sha256');
      let size = 0;
      const tap = new Transform({
        transform(chunk: Buffer, _enc, cb) {
          hash.update(chunk);
          size += chunk.length;
          cb(null, chunk);
        },
      });
      await pipeline(entry, tap, createWriteStream(join(dir, name), { mode: 0o600 }));
      seen.set(name, { size, sha256: hash.digest('hex') });
    }
    await feeding;
  } catch (err) {
    if (err instanceof BackupArchiveError) throw err;
    throw fail(`the archive is damaged or truncated (${(err as Error).message})`);
  }
  if (manifestText === undefined) throw fail('manifest.json is missing');
  let raw: unknown;
  try {
    raw = JSON.parse(manifestText);
  } catch {
    throw fail('manifest.json is not valid JSON');
  }
  const parsed = manifestSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw fail(`manifest.json field ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  const manifest = parsed.data;
  for (const m of manifest.members) {
    const got = seen.get(m.name);
    if (!got) throw fail(`member ${m.name} listed in the manifest is missing`);
    if (got.size !== m.size) throw fail(`member ${m.name} has ${got.size} bytes, the manifest says ${m.size}`);
    if (got.sha256 !== m.sha256) throw fail(`member ${m.name} fails its sha256 check (the file is corrupt)`);
  }
  for (const name of seen.keys()) {
    if (!manifest.members.some((m) => m.name === name)) throw fail(`member ${name} is not listed in the manifest`);
  }
  const dbMember = manifest.engine === 'sqlite' ? SQLITE_MEMBER : DUMP_MEMBER;
  if (!seen.has(dbMember)) throw fail(`a ${manifest.engine} backup must hold ${dbMember}`);
  return {
    manifest,
    database: join(dir, dbMember),
    secrets: seen.has('secrets.json') ? join(dir, 'secrets.json') : undefined,
    artwork: [...seen.keys()].filter((n) => ARTWORK_MEMBER.test(n)).map((n) => join(dir, n)),
  };
}

/** Reads only the manifest of an archive (for listings); undefined when it cannot be read. */
export async function readArchiveManifest(file: string): Promise<BackupManifest | undefined> {
  const extract = tar.extract();
  const feeding = pipeline(createReadStream(file), createGunzip(), extract);
  feeding.catch(() => {});
  try {
    for await (const entry of extract) {
      if (entry.header.name !== MANIFEST_NAME) break;
      const chunks: Buffer[] = [];
      for await (const c of entry) chunks.push(c as Buffer);
      const parsed = manifestSchema.safeParse(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      return parsed.success ? parsed.data : undefined;
    }
  } catch {
    return undefined;
  } finally {
    extract.destroy();
  }
  return undefined;
}

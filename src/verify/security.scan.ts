/**
 * The security scan of files under the media roots: name checks (security.rules.ts), the magic
 * bytes (file-type) against the extension, a `#!` script header, and the entries of zip (yauzl)
 * and tar / tar.gz (tar-stream) archives. Reads at most a few KB of a plain file; archive
 * listings stop after MAX_ENTRIES entries.
 */
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { basename } from 'node:path';
import { createGunzip } from 'node:zlib';
import { fileTypeFromFile } from 'file-type';
import tarStream from 'tar-stream';
import yauzl from 'yauzl';
import {
  EXECUTABLE_CONTENT,
  EXECUTABLE_EXTENSIONS,
  EXPECTED_CONTENT,
  extensions,
  LISTED_ARCHIVES,
  nameIssues,
  type SecurityIssue,
  UNLISTED_ARCHIVES,
} from './security.rules.js';

const MAX_ENTRIES = 10_000;
const MAX_NAMED = 20;

async function startsWithShebang(path: string): Promise<boolean> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(2);
    const { bytesRead } = await fh.read(buf, 0, 2, 0);
    return bytesRead === 2 && buf.toString('latin1') === '#!';
  } finally {
    await fh.close();
  }
}

const suspiciousEntry = (name: string) => nameIssues(basename(name)).length > 0;

async function zipEntries(path: string): Promise<string[]> {
  const zip = await yauzl.openPromise(path, { lazyEntries: true, autoClose: true, validateEntrySizes: false });
  return new Promise((resolve, reject) => {
    const names: string[] = [];
    zip.on('entry', (e: yauzl.Entry) => {
      names.push(e.fileName);
      if (names.length >= MAX_ENTRIES) {
        zip.close();
        resolve(names);
      } else zip.readEntry();
    });
    zip.on('end', () => resolve(names));
    zip.on('error', reject);
    zip.readEntry();
  });
}

async function tarEntries(path: string, gzip: boolean): Promise<string[]> {
  const names: string[] = [];
  const extract = tarStream.extract();
  const source = createReadStream(path);
  return new Promise((resolve, reject) => {
    extract.on('entry', (header, stream, next) => {
      names.push(header.name);
      stream.on('end', next);
      stream.resume();
      if (names.length >= MAX_ENTRIES) {
        source.destroy();
        resolve(names);
      }
    });
    extract.on('finish', () => resolve(names));
    extract.on('error', reject);
    source.on('error', reject);
    (gzip ? source.pipe(createGunzip()).on('error', reject) : source).pipe(extract);
  });
}

async function archiveIssues(path: string, type: string): Promise<SecurityIssue[]> {
  let names: string[];
  try {
    names = type === 'zip' || type === 'epub' ? await zipEntries(path) : await tarEntries(path, type !== 'tar');
  } catch (err) {
    return [
      {
        type: 'archive_unreadable',
        severity: 'warning',
        message: `Archive could not be listed: ${err instanceof Error ? err.message : String(err)}`,
        file: path,
      },
    ];
  }
  const bad = names.filter(suspiciousEntry);
  if (bad.length === 0) return [];
  return [
    {
      type: 'archive_contains_executable',
      severity: 'danger',
      message: `Archive contains ${bad.length} executable file(s): ${bad.slice(0, 5).join(', ')}`,
      file: path,
      details: { entries: bad.slice(0, MAX_NAMED), count: bad.length },
    },
  ];
}

/** Every finding for one regular file (the caller has checked the path). */
export async function scanFile(path: string): Promise<SecurityIssue[]> {
  const name = basename(path);
  const issues = nameIssues(name, path);
  const [ext] = extensions(name);
  const detected = (await fileTypeFromFile(path).catch(() => undefined))?.ext as string | undefined;
  const nameSaysExecutable = ext !== undefined && EXECUTABLE_EXTENSIONS.has(ext);
  if (detected !== undefined && EXECUTABLE_CONTENT.has(detected) && !nameSaysExecutable) {
    issues.push({
      type: 'executable_content',
      severity: 'critical',
      message: `Content is a program (${detected}) but the name says .${ext ?? '(none)'}`,
      file: path,
    });
  } else if (detected === undefined && !nameSaysExecutable && (await startsWithShebang(path))) {
    issues.push({ type: 'script_content', severity: 'danger', message: `Content is a script (#!) but the name says .${ext ?? '(none)'}`, file: path });
  } else if (detected !== undefined && ext !== undefined && EXPECTED_CONTENT[ext] !== undefined && !EXPECTED_CONTENT[ext]!.has(detected)) {
    issues.push({
      type: 'extension_mismatch',
      severity: 'danger',
      message: `Content is ${detected} but the name says .${ext}`,
      file: path,
      details: { detected, extension: ext },
    });
  }
  if (detected !== undefined && LISTED_ARCHIVES.has(detected)) issues.push(...(await archiveIssues(path, detected)));
  else if (detected !== undefined && UNLISTED_ARCHIVES.has(detected) && ext !== 'cbr') {
    issues.push({ type: 'archive', severity: 'warning', message: `Archive (${detected}): its contents were not inspected`, file: path });
  }
  return issues;
}

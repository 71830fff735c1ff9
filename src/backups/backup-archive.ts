/**
 * Writes a backup archive (tar.gz, via tar-stream): `manifest.json` first, then the database
 * snapshot, the secrets file and the stored artwork (`artwork/<sha256>.<ext>`). The snapshot is consistent while the server keeps writing:
 * SQLite through its online backup API (pages changed by our own connection during the copy are
 * carried over; a change by another process restarts the copy), PostgreSQL through the dump's
 * single read snapshot (dump.ts). Members are staged in a temporary folder next to the archive,
 * hashed, then packed; the archive appears under its name only when complete (temp + rename), mode
 * 0600 because it holds the secrets file.
 */
import { createHash } from 'node:crypto';
import { copyFileSync, createReadStream, createWriteStream, existsSync, lstatSync, mkdtempSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import tar from 'tar-stream';
import type { Database } from '../db/connect.js';
import { openDatabase } from '../db/connect.js';
import { migrationStatus } from '../db/migrator.js';
import { dumpDatabase } from '../db/transfer/dump.js';
import { rowCounts } from '../db/transfer/table-rows.js';
import { ARTWORK_NAME } from '../media/artwork.store.js';
import { VERSION } from '../version.js';
import {
  BACKUP_FORMAT,
  BACKUP_FORMAT_VERSION,
  type BackupManifest,
  DUMP_MEMBER,
  MANIFEST_NAME,
  type ManifestMember,
  SECRETS_MEMBER,
  SQLITE_MEMBER,
} from './backup-manifest.js';

export interface BackupProgress {
  stage: 'database' | 'archive';
  done: number;
  total: number;
  /** What `done` counts: SQLite pages, dumped rows, or archive bytes. */
  unit: 'pages' | 'rows' | 'bytes';
}

export interface CreateBackupOptions {
  db: Database;
  /** The archive to write. */
  file: string;
  kind: string;
  /** The secrets file to include when it exists (the data dir's secrets.json). */
  secretsFile?: string;
  /** The artwork folder (`<data>/artwork`): each stored image becomes an `artwork/<name>` member. */
  artworkDir?: string;
  onProgress?: (p: BackupProgress) => void;
}

export interface CreatedBackup {
  file: string;
  size: number;
  manifest: BackupManifest;
}

/** The stored artwork files in `dir` (regular files named `<sha256>.<ext>`; anything else there is not ours). */
export function artworkFiles(dir: string | undefined): { name: string; path: string; size: number }[] {
  if (!dir || !existsSync(dir)) return [];
  const out: { name: string; path: string; size: number }[] = [];
  for (const name of readdirSync(dir).sort()) {
    if (!ARTWORK_NAME.test(name)) continue;
    const st = lstatSync(join(dir, name), { throwIfNoEntry: false });
    if (st?.isFile()) out.push({ name, path: join(dir, name), size: st.size });
  }
  return out;
}

export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Copies the SQLite database with the online backup API, then reads the copy's schema version and row counts. */
async function snapshotSqlite(db: Database, to: string, onProgress?: (p: BackupProgress) => void) {
  if (!db.sqlite || db.target.location === ':memory:') throw new Error('an in-memory database cannot be backed up');
  await db.sqlite.backup(to, {
    progress: ({ totalPages, remainingPages }) => {
      onProgress?.({ stage: 'database', done: totalPages - remainingPages, total: totalPages, unit: 'pages' });
      return 256;
    },
  });
  const copy = openDatabase({ engine: 'sqlite', location: to }, { readonly: true });
  try {
    const status = await migrationStatus(copy);
    const counts = status.current === status.latest ? await rowCounts(copy.kysely) : new Map<string, number>();
    return { schemaVersion: status.current, tables: Object.fromEntries(counts) };
  } finally {
    await copy.close();
  }
}

async function snapshotPostgres(db: Database, to: string, onProgress?: (p: BackupProgress) => void) {
  const result = await dumpDatabase(db, to, {
    onProgress: (p) => onProgress?.({ stage: 'database', done: p.done, total: p.total ?? p.done, unit: 'rows' }),
  });
  return { schemaVersion: result.header.schemaVersion, tables: Object.fromEntries(result.tables.map((t) => [t.table, t.rows])) };
}

export async function createBackupArchive(opts: CreateBackupOptions): Promise<CreatedBackup> {
  const staging = mkdtempSync(join(dirname(opts.file), `.${basename(opts.file)}.staging-`));
  const partial = `${opts.file}.partial-${process.pid}`;
  try {
    const createdAt = new Date().toISOString();
    const dbMember = opts.db.engine === 'sqlite' ? SQLITE_MEMBER : DUMP_MEMBER;
    const snap =
      opts.db.engine === 'sqlite'
        ? await snapshotSqlite(opts.db, join(staging, dbMember), opts.onProgress)
        : await snapshotPostgres(opts.db, join(staging, dbMember), opts.onProgress);
    const names: ManifestMember['name'][] = [dbMember];
    if (opts.secretsFile && existsSync(opts.secretsFile)) {
      copyFileSync(opts.secretsFile, join(staging, SECRETS_MEMBER));
      names.push(SECRETS_MEMBER);
    }
    const members: ManifestMember[] = [];
    const sources = new Map<string, string>();
    for (const name of names) {
      const path = join(staging, name);
      members.push({ name, size: statSync(path).size, sha256: await sha256File(path) });
      sources.set(name, path);
    }
    // Artwork files are named by the hash of their bytes and never rewritten: packed from where they are.
    for (const art of artworkFiles(opts.artworkDir)) {
      const name = `artwork/${art.name}`;
      members.push({ name, size: art.size, sha256: await sha256File(art.path) });
      sources.set(name, art.path);
    }
    const manifest: BackupManifest = {
      format: BACKUP_FORMAT,
      formatVersion: BACKUP_FORMAT_VERSION,
      mediaosVersion: VERSION,
      schemaVersion: snap.schemaVersion,
      engine: opts.db.engine,
      kind: opts.kind,
      createdAt,
      tables: snap.tables,
      members,
    };
    await packArchive(sources, manifest, partial, opts.onProgress);
    renameSync(partial, opts.file);
    return { file: opts.file, size: statSync(opts.file).size, manifest };
  } catch (err) {
    rmSync(partial, { force: true });
    throw err;
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

async function packArchive(
  sources: ReadonlyMap<string, string>,
  manifest: BackupManifest,
  out: string,
  onProgress?: (p: BackupProgress) => void,
): Promise<void> {
  const pack = tar.pack();
  const total = manifest.members.reduce((s, m) => s + m.size, 0);
  const mtime = new Date(manifest.createdAt);
  const feed = (async () => {
    const text = Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`);
    await new Promise<void>((resolve, reject) =>
      pack.entry({ name: MANIFEST_NAME, size: text.length, mode: 0o600, mtime }, text, (err) => (err ? reject(err) : resolve())),
    );
    let done = 0;
    for (const m of manifest.members) {
      const entry = pack.entry({ name: m.name, size: m.size, mode: 0o600, mtime });
      const source = createReadStream(sources.get(m.name)!);
      source.on('data', (chunk) => {
        done += chunk.length;
        onProgress?.({ stage: 'archive', done, total, unit: 'bytes' });
      });
      await pipeline(source, entry);
    }
    pack.finalize();
  })();
  feed.catch((err: unknown) => pack.destroy(err as Error));
  await Promise.all([pipeline(pack, createGzip(), createWriteStream(out, { mode: 0o600 })), feed]);
}

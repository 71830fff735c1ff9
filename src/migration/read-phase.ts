/**
 * The import's read phase (import.ts runs it inside its transaction): the legacy directory archived
 * and every file read and checked, while the keyed files are written.
 */
import type { SecretBox } from '../security/secret-box.js';
import { archiveConfigDir } from './backup.js';
import type { ImportSql } from './import.sql.js';
import { withoutSmallHeap } from './import-memory.js';
import { type KeyedCounts, writeKeyed } from './keyed-import.js';
import { isKeyedSpec } from './keyed-stream.js';
import { LEGACY_FILES } from './legacy-files.js';
import { type FileSnapshot, readFileSnapshot, readSnapshot } from './snapshot.js';

/** What writing a keyed file needs of the import's options. */
export interface KeyedWriteOptions {
  from: string;
  secretBox: SecretBox;
  legacyKey: string | undefined;
  skipBrokenFiles?: boolean;
}

export interface ReadPhaseOptions extends KeyedWriteOptions {
  dataDir: string;
  dryRun?: boolean;
  /** Label of the archive (`import`, `auto-import`). */
  label: string;
  smallHeap?: (on: boolean) => void;
  progress?: { library(stage: 'read', items: number, bytes: number, totalBytes: number): void };
}

export function keyedOptions(opts: KeyedWriteOptions) {
  return { dir: opts.from, box: opts.secretBox, legacyKey: opts.legacyKey, skipBrokenFiles: opts.skipBrokenFiles };
}

/**
 * The read phase: the legacy directory archived and every file read and checked (the small files
 * whole; library.json is only found here: the import's parse checks it as it writes,
 * library-file.ts) while this thread writes the keyed files (grabs, verify results, wanted:
 * decided record by record as they are written, keyed-import.ts), which needs no other file: at
 * 1M items the thread was idle for the 5 s library.json's check took then, and wrote those files
 * for 5.8 s after the library (their rows are linked to the library's by relink() once it is
 * written: ~1.1 s at 1M). Inside the import's transaction, so a file
 * found broken by either side changes nothing; a failed read stops the keyed writes at their next
 * batch. The snapshot holds the keyed files as written (counts in `written`); the archive's path
 * goes to `onArchive` even when the rest failed (the caller removes it then).
 */
export async function readWhileWritingKeyed(
  sql: ImportSql,
  opts: ReadPhaseOptions,
  keyed: FileSnapshot[],
  onArchive: (file: string) => void,
): Promise<{ snapshot: FileSnapshot[]; written: Map<FileSnapshot, KeyedCounts | undefined> }> {
  const written = new Map<FileSnapshot, KeyedCounts | undefined>();
  const stop = new AbortController();
  // either side's failure stops the keyed writes at once (not when the other side is done too)
  const failing = <T>(p: Promise<T>) =>
    p.catch((err: unknown) => {
      stop.abort();
      throw err;
    });
  const reading = withoutSmallHeap(opts.smallHeap, () =>
    Promise.allSettled([
      failing(opts.dryRun ? Promise.resolve(undefined) : archiveConfigDir(opts.from, opts.dataDir, Number.POSITIVE_INFINITY, opts.label)),
      failing(
        readSnapshot({
          dir: opts.from,
          legacyKey: opts.legacyKey,
          skipBrokenFiles: opts.skipBrokenFiles,
          secretCache: new Map<string, string>(),
          deferKeyed: true,
          deferLibrary: true,
          made: keyed,
          onLibraryBytes: (b, t) => opts.progress?.library('read', 0, b, t),
        }),
      ),
    ]),
  );
  const writing = (async () => {
    for (const snap of keyed) written.set(snap, await writeKeyed(sql, snap, { ...keyedOptions(opts), signal: stop.signal }));
  })().then(
    () => undefined,
    (err: unknown) => ({ err }),
  );
  const [[archive, read], failed] = await Promise.all([reading, writing]);
  if (archive.status === 'fulfilled' && archive.value) onArchive(archive.value);
  if (archive.status === 'rejected') throw archive.reason;
  if (read.status === 'rejected') throw read.reason;
  if (failed) throw failed.err;
  return { snapshot: read.value, written };
}

/**
 * The keyed files present in `dir`, in LEGACY_FILES order, as readSnapshot leaves them with
 * `deferKeyed` (not read: the import writes them, keyed-import.ts writeKeyed).
 */
export async function deferredKeyedSnapshots(dir: string): Promise<FileSnapshot[]> {
  const out: FileSnapshot[] = [];
  for (const spec of LEGACY_FILES) {
    if (!isKeyedSpec(spec)) continue;
    const snap = await readFileSnapshot(spec, { dir, legacyKey: undefined, deferKeyed: true });
    if (snap.keyed?.deferred) out.push(snap);
  }
  return out;
}

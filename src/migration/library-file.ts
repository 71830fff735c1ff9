/**
 * library.json into library_items, from its snapshot. A file the read phase checked goes in as it
 * was checked. One left unchecked (the import's read phase, SnapshotOptions.deferLibrary) is
 * checked by the parse itself as it writes, inside a savepoint, which saves a second pass over the
 * file (1M items: 3-4 s of CPU beside the backup's and the keyed files' work):
 * - parsed to its end: its snapshot is settled as the check would have settled it (item count,
 *   other top-level keys kept as their text);
 * - found broken (another shape, a key too long to record, or invalid JSON with
 *   --skip-broken-files): what was written of it is rolled back and the file is kept whole in the
 *   quarantine, the library then made empty, as when the check finds it so;
 * - invalid JSON otherwise: the error (line and column) ends the import, whose transaction undoes
 *   everything, as the check's error did before anything was written;
 * - an item longer than the parsing thread's heap is sized for (by default ~1 MB; the check gave
 *   the longest item's length before): rolled back and parsed again in a heap with room for twice
 *   its length, as often as a longer one turns up.
 */
import { join } from 'node:path';
import type { LibraryBatch } from './library-batches.js';
import { ItemTooLargeForParser, importLibrary, type LibraryImportOptions, type LibraryImportResult } from './library-import.js';
import { settleStreamed } from './library-snapshot.js';
import type { FileSnapshot } from './snapshot.js';

export type LibraryFileOptions = Omit<LibraryImportOptions, 'present' | 'expected' | 'largest' | 'onEnd'> & { skipBrokenFiles?: boolean };

export async function importLibraryFile(snap: FileSnapshot, opts: LibraryFileOptions): Promise<LibraryImportResult> {
  const asSettled = () => importLibrary({ ...opts, present: snap.exists && !snap.broken, expected: snap.read, largest: snap.largest });
  if (!snap.libraryDeferred) return asSettled();
  const path = join(opts.dir, snap.spec.file);
  for (let largest: number | undefined; ; ) {
    const savepoint = await opts.sql.savepoint('library_file');
    let end: LibraryBatch['end'];
    let lib: LibraryImportResult | undefined;
    let outcome: Parameters<typeof settleStreamed>[2];
    try {
      lib = await importLibrary({ ...opts, present: true, largest, onEnd: (e) => (end = e) });
      if (!end) throw new Error(`the parsing of ${path} ended before the end of the file`);
      outcome = { checked: { count: lib.read, largest: end.largest, otherKeysText: new Map(end.otherKeysText) } };
    } catch (error) {
      if (error instanceof ItemTooLargeForParser) {
        await savepoint.rollback();
        largest = 2 * error.bytes;
        continue;
      }
      lib = undefined;
      outcome = { error };
    }
    // throws what ends the import (its transaction undoes the rest); settles the snapshot otherwise
    await settleStreamed(snap, path, outcome, opts.skipBrokenFiles);
    if (lib && !snap.broken) {
      await savepoint.release();
      return lib;
    }
    // found broken (kept whole) or gone since the read phase: nothing of it stays, the library is emptied
    await savepoint.rollback();
    return asSettled();
  }
}

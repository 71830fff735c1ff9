/**
 * library.json's snapshot settled from what its syntax check found: by the check in the read
 * phase (snapshot.ts) or by the import's parse, which checks as it writes (library-file.ts).
 */
import { readFile } from 'node:fs/promises';
import { LegacyFileError } from '../legacy/file-error.js';
import { pointer } from './legacy-files.js';
import type { ArrayCheck } from './library-check.js';
import { keyTooLong, longKeyReason, unknownKey } from './quarantine-reasons.js';
import { keptWhole, type QuarantineEntry } from './record-check.js';

/** What settleStreamed fills in of a file's snapshot (snapshot.ts FileSnapshot). */
export interface StreamedFileState {
  spec: { file: string };
  exists: boolean;
  broken?: string;
  read: number;
  largest?: number;
  libraryDeferred?: boolean;
  quarantine: QuarantineEntry[];
}

/** A file that is not valid JSON, kept whole (--skip-broken-files). */
export function brokenEntry(file: string, raw: Buffer, err: LegacyFileError): QuarantineEntry {
  return keptWhole(file, raw, `broken file: ${err.message}`);
}

/**
 * library.json's snapshot from what its syntax check found (library-check.ts; or the import's
 * parse, which checks as it goes): its item count and other top-level keys (quarantined as their
 * exact text), or the file kept whole in the quarantine when it is valid JSON of another shape,
 * has a key too long to record, or (with --skip-broken-files) is not valid JSON. Absent: left as
 * not existing. Any other error is thrown.
 */
export async function settleStreamed<T extends StreamedFileState>(
  out: T,
  path: string,
  outcome: { checked: Pick<ArrayCheck, 'count' | 'largest' | 'otherKeysText'> } | { error: unknown },
  skipBrokenFiles: boolean | undefined,
): Promise<T> {
  const { file } = out.spec;
  Object.assign(out, { exists: true, read: 0, libraryDeferred: undefined });
  if ('checked' in outcome) {
    const { checked } = outcome;
    const longKey = [...checked.otherKeysText.keys()].find(keyTooLong);
    if (longKey !== undefined) {
      out.broken = longKeyReason(longKey);
      out.quarantine.push(keptWhole(file, await readFile(path), out.broken));
      return out;
    }
    out.read = checked.count;
    out.largest = checked.largest;
    // kept as their exact text (a number in them may not survive JSON.parse)
    for (const [k, text] of checked.otherKeysText) out.quarantine.push({ file, locator: pointer(k), reason: unknownKey(k), raw: text, encoding: 'json' });
    return out;
  }
  const err = outcome.error;
  if (err instanceof LegacyFileError && err.code === 'io' && /ENOENT/.test(err.detail)) {
    out.exists = false;
    return out;
  }
  // Valid JSON of the wrong shape is kept whole, as for every other file; invalid JSON only when asked.
  const shape = err instanceof LegacyFileError && err.code === 'invalid_shape';
  if (!(err instanceof LegacyFileError) || err.code === 'io' || (!shape && !skipBrokenFiles)) throw err;
  out.broken = err.message;
  const bytes = await readFile(path);
  out.quarantine.push(shape ? keptWhole(file, bytes, err.message) : brokenEntry(file, bytes, err));
  return out;
}

/**
 * What an import refuses before it can lose data: a legacy directory that does not exist, one
 * that holds none of the legacy files (unless `--allow-empty`), and a run that would remove more
 * than a small share of what the database holds (unless `--prune`).
 *
 * The removal threshold, per legacy file: refused when the file's import would remove any user
 * (users.json), or more than PRUNE_SHARE of the rows the database holds for that file. A legacy
 * directory the old server really shrank passes with `--prune`; `--dry-run` shows the numbers.
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { LEGACY_FILES } from './legacy-files.js';

/** Share of a file's rows an import may remove without `--prune` (10%). */
export const PRUNE_SHARE = 0.1;

/** An import refused before it changed anything (exit 2). */
export class ImportRefusedError extends Error {
  override name = 'ImportRefusedError';
}

/**
 * Throws ImportRefusedError when `dir` is missing, not a directory, or (unless `allowEmpty`)
 * holds none of the legacy files. `origin` says where the directory came from (for the message).
 */
export function checkImportSource(dir: string, opts: { allowEmpty?: boolean; origin?: string } = {}): void {
  const from = opts.origin ? ` (${opts.origin})` : '';
  if (!existsSync(dir)) throw new ImportRefusedError(`the legacy directory ${dir} does not exist${from}; pass --from with the old server's config/ directory`);
  if (!statSync(dir).isDirectory()) throw new ImportRefusedError(`the legacy directory ${dir} is not a directory${from}`);
  if (opts.allowEmpty) return;
  if (!LEGACY_FILES.some((f) => existsSync(join(dir, f.file)))) {
    throw new ImportRefusedError(
      `the legacy directory ${dir}${from} holds none of the legacy files (${LEGACY_FILES.slice(0, 3)
        .map((f) => f.file)
        .join(', ')}, ...); importing it would empty the database. Check --from, or pass --allow-empty if that is really what you want`,
    );
  }
}

export interface RemovalCounts {
  file: string;
  updated: number;
  deleted: number;
  unchanged: number;
}

/** One line per legacy file whose removals are over the threshold (empty: nothing to refuse). */
export function excessiveRemovals(files: readonly RemovalCounts[]): string[] {
  const out: string[] = [];
  for (const f of files) {
    if (f.deleted === 0) continue;
    const held = f.deleted + f.updated + f.unchanged;
    if (f.file === 'users.json' || f.deleted > held * PRUNE_SHARE) out.push(`${f.file}: ${f.deleted} of ${held} rows`);
  }
  return out;
}

export function pruneRefusal(lines: string[]): ImportRefusedError {
  return new ImportRefusedError(
    `refusing to remove what the legacy directory no longer holds (${lines.join('; ')}; the limit is any user, or more than ${PRUNE_SHARE * 100}% of a file's rows). Is --from the right directory? See the numbers with --dry-run; pass --prune to remove them`,
  );
}

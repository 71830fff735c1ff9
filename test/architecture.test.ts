import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../', import.meta.url));
const src = join(root, 'src');

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? walk(p) : p.endsWith('.ts') ? [p] : [];
  });
}

const files = walk(src).map((p) => ({ path: relative(root, p), text: readFileSync(p, 'utf8') }));

/** The layering rules of DESIGN.md, enforced so they stay true. */
describe('architecture', () => {
  it('reads process.env only in src/config.ts and the CLI entry (which passes it in)', () => {
    const offenders = files.filter((f) => /process\.env/.test(f.text) && !['src/config.ts', 'src/cli/io.ts'].includes(f.path));
    expect(offenders.map((f) => f.path)).toEqual([]);
  });

  it('imports kysely only in *.sql.ts files, src/db/ and the migration pipeline', () => {
    const offenders = files.filter(
      (f) =>
        /from 'kysely'/.test(f.text) &&
        !/\.sql\.ts$/.test(f.path) &&
        !f.path.startsWith('src/db/') &&
        !f.path.startsWith('src/migration/') &&
        !/\.codec\.ts$/.test(f.path) &&
        !/import type \{[^}]*\} from 'kysely'/.test(f.text.match(/.*from 'kysely'.*/g)!.join('\n')),
    );
    expect(offenders.map((f) => f.path)).toEqual([]);
  });

  it('keeps src/legacy a leaf: it imports no store, service or route', () => {
    const offenders = files.filter((f) => f.path.startsWith('src/legacy/') && /from '\.\.\/(?!security\/)/.test(f.text));
    expect(offenders.map((f) => f.path)).toEqual([]);
  });

  it('keeps files small enough to read in one sitting (400 lines, or a stated reason)', () => {
    const long = files.filter((f) => f.text.split('\n').length > 400 && !/long-file-reason:/.test(f.text));
    expect(long.map((f) => `${f.path} (${f.text.split('\n').length} lines)`)).toEqual([]);
  });
});

import { execFile } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { tempDir } from './helpers/engines.js';

const root = fileURLToPath(new URL('../', import.meta.url));
const src = join(root, 'src');

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? walk(p) : p.endsWith('.ts') ? [p] : [];
  });
}

const files = walk(src).map((p) => ({ path: relative(root, p), text: readFileSync(p, 'utf8') }));

interface Violation {
  from: string;
  to: string;
  rule: { name: string };
  cycle?: { name: string }[];
}

/** Runs dependency-cruiser with the repo's rules (.dependency-cruiser.cjs) on `dir`/src. */
async function depcruise(dir: string): Promise<Violation[]> {
  const bin = join(root, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs');
  const args = [bin, 'src', '--config', join(root, '.dependency-cruiser.cjs'), '--output-type', 'json'];
  // Exit code = number of violations: read the report either way.
  const out = await promisify(execFile)(process.execPath, args, { cwd: dir, maxBuffer: 64 * 1024 * 1024 }).catch((err: { stdout?: string }) => {
    if (!err.stdout) throw err;
    return { stdout: err.stdout };
  });
  return (JSON.parse(out.stdout) as { summary: { violations: Violation[] } }).summary.violations;
}

function writeTree(dir: string, tree: Record<string, string>): void {
  for (const [path, text] of Object.entries(tree)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
}

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

  it('follows the layer rules and has no import cycle, type-only edges included (dependency-cruiser)', async () => {
    const violations = await depcruise(root);
    expect(violations.map((v) => `${v.rule.name}: ${v.from} -> ${v.to}`)).toEqual([]);
  });

  it('the layer rules do report a type-only cycle and a domain importing the app (they can fail the build)', async () => {
    const { dir, cleanup } = tempDir();
    try {
      writeTree(dir, {
        'tsconfig.json': JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', strict: true }, include: ['src'] }),
        'src/app.ts': 'export interface AppContext { name: string }\n',
        // a domain reaching up to the composition root
        'src/library/library.routes.ts': "import type { AppContext } from '../app.js';\nexport const name = (ctx: AppContext) => ctx.name;\n",
        // a cycle made of type-only edges
        'src/wanted/wanted.store.ts': "import type { WantedItem } from './wanted.types.js';\nexport type WantedStore = { list(): WantedItem[] };\n",
        'src/wanted/wanted.types.ts': "import type { WantedStore } from './wanted.store.js';\nexport type WantedItem = { store?: WantedStore };\n",
        // migration must not use the CLI
        'src/cli/io.ts': 'export const out = (line: string) => line;\n',
        'src/migration/import.ts': "import { out } from '../cli/io.js';\nexport const run = () => out('x');\n",
      });
      const found = (await depcruise(dir)).map((v) => `${v.rule.name}: ${v.from} -> ${v.to}`);
      expect(found).toContain('layer-domains: src/library/library.routes.ts -> src/app.ts');
      expect(found).toContain('layer-migration: src/migration/import.ts -> src/cli/io.ts');
      expect(found.filter((v) => v.startsWith('no-circular: src/wanted/wanted.'))).toHaveLength(1);
    } finally {
      cleanup();
    }
  });

  it('keeps files small enough to read in one sitting (400 lines, or a stated reason)', () => {
    const long = files.filter((f) => f.text.split('\n').length > 400 && !/long-file-reason:/.test(f.text));
    expect(long.map((f) => `${f.path} (${f.text.split('\n').length} lines)`)).toEqual([]);
  });
});

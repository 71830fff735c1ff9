import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../', import.meta.url));
const biome = join(root, 'node_modules', '.bin', 'biome');

/** Runs Biome with biome.json from the repository root (writes nothing); returns exit code, stdout and stderr together. */
function run(args: string[], input?: string): { code: number | null; stdout: string; output: string } {
  const r = spawnSync(biome, [args[0], '--colors=off', ...args.slice(1)], { cwd: root, encoding: 'utf8', input });
  return { code: r.status, stdout: r.stdout, output: `${r.stdout}${r.stderr}` };
}

describe('biome.json (npm run lint / npm run format)', () => {
  it('never touches files that must keep their bytes: legacy fixtures, generated SQL snapshots, bench output', () => {
    const fixtures = readdirSync(join(root, 'test/fixtures/legacy-full')).map((f) => `test/fixtures/legacy-full/${f}`);
    const snapshots = readdirSync(join(root, 'test/sql'))
      .filter((f) => f.endsWith('.sql'))
      .map((f) => `test/sql/${f}`);
    expect(fixtures.length).toBeGreaterThan(10);
    expect(snapshots.length).toBeGreaterThan(10);
    const paths = [...fixtures, ...snapshots, 'bench/RESULTS.md'];
    const r = run(['format', ...paths]);
    expect(r.output).toContain('No files were processed');
    for (const p of paths) expect(r.output).toContain(`- ${p}`);
  });

  it('formats TypeScript in the house style: two spaces, single quotes, semicolons, trailing commas, 160 columns', () => {
    const house = [
      "import { join } from 'node:path';",
      '',
      'export function where(dir: string, names: string[]): string[] {',
      "  return names.map((n) => join(dir, n, 'a name long enough to keep this call on one line at 160 columns, wrapped at 80'));",
      '}',
      '',
      'export const LIMITS = {',
      '  low: 1,',
      '  high: 2,',
      '};',
      '',
    ].join('\n');
    const kept = run(['format', '--stdin-file-path=src/example.ts'], house);
    expect(kept.code).toBe(0);
    expect(kept.stdout).toBe(house);
    const foreign = house.replaceAll("'", '"').replaceAll('  ', '\t').replaceAll(';\n', '\n').replace('high: 2,', 'high: 2');
    expect(foreign).not.toBe(house);
    expect(run(['format', '--stdin-file-path=src/example.ts'], foreign).stdout).toBe(house);
  });
});

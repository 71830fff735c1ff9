import { readFileSync } from 'node:fs';
import semver from 'semver';
import { describe, expect, it } from 'vitest';

const root = new URL('../', import.meta.url);
const pkg = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as { engines: { node: string } };
const lock = JSON.parse(readFileSync(new URL('package-lock.json', root), 'utf8')) as { packages: Record<string, { engines?: { node?: string } | string[] }> };

/** The README says Node 20: every locked package must accept the Node 20 line (no EBADENGINE warning from npm ci). */
describe('Node 20 support', () => {
  it('every locked package accepts Node 20.19 (the newest Node 20 the dev tools also need)', () => {
    expect(semver.satisfies('20.19.0', pkg.engines.node)).toBe(true);
    const refusing = Object.entries(lock.packages)
      .map(([name, p]) => [name, p.engines && !Array.isArray(p.engines) ? p.engines.node : undefined] as const)
      .filter(([, range]) => typeof range === 'string' && !semver.satisfies('20.19.0', range));
    expect(refusing).toEqual([]);
  });
});

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderCliSection, replaceSection } from '../scripts/readme-cli.js';
import { loadConfig } from '../src/config.js';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

describe('README.md is the manual', () => {
  it('starts with the two set-up commands', () => {
    const first = readme.indexOf('npm ci && npm start');
    expect(first).toBeGreaterThan(0);
    expect(readme.indexOf('npm test')).toBeGreaterThan(first);
    expect(first).toBeLessThan(readme.indexOf('## Command line'));
  });

  it('holds every command exactly as its --help prints it (npm run docs:cli regenerates it)', async () => {
    expect(replaceSection(readme, await renderCliSection())).toBe(readme);
  });

  it('documents every environment variable the configuration reads', () => {
    const source = readFileSync(new URL('../src/config.ts', import.meta.url), 'utf8');
    const vars = [...source.matchAll(/^\s{2}([A-Z][A-Z0-9_]+): /gm)].map((m) => m[1]);
    expect(vars.length).toBeGreaterThan(15);
    for (const v of vars) expect(readme, v).toContain(`\`${v}\``);
    expect(loadConfig({}, '/x').port).toBe(8080);
  });
});

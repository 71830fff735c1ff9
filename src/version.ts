import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The package version (read once; works from src/ under tsx and from dist/). */
export const VERSION: string = (() => {
  try {
    const pkg = JSON.parse(readFileSync(fileURLToPath(new URL('../package.json', import.meta.url)), 'utf8')) as { version: string };
    return pkg.version;
  } catch {
    return '0.0.0';
  }
})();

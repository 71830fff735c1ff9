import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { copyFixture } from '../migration/helpers.js';

/**
 * The full legacy fixture with library kinds an import must handle: item 1 spelled " SERIES "
 * (normalized, with a warning), item 4 "Music" (normalized), item 6 "film" (quarantined: not a
 * kind), plus one appended item repeating item 0's id (quarantined as a duplicate).
 */
export function fixtureWithBadKinds(to: string): string {
  copyFixture(to);
  const path = join(to, 'library.json');
  const lib = JSON.parse(readFileSync(path, 'utf8')) as { items: Record<string, unknown>[] };
  lib.items[1]!.kind = ' SERIES ';
  lib.items[4]!.kind = 'Music';
  lib.items[6]!.kind = 'film';
  lib.items.push({ id: 'mbdlzeo0k3p9q1', kind: 'movie', title: 'Heat again' });
  writeFileSync(path, JSON.stringify(lib, null, 2));
  return to;
}

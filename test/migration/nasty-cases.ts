/**
 * The nasty legacy directories the import must survive (test/migration/import.nasty.test.ts),
 * each built from a seeded realistic directory (nasty-legacy.ts) plus one kind of trouble.
 * `quarantined` is the exact `file<TAB>locator` set `mediaos import --report` must list (from
 * the contract: what has no lossless column home is quarantined, nothing else); `undefined` for
 * the random mixes, where only the contract's invariants are checked.
 */
import {
  DupKeys,
  grabsOf,
  items,
  LEGACY_STYLE,
  type LegacyDir,
  type NastyCase,
  pick,
  q,
  realisticDir,
  render,
  resultsOf,
  rngFrom,
  styles,
  TROUBLE,
  usersOf,
  wantedOf,
  writeJson,
} from './nasty-legacy.js';
import { recordCases } from './nasty-records.js';

export type { NastyCase } from './nasty-legacy.js';

export function nastyCases(seed: number): NastyCase[] {
  const out: NastyCase[] = [];
  let n = 0;
  const base = () => realisticDir(rngFrom(seed * 1000 + n++));
  const add = (c: NastyCase) => out.push(c);

  add({ name: 'as MediaOS writes it', files: render(base()), code: 0, quarantined: [] });
  add({
    name: 'UTF-8 BOM and CRLF in every file',
    files: render(base(), { ...LEGACY_STYLE, bom: true, eol: '\r\n', trailingNewline: true }),
    code: 0,
    quarantined: [],
  });
  {
    const rng = rngFrom(seed + 7);
    const all = styles(rng);
    add({
      name: 'minified, tabs, 4 spaces, trailing newlines (file by file)',
      files: render(base(), () => all[Math.floor(rng() * all.length)]!),
      code: 0,
      quarantined: [],
    });
  }
  add({
    name: "Python's json.dump (ASCII escapes, 4 spaces)",
    files: render(base(), { ...LEGACY_STYLE, indent: 4, asciiOnly: true }),
    code: 0,
    quarantined: [],
  });

  // ---- files that are not JSON ----
  for (const [file, bytes, where] of [
    ['settings.json', '', 'line 1, column 1'],
    ['verify.json', ' \r\n\t\n', 'line 3, column 1'],
    ['library.json', '', 'line 1, column 1'],
    ['wanted.json', '\r\n\r\n', 'line 3, column 1'],
  ] as const) {
    const files = render(base());
    files[file] = Buffer.from(bytes);
    const label = bytes === '' ? 'empty (0 bytes)' : 'whitespace only';
    const why = bytes === '' ? 'the file is empty' : 'the file holds only whitespace';
    add({
      name: `${file} ${label}: stops, naming file and position`,
      files,
      code: 2,
      err: new RegExp(`${file.replace('.', '\\.')}: invalid JSON at ${where} \\(${why}\\)`),
    });
    add({
      name: `${file} ${label} with --skip-broken-files: its bytes are quarantined`,
      files,
      args: ['--skip-broken-files'],
      code: 3,
      quarantined: q(file, ''),
    });
  }
  {
    const files = render(base());
    const lib = files['library.json']!.toString('utf8');
    const at = lib.indexOf('"title": "') + 10;
    files['library.json'] = Buffer.concat([Buffer.from(lib.slice(0, at)), Buffer.from([0x42, 0x6a, 0xf6, 0x72, 0x6b]), Buffer.from(lib.slice(at))]); // "Björk" in Latin-1
    add({
      name: 'library.json with a Latin-1 byte (not UTF-8): stops, naming the position',
      files,
      code: 2,
      err: /library\.json: invalid JSON at line 6, column 19 \(not UTF-8: byte 0xf6;/,
    });
    const files2 = render(base());
    const at2 = files2['users.json']!.indexOf('"email": "') + 10;
    files2['users.json'] = Buffer.concat([files2['users.json']!.subarray(0, at2), Buffer.from([0xed, 0xa0, 0x80]), files2['users.json']!.subarray(at2)]); // a CESU-8 surrogate
    add({
      name: 'users.json with an encoded surrogate (not UTF-8): stops',
      files: files2,
      code: 2,
      err: /users\.json: invalid JSON at line 4, column 15 \(not UTF-8: byte 0xed;/,
    });
    const files3 = render(base());
    files3['settings.json'] = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(writeJson({ setupCompleted: true }), 'utf16le')]);
    add({ name: 'settings.json saved as UTF-16 (Notepad): stops', files: files3, code: 2, err: /settings\.json: invalid JSON at line 1, column 1 \(.*UTF-16/ });
  }

  // ---- top level of the wrong type ----
  {
    const dir = base();
    const wrong: Record<string, unknown> = {
      'users.json': Object.values(usersOf(dir)),
      'wanted.json': wantedOf(dir),
      'downloaders.json': [dir['downloaders.json']],
      'indexers.json': (dir['indexers.json'] as { indexers: unknown[] }).indexers,
      'grabs.json': Object.values(grabsOf(dir)),
      'verify-results.json': 'verify results',
      'settings.json': [dir['settings.json']],
      'verify.json': [],
      'metadata.json': 42,
      'organizer.json': 'copy',
      'subtitle-automation.json': true,
      'monitor.json': null,
      'quality.json': [['movie', '1080p']], // legacy stores whatever the client sent: imported
      'quality-profiles.json': (dir['quality-profiles.json'] as { profiles: unknown[] }).profiles, // kept in its envelope: imported
    };
    Object.assign(dir, wrong);
    const whole = Object.keys(wrong).filter((f) => !f.startsWith('quality'));
    add({ name: 'arrays where objects belong and scalars everywhere', files: render(dir), code: 3, quarantined: whole.flatMap((f) => q(f, '')) });
  }
  for (const [label, value] of [
    ['an array of items', (d: LegacyDir) => items(d)],
    ['"items" null', () => ({ items: null })],
    ['"items" an object', (d: LegacyDir) => ({ items: Object.fromEntries(items(d).map((i) => [i.id, i])) })],
    ['no "items"', () => ({ version: 2 })],
    [
      '"items" twice',
      (d: LegacyDir) =>
        new DupKeys([
          ['items', items(d).slice(0, 2)],
          ['items', items(d)],
        ]),
    ],
  ] as const) {
    const dir = base();
    dir['library.json'] = value(dir);
    add({ name: `library.json with ${label}: the whole file is quarantined`, files: render(dir), code: 3, quarantined: q('library.json', '') });
  }

  // ---- missing and extra files ----
  {
    const dir = base();
    const files = render({ 'users.json': dir['users.json'], 'library.json': dir['library.json'], 'grabs.json': dir['grabs.json'] });
    files['library.json.bak'] = files['library.json']!;
    files['users.json~'] = Buffer.from('{"half": ');
    files['notes.txt'] = Buffer.from('my media server\n');
    files['.DS_Store'] = Buffer.from([0, 0, 0, 1, 0x42, 0x75, 0x64, 0x31, 0xff, 0xfe]);
    files['mediaos.db'] = Buffer.from('SQLite format 3\u0000');
    add({
      name: 'only three legacy files, plus backups, notes and a subdirectory',
      files,
      subdirs: { backups: { 'library.json': Buffer.from('[]') } },
      code: 0,
      quarantined: [],
    });
  }

  out.push(...recordCases(base));
  for (let k = 0; k < 3; k++) add(randomMix(seed * 31 + k));
  return out;
}

/** A realistic directory with random trouble in random records and random file styles. */
function randomMix(seed: number): NastyCase {
  const rng = rngFrom(seed);
  const dir = realisticDir(rng, 40);
  const records: Record<string, unknown>[] = [
    ...items(dir),
    ...wantedOf(dir),
    ...Object.values(usersOf(dir)),
    ...(Object.values(grabsOf(dir)) as Record<string, unknown>[]),
    ...(Object.values(resultsOf(dir)) as Record<string, unknown>[]),
    dir['settings.json'] as Record<string, unknown>,
    dir['verify.json'] as Record<string, unknown>,
  ];
  for (const r of records) if (rng() < 0.15) pick(rng, TROUBLE)(rng, r);
  const all = styles(rng);
  return { name: `random mix (seed ${seed})`, files: render(dir, () => pick(rng, all)), code: 'any' };
}

import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { archiveDirectory } from '../../src/migration/archive.js';
import { diffValues, jsonEqual } from '../../src/migration/compare.js';
import { pgRowHash, rowHash, rowText, SetDigest } from '../../src/migration/digest.js';
import { LIBRARY_DATA_COLUMNS } from '../../src/migration/import.sql.js';
import { LEGACY_FILES, parsePointer, pointer } from '../../src/migration/legacy-files.js';
import { isoFromMs, LIBRARY_INSERT_COLUMNS, libraryBatches, type RowHashing } from '../../src/migration/library-batches.js';
import { createdAtFromId, maxItemChars, parserHeap } from '../../src/migration/library-import.js';
import { escapeUnstorable, hasUnstorable, unstorableReason } from '../../src/migration/storable.js';
import { tempDir } from '../helpers/engines.js';
import { root } from '../scale/cluster.js';

describe('migration building blocks', () => {
  let cleanup: (() => void) | undefined;
  afterEach(() => cleanup?.());

  it('the registry covers the 15 legacy files of FORMATS.md §1', () => {
    expect(LEGACY_FILES.map((f) => f.file).sort()).toEqual([
      'downloaders.json',
      'grabs.json',
      'indexers.json',
      'library.json',
      'metadata.json',
      'monitor.json',
      'organizer.json',
      'quality-profiles.json',
      'quality.json',
      'settings.json',
      'subtitle-automation.json',
      'users.json',
      'verify-results.json',
      'verify.json',
      'wanted.json',
    ]);
  });

  it('JSON pointers round-trip keys with "/" and "~"', () => {
    expect(pointer('items', 3)).toBe('/items/3');
    expect(pointer('movie:a/b~c')).toBe('/movie:a~1b~0c');
    expect(parsePointer('/movie:a~1b~0c')).toEqual(['movie:a/b~c']);
    expect(parsePointer('')).toEqual([]);
    expect(parsePointer(pointer(':'))).toEqual([':']);
  });

  it('JSON pointers write NUL and lone surrogates as ~uXXXX (storable text) and read them back', () => {
    for (const key of ['a\u0000b', '\ud800', 'x\udfff', '~u0000', 'pair \ud83c\udfac ok', '~1/~0']) {
      const p = pointer(key, 'k');
      expect(p).not.toMatch(/\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/);
      expect(parsePointer(p)).toEqual([key, 'k']);
    }
    expect(pointer('movie:\ud800')).toBe('/movie:~ud800');
    expect(pointer('\u0000')).toBe('/~u0000');
    expect(pointer('~u0000')).toBe('/~0u0000');
  });

  it('names the field holding a string no database can store exactly, never the value', () => {
    expect(unstorableReason({ title: 'ok 🎬', list: ['x'] })).toBeUndefined();
    expect(unstorableReason({ a: { b: ['ok', 'x\u0000'] } })).toMatch(/^field a\.b\[1\] holds a NUL character \(U\+0000\)/);
    expect(unstorableReason({ title: 'half \ud83c' })).toMatch(/^field title holds a lone UTF-16 surrogate \(U\+D83C\)/);
    expect(unstorableReason({ ['k\udfff']: 1 })).toMatch(/^field k\\udfff holds a lone UTF-16 surrogate \(U\+DFFF\) in its name/);
    expect(unstorableReason({}, 'movie:\u0000')).toMatch(/^its key holds a NUL character/);
    expect(unstorableReason('\ud800')).toMatch(/^field \(value\) holds/);
    expect(escapeUnstorable('a\u0000\ud800\ud83c\udfac')).toBe('a\\u0000\\ud800\ud83c\udfac');
    // a nested key holding one, under a parent key that needs no escape
    expect(unstorableReason({ outer: { 'x\ud800': 'v' } })).toMatch(/^field outer\.x\\ud800 holds a lone UTF-16 surrogate \(U\+D800\) in its name/);
  });

  it('finds every unstorable character the pattern of escapeUnstorable finds, and only those', () => {
    const cases = ['', 'plain', 'ok 🎬', 'x\u0000', '\u0000', 'end \ud83c', '\udfac start', '\udfac\ud83c', '\ud83c\udfac\ud83c', 'a\ud800b', '\ud83c\udfac'];
    const units = ['a', 'é', '\u0000', '\ud83c', '\udfac', '\ud800', '\udfff', ' '];
    // every string of up to three of these code units, besides the cases above
    for (const a of units) for (const b of ['', ...units]) for (const c of ['', ...units]) cases.push(a + b + c);
    for (const s of cases) expect(hasUnstorable(s), JSON.stringify(s)).toBe(escapeUnstorable(s) !== s);
  });

  it('compares JSON values regardless of key order and names differing fields', () => {
    expect(jsonEqual({ a: 1, b: [1, { c: 2 }] }, { b: [1, { c: 2 }], a: 1 })).toBe(true);
    expect(jsonEqual({ a: 1 }, { a: 1, b: undefined })).toBe(false);
    expect(jsonEqual([1, 2], [2, 1])).toBe(false);
    expect(jsonEqual(1, '1')).toBe(false);
    expect(diffValues({ a: 1, m: { x: 'y' }, l: [1, 2], gone: true }, { a: 2, m: { x: 'z' }, l: [1, 3], extra: 1 })).toEqual([
      { field: 'a', problem: 'value differs' },
      { field: 'm.x', problem: 'value differs' },
      { field: 'l[1]', problem: 'value differs' },
      { field: 'gone', problem: 'missing in database' },
      { field: 'extra', problem: 'only in database' },
    ]);
    expect(diffValues({ y: 1995 }, { y: '1995' })).toEqual([{ field: 'y', problem: 'type differs (file: number, database: string)' }]);
  });

  it('created_at comes from a plausible base36 timestamp id, else the import time', () => {
    const now = Date.UTC(2026, 0, 1);
    expect(createdAtFromId('mbdlzeo0k3p9q1', 'FALLBACK', now)).toBe(new Date(parseInt('mbdlzeo0', 36)).toISOString());
    expect(createdAtFromId('the-wire', 'FALLBACK', now)).toBe('FALLBACK');
    expect(createdAtFromId('zzzzzzzzzz', 'FALLBACK', now)).toBe('FALLBACK'); // far future
    expect(createdAtFromId('00000001aa', 'FALLBACK', now)).toBe('FALLBACK'); // 1970
    expect(createdAtFromId('UPPERCASE1', 'FALLBACK', now)).toBe('FALLBACK');
  });

  it('isoFromMs formats like Date#toISOString (leap days, century rules, millisecond padding)', () => {
    const edges = [
      0,
      Date.UTC(2000, 1, 29, 23, 59, 59, 999),
      Date.UTC(2100, 2, 1),
      Date.UTC(1999, 11, 31, 23, 59, 59, 9),
      Date.UTC(2024, 1, 29, 0, 0, 0, 90),
      Date.UTC(9999, 11, 31, 23, 59, 59, 999),
    ];
    let seed = 7;
    const rand = () => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed / 2 ** 32;
    };
    for (let i = 0; i < 20_000; i++) edges.push(Math.floor(rand() * Date.UTC(9999, 11, 31)));
    for (const ms of edges) expect(isoFromMs(ms)).toBe(new Date(ms).toISOString());
  });

  it('the parsing worker gets a 64 MB old generation, more for a library with huge items', () => {
    expect(parserHeap()).toEqual({ maxYoungGenerationSizeMb: 16, maxOldGenerationSizeMb: 64 });
    expect(parserHeap(2_000).maxOldGenerationSizeMb).toBe(64);
    expect(parserHeap(12_000_000).maxOldGenerationSizeMb).toBe(Math.ceil(48 + 8 * (24_000_000 / 2 ** 20)));
    expect(parserHeap(2 ** 40).maxOldGenerationSizeMb).toBe(4096);
  });

  it('the longest item a parser heap takes: what parserHeap sized it for, or more; no bound at the cap', () => {
    expect(maxItemChars(64)).toBe(2 ** 20); // the default heap: items up to a million code units
    for (const largest of [0, 1_000, 2 ** 20, 2 ** 20 + 1, 12_345_678, 40_000_000, 250_000_000]) {
      const heap = parserHeap(largest).maxOldGenerationSizeMb;
      expect(maxItemChars(heap)).toBeGreaterThanOrEqual(largest);
      // and not much more: a heap one MB smaller would not take it (above the 64 MB floor)
      if (heap > 64) expect(maxItemChars(heap - 1)).toBeLessThan(largest);
    }
    expect(maxItemChars(parserHeap(2 ** 40).maxOldGenerationSizeMb)).toBe(Number.POSITIVE_INFINITY);
  });

  it("a worker started after the CLI's small-heap setting was switched off gets the heap its limits ask for", () => {
    // In a process of its own (the setting is V8's, process-wide), through the built module the CLI runs.
    const script = `
      import { Worker } from 'node:worker_threads';
      import { favorSmallHeap } from ${JSON.stringify(join(root, 'dist/migration/import-memory.js'))};
      import { parserHeap } from ${JSON.stringify(join(root, 'dist/migration/library-import.js'))};
      const limit = () => new Promise((resolve) => {
        const w = new Worker("Promise.all([import('node:worker_threads'), import('node:v8')]).then(([t, v8]) => t.parentPort.postMessage(v8.getHeapStatistics().heap_size_limit))", { eval: true, resourceLimits: parserHeap() });
        w.once('message', (n) => { resolve(Math.round(n / 2 ** 20)); void w.terminate(); });
      });
      favorSmallHeap(true);
      const small = await limit();
      favorSmallHeap(false);
      console.log(JSON.stringify({ small, off: await limit() }));`;
    const out = JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' })) as { small: number; off: number };
    const { maxYoungGenerationSizeMb: young, maxOldGenerationSizeMb: old } = parserHeap();
    // With the setting on, V8 gives a new heap a ~2 MB young generation whatever its limits say.
    expect(out.small).toBeLessThan(old + young / 2);
    expect(out.off).toBeGreaterThanOrEqual(old + young - 1);
  });

  it('row texts are unambiguous, and a rows digest never equals a records digest', () => {
    const lists: unknown[][] = [
      ['a', 'b'],
      ['ab', ''],
      ['', 'ab'],
      [null],
      [''],
      ['\u0000'],
      [1],
      ['1'],
      ['#1\u0000'],
      [null, null],
      [{ a: 1 }],
      ['?{"a":1}\u0000'],
    ];
    const texts = lists.map((l) => rowText(l, 0, l.length));
    expect(new Set(texts).size).toBe(lists.length);
    expect(rowText(['x', 'a', 'b', 'y'], 1, 2)).toBe(rowText(['a', 'b'], 0, 2));
    const rows = new SetDigest('rows');
    const records = new SetDigest('records');
    expect(rows.equals(records)).toBe(false); // both empty, still different kinds
    rows.addRow(['a', 1, null], 0, 3);
    const again = new SetDigest('rows');
    again.addRow(['a', 1, null], 0, 3);
    expect(rows.equals(again)).toBe(true);
    again.addRow(['b'], 0, 1);
    again.addRow(['b'], 0, 1, -1);
    expect(rows.equals(again)).toBe(true);
    again.addRow(['a', '1', null], 0, 3);
    expect(rows.equals(again)).toBe(false);
  });

  it('a row added by the hash the parsing thread took equals the row added by its values, on both digest kinds', () => {
    const types = ['text', 'integer', 'jsonb'] as const;
    const values = ['x', 'Ünï', 7, '{"b":1,"a":[2]}', null, 2];
    const byValues = new SetDigest('rows');
    const byHash = new SetDigest('rows');
    byValues.addRow(values, 1, 4);
    byHash.addRowHash(rowHash(values, 1, 4));
    expect(byHash.equals(byValues)).toBe(true);
    byHash.addRowHash(rowHash(['other'], 0, 1));
    byHash.addRowHash(rowHash(['other'], 0, 1), -1);
    expect(byHash.equals(byValues)).toBe(true);
    byHash.addRowHash(rowHash(values, 0, 4)); // another row: another digest
    expect(byHash.equals(byValues)).toBe(false);

    const pgValues = new SetDigest('pg-rows');
    const pgHash = new SetDigest('pg-rows');
    pgValues.addPgRow(values, 1, types);
    pgHash.addRowHash(pgRowHash(values, 1, types));
    expect(pgHash.equals(pgValues)).toBe(true);
    expect(pgHash.equals(byHash)).toBe(false);
    // a row the database could not print as written (NUL) makes the digest equal to nothing
    expect(pgRowHash(['a\u0000b', 1, null], 0, types)).toBe('');
    const unmatchable = new SetDigest('pg-rows');
    unmatchable.addRowHash(pgRowHash(['a\u0000b', 1, null], 0, types));
    expect(unmatchable.equals(unmatchable)).toBe(false);
  });

  it('the library digest is the same whichever thread hashed which batch (the parser switched on and off while it runs)', async () => {
    const t = tempDir();
    const dir = t.dir;
    const items = Array.from({ length: 1300 }, (_, i) => ({ id: `id${i}`, kind: i % 2 ? 'movie' : 'book', title: `Tïtle ${i}`, metadata: { n: i } }));
    writeFileSync(join(dir, 'library.json'), JSON.stringify({ items }));
    const width = LIBRARY_INSERT_COLUMNS.length;
    const byValues = new SetDigest('rows');
    const mixed = new SetDigest('rows');
    const hashing: RowHashing = { kind: 'rows', on: false };
    const carried: boolean[] = [];
    for await (const b of libraryBatches(dir, '2026-01-01T00:00:00.000Z', hashing)) {
      carried.push(b.hashes !== undefined);
      for (let i = 0; i < b.pos.length; i++) {
        byValues.addRow(b.params, i * width, LIBRARY_DATA_COLUMNS.length);
        if (b.hashes) mixed.addRowHash(b.hashes[i]!);
        else mixed.addRow(b.params, i * width, LIBRARY_DATA_COLUMNS.length);
      }
      hashing.on = !hashing.on;
    }
    expect(carried).toEqual([false, true, false]);
    expect(byValues.count).toBe(1300);
    expect(mixed.equals(byValues)).toBe(true);
    t.cleanup();
  });

  it('set digests ignore order and see any change', () => {
    const a = new SetDigest();
    const b = new SetDigest();
    a.add({ id: 1 });
    a.add({ id: 2 });
    b.add({ id: 2 });
    b.add({ id: 1 });
    expect(a.equals(b)).toBe(true);
    b.add({ id: 3 });
    b.add({ id: 3 }, -1);
    expect(a.equals(b)).toBe(true);
    b.add({ id: 4 });
    expect(a.equals(b)).toBe(false);
  });

  it('archives a directory as a tar.gz that tar reads back byte for byte', async () => {
    const t = tempDir();
    cleanup = t.cleanup;
    const src = join(t.dir, 'config');
    mkdirSync(join(src, 'sub'), { recursive: true });
    writeFileSync(join(src, 'users.json'), '{"a":1}');
    writeFileSync(join(src, 'empty.json'), '');
    const long = `${'x'.repeat(120)}-é.json`;
    writeFileSync(join(src, 'sub', long), Buffer.alloc(1500, 7));
    const target = join(t.dir, 'backup.tar.gz');
    await archiveDirectory(src, target);
    const out = join(t.dir, 'out');
    mkdirSync(out);
    execFileSync('tar', ['-xzf', target, '-C', out]);
    expect(execFileSync('cat', [join(out, 'config', 'users.json')]).toString()).toBe('{"a":1}');
    expect(execFileSync('wc', ['-c', join(out, 'config', 'sub', long)]).toString()).toMatch(/^1500 /);
    expect(execFileSync('wc', ['-c', join(out, 'config', 'empty.json')]).toString()).toMatch(/^0 /);
  });
});

import { mkdtemp, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateLegacyDir } from '../../bench/generate-legacy.js';
import { ElementTooLarge } from '../../src/legacy/element-too-large.js';
import { LegacyFileError } from '../../src/legacy/file-error.js';
import { lineColumnOfByte } from '../../src/legacy/json-error-position.js';
import { readLegacyJson } from '../../src/legacy/read-json.js';
import { streamLegacyArray } from '../../src/legacy/stream-library.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mediaos-stream-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function fileWith(name: string, content: string | Buffer): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, content);
  return path;
}

async function collect(
  path: string,
  key = 'items',
  opts?: Parameters<typeof streamLegacyArray>[2],
): Promise<{ values: unknown[]; result: { otherKeys: Record<string, unknown>; count: number } }> {
  const gen = streamLegacyArray(path, key, opts);
  const values: unknown[] = [];
  for (;;) {
    const next = await gen.next();
    if (next.done) return { values, result: next.value };
    expect(next.value.index).toBe(values.length);
    values.push(next.value.value);
  }
}

async function errorOf(p: Promise<unknown>): Promise<LegacyFileError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(LegacyFileError);
  return err as LegacyFileError;
}

describe('streamLegacyArray', () => {
  it('yields exactly what JSON.parse gives for a generated 50k-item library, across small chunks', async () => {
    const cfg = join(dir, 'gen');
    await generateLegacyDir({ dir: cfg, items: 50_000, seed: 7 });
    const path = join(cfg, 'library.json');
    const expected = JSON.parse(await readFile(path, 'utf8')) as { items: unknown[] };
    const progress: Array<[number, number]> = [];
    // 4093 bytes: a prime, so chunk edges land inside strings, escapes and multi-byte characters
    const { values, result } = await collect(path, 'items', { chunkSize: 4093, onProgress: (a, b) => progress.push([a, b]) });
    expect(values.length).toBe(50_000);
    expect(values).toEqual(expected.items);
    expect(result).toEqual({ otherKeys: {}, otherKeysText: new Map(), count: 50_000 });
    const size = (await readFile(path)).length;
    expect(progress.at(-1)).toEqual([size, size]);
    expect(progress.every(([a], k) => k === 0 || a > progress[k - 1]![0])).toBe(true);
  });

  it('keeps unicode byte for byte: emoji, combining marks, NFC and NFD distinct, escapes', async () => {
    const titles = ['Amélie', 'Ame\u0301lie', 'Björk 🎸', '👩‍👩‍👧 family', 'Z\u0351\u0352algo', '\ud83d\ude00', 'tab\there', 'q"uote\\'];
    const items = titles.map((title, i) => ({ id: `u${i}`, kind: 'music', title }));
    // one entry written with \u escapes, including an escaped surrogate pair
    const text = `{"items": ${JSON.stringify(items, null, 2).slice(0, -1)}, {"id":"esc","title":"\\u00e9\\ud83d\\ude00\\n"}]}`;
    const path = await fileWith('unicode.json', text);
    for (const chunkSize of [1, 3, 7, 1 << 20]) {
      const { values } = await collect(path, 'items', { chunkSize });
      expect(values).toEqual((JSON.parse(text) as { items: unknown[] }).items);
      const got = values as Array<{ title: string }>;
      expect(got[0]!.title).toBe('Amélie');
      expect(got[1]!.title).toBe('Ame\u0301lie');
      expect(got[0]!.title).not.toBe(got[1]!.title);
      expect(got.at(-1)!.title).toBe('é😀\n');
    }
  });

  it('returns the other top-level keys, before and after the array, as JSON.parse would', async () => {
    const doc = { version: 2, meta: { note: 'x', list: [1, 2, { a: null }] }, items: [1, 'two', [3], { four: 4 }, null, true, -0.5e3], tail: 'end' };
    const text = `{"version":2,"meta":{"note":"x","list":[1,2,{"a":null}]},"items":[1,"two",[3],{"four":4},null,true,-0.5e3],"tail":"end","__proto__":{"p":1}}`;
    const path = await fileWith('others.json', text);
    const { values, result } = await collect(path);
    expect(values).toEqual(doc.items);
    expect(result.count).toBe(7);
    expect(result.otherKeys).toEqual(JSON.parse('{"version":2,"meta":{"note":"x","list":[1,2,{"a":null}]},"tail":"end","__proto__":{"p":1}}'));
    expect(Object.getPrototypeOf(result.otherKeys)).toBe(Object.prototype);
    expect(Object.keys(result.otherKeys)).toEqual(['version', 'meta', 'tail', '__proto__']);
  });

  it('serves other files and keys (wanted.json), empty arrays and a BOM', async () => {
    const path = await fileWith('wanted.json', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{\n  "items": []\n}')]));
    expect(await collect(path)).toEqual({ values: [], result: { otherKeys: {}, otherKeysText: new Map(), count: 0 } });
    const profiles = await fileWith('qp.json', '{"profiles":[{"id":"any"}]}');
    expect((await collect(profiles, 'profiles')).values).toEqual([{ id: 'any' }]);
  });

  it('a value longer than maxElementBytes stops the stream with its size and offset, in chunks or not; shorter ones pass', async () => {
    const big = { note: 'é'.repeat(3000) }; // 3,000 code units, 6,000 bytes of UTF-8
    const bytes = Buffer.byteLength(JSON.stringify(big));
    const text = `{"items":[{"a":1},${JSON.stringify(big)},{"b":2}]}`;
    const path = await fileWith('long-item.json', text);
    const offset = Buffer.byteLength(text.slice(0, text.indexOf('{"note"')));
    for (const chunkSize of [64, 1 << 16]) {
      const seen: unknown[] = [];
      const err = await (async () => {
        for await (const { value } of streamLegacyArray(path, 'items', { chunkSize, maxElementBytes: bytes - 1 })) seen.push(value);
      })().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ElementTooLarge);
      expect(err).toMatchObject({ bytes, offset });
      // (the elements of a chunk are handed on once the whole chunk is scanned)
      expect(seen).toEqual(chunkSize === 64 ? [{ a: 1 }] : []);
      expect((await collect(path, 'items', { chunkSize, maxElementBytes: bytes })).values).toEqual([{ a: 1 }, big, { b: 2 }]);
    }
    // another top-level key is bounded the same way
    const other = await fileWith('long-key.json', `{"items":[],"notes":"${'n'.repeat(100)}"}`);
    await expect(collect(other, 'items', { maxElementBytes: 50 })).rejects.toMatchObject({ bytes: 102 });
  });

  it('stops reading when the consumer stops', async () => {
    const path = await fileWith('big.json', JSON.stringify({ items: Array.from({ length: 1000 }, (_, i) => ({ i })) }));
    const seen: unknown[] = [];
    for await (const { value } of streamLegacyArray(path, 'items', { chunkSize: 64 })) {
      seen.push(value);
      if (seen.length === 3) break;
    }
    expect(seen).toEqual([{ i: 0 }, { i: 1 }, { i: 2 }]);
  });

  it('reports a truncated file with file name, line and column', async () => {
    const cfg = join(dir, 'trunc');
    await generateLegacyDir({ dir: cfg, items: 300, seed: 3 });
    const path = join(cfg, 'library.json');
    const full = await readFile(path, 'utf8');
    const cut = Math.floor(full.length / 2);
    await truncate(path, Buffer.byteLength(full.slice(0, cut)));
    const text = full.slice(0, cut);
    const lines = text.split('\n');
    const err = await errorOf(collect(path, 'items', { chunkSize: 512 }));
    expect(err.code).toBe('invalid_json');
    expect(err.line).toBe(lines.length);
    expect(err.column).toBe(lines.at(-1)!.length + 1);
    expect(err.message).toMatch(/^library\.json: invalid JSON at line \d+, column \d+ \(/);
  });

  it('locates syntax errors inside and between elements like JSON.parse does', async () => {
    const cases: Array<[string, number, number, string]> = [
      ['{"items": [\n  {"a": 1},\n  {"b": tru}\n]}', 3, 12, "Unexpected token '}'"],
      ['{"items": [\n  {"a": 1} {"b": 2}\n]}', 2, 12, "Expected ',' or ']' after array element"],
      ['{"items": [], x}', 1, 15, 'Expected double-quoted property name'],
      ['{x}', 1, 2, "Expected property name or '}'"],
      ['{"items": [] 1}', 1, 14, "Expected ',' or '}' after property value"],
      ['{"items": [1, 2,]}', 1, 17, "Unexpected token ']'"],
      ['{"items": [1, "é😀x\u0001"]}', 1, 20, 'Bad control character in string literal'],
      ['{"items": [1]} x', 1, 16, 'Unexpected non-whitespace character after JSON'],
      ['{"items" [1]}', 1, 10, "Expected ':' after property name"],
      ['{"items": [01]}', 1, 13, 'Unexpected number'],
      ['', 1, 1, 'the file is empty'],
      [' \r\n\t', 2, 2, 'the file holds only whitespace'],
    ];
    for (const [text, line, column, detail] of cases) {
      const path = await fileWith('bad.json', text);
      for (const chunkSize of [2, 1 << 20]) {
        const err = await errorOf(collect(path, 'items', { chunkSize }));
        expect([err.code, err.line, err.column, err.detail], text).toEqual(['invalid_json', line, column, detail]);
      }
      // the whole-file reader agrees on where and why
      const whole = await errorOf(readLegacyJson(path));
      expect([whole.line, whole.column, whole.detail], text).toEqual([line, column, detail]);
    }
  });

  it('refuses bytes that are not UTF-8 (Latin-1, CESU-8 surrogates, UTF-16) with their position, as the whole-file reader does', async () => {
    const cases: Array<[Buffer, number, number, RegExp]> = [
      [Buffer.from([...Buffer.from('{"items": [\n  "Bj'), 0xf6, ...Buffer.from('rk"]}')]), 2, 6, /^not UTF-8: byte 0xf6;/],
      [Buffer.from([...Buffer.from('{"v": 1, "items": ["é'), 0xed, 0xa0, 0x80, ...Buffer.from('"]}')]), 1, 22, /^not UTF-8: byte 0xed;/],
      [Buffer.from([...Buffer.from('{"items": [], "k\u00e9'), 0xc3, ...Buffer.from('": 1}')]), 1, 18, /^not UTF-8: byte 0xc3;/],
      [Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('{"items": []}', 'utf16le')]), 1, 1, /^the file is UTF-16/],
    ];
    for (const [bytes, line, column, detail] of cases) {
      const path = await fileWith('enc.json', bytes);
      for (const chunkSize of [3, 1 << 20]) {
        const err = await errorOf(collect(path, 'items', { chunkSize }));
        expect([err.code, err.line, err.column], bytes.toString('hex')).toEqual(['invalid_json', line, column]);
        expect(err.detail).toMatch(detail);
      }
      const whole = await errorOf(readLegacyJson(path));
      expect([whole.code, whole.line, whole.column]).toEqual(['invalid_json', line, column]);
      expect(whole.detail).toMatch(detail);
    }
  });

  it('gives each element and other key with its exact text', async () => {
    const text = '{"items": [ {"n": 1e400},\n 12345678901234567890 ], "v": -0, "w": "\\ud800"}';
    const gen = streamLegacyArray(await fileWith('text.json', text), 'items', { chunkSize: 5 });
    const texts: string[] = [];
    for (;;) {
      const next = await gen.next();
      if (next.done) {
        expect([...next.value.otherKeysText]).toEqual([
          ['v', '-0'],
          ['w', '"\\ud800"'],
        ]);
        break;
      }
      texts.push(next.value.text);
    }
    expect(texts).toEqual(['{"n": 1e400}', '12345678901234567890']);
  });

  it('rejects a top level that is not an object, or a key that is not an array', async () => {
    const cases: Array<[string, RegExp]> = [
      ['[1,2]', /top-level value is not an object/],
      ['{"items": {"a": 1}}', /"items" is not an array/],
      ['{"other": []}', /no "items" array/],
      ['{"items": [], "items": [1]}', /duplicate key "items"/],
    ];
    for (const [text, pattern] of cases) {
      const err = await errorOf(collect(await fileWith('shape.json', text)));
      expect(err.code).toBe('invalid_shape');
      expect(err.message).toMatch(/^shape\.json: unexpected shape \(/);
      expect(err.message).toMatch(pattern);
    }
  });

  it("lets an error from the caller's onProgress through unchanged", async () => {
    const path = await fileWith('p.json', '{"items":[1]}');
    const boom = new Error('boom');
    await expect(
      collect(path, 'items', {
        onProgress: () => {
          throw boom;
        },
      }),
    ).rejects.toBe(boom);
  });

  it('reports a missing file as an io error', async () => {
    const err = await errorOf(collect(join(dir, 'missing.json')));
    expect(err.code).toBe('io');
    expect(err.message).toBe('missing.json: cannot read or write file (ENOENT)');
  });
});

describe('lineColumnOfByte', () => {
  it('counts lines, UTF-16 columns and skips a BOM', async () => {
    const path = await fileWith('lc.json', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('ab\né😀x')]));
    expect(await lineColumnOfByte(path, 3)).toEqual({ line: 1, column: 1 });
    expect(await lineColumnOfByte(path, 6)).toEqual({ line: 2, column: 1 });
    expect(await lineColumnOfByte(path, 12)).toEqual({ line: 2, column: 4 });
  });
});

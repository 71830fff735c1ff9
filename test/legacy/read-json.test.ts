import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LegacyFileError } from '../../src/legacy/file-error.js';
import { findJsonErrorIndex, lineColumnAt } from '../../src/legacy/json-error-position.js';
import { readLegacyJson } from '../../src/legacy/read-json.js';
import { serializeLegacyJson, serializeLegacyJsonChunks } from '../../src/legacy/serialize-json.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mediaos-read-json-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function fileWith(name: string, content: string | Buffer): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, content);
  return path;
}

async function errorOf(p: Promise<unknown>): Promise<LegacyFileError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(LegacyFileError);
  return err as LegacyFileError;
}

describe('readLegacyJson', () => {
  it('reports a missing file as exists:false', async () => {
    expect(await readLegacyJson(join(dir, 'nope.json'))).toEqual({ exists: false });
  });

  it('returns the value and the raw bytes', async () => {
    const path = await fileWith('ok.json', '{\n  "a": [1, "é"]\n}');
    const r = await readLegacyJson(path);
    expect(r.exists).toBe(true);
    if (!r.exists) return;
    expect(r.value).toEqual({ a: [1, 'é'] });
    expect(r.raw.toString('utf8')).toBe('{\n  "a": [1, "é"]\n}');
  });

  it('strips a UTF-8 BOM', async () => {
    const path = await fileWith('bom.json', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"x":1}')]));
    const r = await readLegacyJson(path);
    expect(r.exists && r.value).toEqual({ x: 1 });
  });

  it('names file, line and column for a truncated file (end of input)', async () => {
    const path = await fileWith('library.json', '{\n  "items": [\n    {"id": "a"}');
    const err = await errorOf(readLegacyJson(path));
    expect(err.code).toBe('invalid_json');
    expect(err.file).toBe(path);
    expect([err.line, err.column]).toEqual([3, 16]);
    expect(err.message).toBe("library.json: invalid JSON at line 3, column 16 (Expected ',' or ']' after array element)");
  });

  it('puts "Unexpected end of JSON input" at the end of the text', async () => {
    const err = await errorOf(readLegacyJson(await fileWith('cut.json', '{\n  "items": ')));
    expect(err.message).toBe('cut.json: invalid JSON at line 2, column 12 (Unexpected end of JSON input)');
  });

  it('locates "Unexpected token" errors, which V8 reports without a position', async () => {
    const path = await fileWith('tok.json', '{\n  "a": 1,\n  "b": tru\n}');
    const err = await errorOf(readLegacyJson(path));
    expect([err.line, err.column]).toEqual([3, 11]);
    expect(err.message).toBe("tok.json: invalid JSON at line 3, column 11 (Unexpected token '\\n')");
  });

  it('uses V8 positions when given, and never quotes the file content', async () => {
    const secret = 'hunter2-very-secret';
    const path = await fileWith('downloaders.json', `{"password": "${secret}" "x": 1}`);
    const err = await errorOf(readLegacyJson(path));
    expect([err.line, err.column]).toEqual([1, 36]);
    expect(err.detail).toBe("Expected ',' or '}' after property value");
    expect(err.message).not.toContain(secret);
    expect(String(err.cause ?? '')).not.toContain(secret);
  });

  it('counts columns in UTF-16 units after multi-byte text', async () => {
    const path = await fileWith('emoji.json', '{"t": "😀é", @}');
    const err = await errorOf(readLegacyJson(path));
    expect([err.line, err.column]).toEqual([1, 14]);
  });

  it('treats an empty file as invalid JSON at 1:1', async () => {
    const err = await errorOf(readLegacyJson(await fileWith('empty.json', '')));
    expect([err.line, err.column, err.code]).toEqual([1, 1, 'invalid_json']);
  });

  it('reports unreadable paths as io errors', async () => {
    await mkdir(join(dir, 'adir.json'));
    const err = await errorOf(readLegacyJson(join(dir, 'adir.json')));
    expect(err.code).toBe('io');
    expect(err.message).toBe('adir.json: cannot read or write file (EISDIR)');
  });
});

describe('findJsonErrorIndex', () => {
  const cases: Array<[string, number]> = [
    ['{"a":1}', -1],
    ['[1, -0.5e+3, true, false, null, "\\u00e9\\n", {}, []]', -1],
    ['  {"a" : [ ] }  ', -1],
    ['{"a":}', 5],
    ['[1,]', 3],
    ['{"a":1,}', 7],
    ['[01]', 2],
    ['[1 2]', 3],
    ['"abc', 4],
    ['["\\x"]', 3],
    ['["\\u12g4"]', 6],
    ['{"a" 1}', 5],
    ['[tru]', 4],
    ['[1] x', 4],
    ['[-]', 2],
    ['[1.]', 3],
    ['[1e]', 3],
    ['["a\u0001"]', 3],
    ['{"a":[1}', 7],
    ['', 0],
    ['["\\', 3],
  ];
  for (const [text, index] of cases) {
    it(`${JSON.stringify(text)} -> ${index}`, () => {
      expect(findJsonErrorIndex(text)).toBe(index);
      if (index === -1) expect(() => JSON.parse(text)).not.toThrow();
      else expect(() => JSON.parse(text)).toThrow();
    });
  }

  it('agrees with V8 wherever V8 gives a position', () => {
    for (const text of ['{"a":1', '{"a" 1}', '"abc', '[1] x', '["\\x"]', '[01]', '{"a":"\u0002"}']) {
      let pos = -1;
      try {
        JSON.parse(text);
      } catch (e) {
        pos = Number(/at position (\d+)/.exec((e as Error).message)?.[1] ?? -2);
      }
      expect(findJsonErrorIndex(text), text).toBe(pos);
    }
  });
});

describe('lineColumnAt', () => {
  it('is 1-based and counts only LF as a line break', () => {
    expect(lineColumnAt('abc', 0)).toEqual({ line: 1, column: 1 });
    expect(lineColumnAt('a\r\nbc', 4)).toEqual({ line: 2, column: 2 });
  });
});

describe('serializeLegacyJson', () => {
  it('is 2-space JSON without a trailing newline', () => {
    expect(serializeLegacyJson({ items: [{ id: 'a', n: 1 }] })).toBe('{\n  "items": [\n    {\n      "id": "a",\n      "n": 1\n    }\n  ]\n}');
  });

  it('chunked serialization equals JSON.stringify(value, null, 2)', () => {
    const values: unknown[] = [
      { items: [{ id: 'a', title: 'Café\nNew', meta: { deep: [1, { x: null }], u: undefined } }, 1, 'x', null, [], {}] },
      { items: [], other: {}, f: () => 1, s: Symbol('x'), d: new Date(0), nested: { when: new Date(1), list: [undefined, () => 1] } },
      [{ a: [] }, [[1, [2]]], { toJSON: () => 'custom' }],
      'plain',
      42,
      null,
      {},
      [],
      Object.assign(Object.create(null) as object, { a: 1 }),
    ];
    for (const v of values) {
      expect([...serializeLegacyJsonChunks(v)].join('')).toBe(JSON.stringify(v, null, 2));
    }
  });

  it('refuses what JSON cannot hold', () => {
    expect(() => [...serializeLegacyJsonChunks({ n: 10n })]).toThrow(TypeError);
    expect(() => [...serializeLegacyJsonChunks(undefined)]).toThrow(TypeError);
  });
});

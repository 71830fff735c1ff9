import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { pgRowText, SetDigest } from '../../src/migration/digest.js';
import { compareKeys, jsonbText, numericText } from '../../src/migration/jsonb-text.js';
import { pgUrl, sqlEngines } from '../helpers/engines.js';

/** Values whose jsonb text differs from JSON.stringify: key order, spacing, exponents, escapes. */
const VALUES: unknown[] = [
  null,
  true,
  0,
  -0,
  42,
  -1.5,
  0.1,
  1 / 3,
  1e21,
  -1.2345e25,
  1.5e-7,
  5e-324,
  Number.MAX_VALUE,
  '',
  'plain',
  'quote " backslash \\ slash /',
  'controls \b\f\n\r\t \u0001 \u001f \u007f',
  'unicode é 日本 😀',
  [],
  {},
  [1, 'two', null, [3, { b: 1, a: 2 }]],
  { z: 1, aa: 2, b: 3, é: 4, e: 5, ab: 6, '10': 7, '9': 8, '': 9 },
  { originalFilename: 'x.mkv', type: 'movie', codec: 'h264', title: 'T', importedAt: '2024-01-01T00:00:00.000Z' },
  { nested: { deeper: { key: 'v', k: ['\n'] } }, n: -0.000001 },
  // keys of equal byte length, ASCII and not: '\ue000' and 'abc' are both 3 bytes, '😀' and 'abé' 4
  { '\ue000': 1, '😀': 2, abc: 3, ab\u00e9: 4, zz: 5, é: 6, ÿ: 7, '\u007f': 8 },
];

describe('jsonb text predicted in Node', () => {
  it('orders keys as jsonb does, by UTF-8 length then bytes, whether or not they are ASCII', () => {
    const units = ['a', 'b', 'Z', '~', '\u007f', 'é', 'ÿ', '日', '\ue000', '\uffff', '😀'];
    const keys = [''];
    for (const x of units) for (const y of ['', ...units]) keys.push(x + y);
    const bytes = (k: string) => Buffer.from(k, 'utf8');
    const reference = [...keys].sort((a, b) => bytes(a).length - bytes(b).length || Buffer.compare(bytes(a), bytes(b)));
    expect([...keys].sort(compareKeys)).toEqual(reference);
    expect([...keys].reverse().sort(compareKeys)).toEqual(reference);
  });

  it('numbers are printed without an exponent, as numeric does', () => {
    expect(numericText(1e21)).toBe('1000000000000000000000');
    expect(numericText(1.5e-7)).toBe('0.00000015');
    expect(numericText(-1.2345e25)).toBe('-12345000000000000000000000');
    expect(numericText(123.45)).toBe('123.45');
    expect(numericText(-0)).toBe('0');
  });

  it('a row text names each value unambiguously, and an unstorable string makes the digest match nothing', () => {
    const types = ['text', 'integer', 'jsonb'] as const;
    const rows: unknown[][] = [
      ['a', 1, null],
      ['a1', null, null],
      [null, 1, '{}'],
      ['', 1, '{}'],
      ['a', 1, '{"a":1}'],
      ['a', 1, { a: 1 }],
    ];
    const texts = rows.map((r) => pgRowText(r, 0, types));
    expect(new Set(texts.slice(0, 5)).size).toBe(5);
    expect(texts[5]).toBe(texts[4]); // the same jsonb, as text or as a value
    expect(pgRowText(['a', 1.5, null], 0, types)).toBeUndefined();
    expect(pgRowText(['a', 1, '{broken'], 0, types)).toBeUndefined();
    const a = new SetDigest('pg-rows');
    const b = new SetDigest('pg-rows');
    a.addPgRow(['x\ud800', 1, null], 0, types);
    b.addPgRow(['x\ud800', 1, null], 0, types);
    expect(a.equals(b)).toBe(false);
  });
});

if (sqlEngines().includes('postgres')) {
  describe('jsonb text predicted in Node (postgres)', () => {
    it('equals what PostgreSQL prints for jsonb::text', async () => {
      const c = new pg.Client({ connectionString: pgUrl() });
      await c.connect();
      try {
        for (const v of VALUES) {
          const r = await c.query<{ t: string }>('select $1::jsonb::text as t', [JSON.stringify(v)]);
          expect(jsonbText(v), JSON.stringify(v)).toBe(r.rows[0]!.t);
        }
      } finally {
        await c.end();
      }
    });
  });
}

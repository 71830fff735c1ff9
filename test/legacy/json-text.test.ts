import { describe, expect, it } from 'vitest';
import { invalidUtf8Offset, isLossyNumber, jsonTextFacts, looksUtf16, lossyNumberIndex, topLevelSpans } from '../../src/legacy/json-text.js';

describe('JSON text facts JSON.parse hides', () => {
  it('a number literal is lossy when JSON.parse then JSON.stringify does not give the same number back', () => {
    for (const l of ['1e400', '-1e400', '1e-400', '12345678901234567890', '9007199254740993', '-0', '-0.0', '-0e5', '3.141592653589793238462643383279']) {
      expect(isLossyNumber(l), l).toBe(true);
    }
    for (const l of [
      '0',
      '1.0',
      '2.0e3',
      '1E21',
      '1e-7',
      '-1.5E+3',
      '0.1',
      '9007199254740991',
      '100000000000000000000000',
      '5e-324',
      '3.141592653589793',
      '0e999',
    ]) {
      expect(isLossyNumber(l), l).toBe(false);
    }
  });

  it('finds the first lossy literal, never inside a string', () => {
    expect(lossyNumberIndex('{"a": "1e400", "b": [1, 2.50, -0.5]}')).toBe(-1);
    expect(lossyNumberIndex('{"a": "x\\\\", "b": [1, 1e400]}')).toBe(22);
    expect(lossyNumberIndex('{"a": "x\\"1e400", "b": -0}')).toBe(23);
    expect(lossyNumberIndex('[1e400, 2]', 2)).toBe(-1);
  });

  it('measures nesting depth without recursing, brackets in strings ignored', () => {
    expect(jsonTextFacts('1').depth).toBe(0);
    expect(jsonTextFacts('{"a": [1, {"b": "[[[[{{"}], "c": []}').depth).toBe(3);
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    expect(jsonTextFacts(deep)).toEqual({ lossyAt: -1, depth: 100_000 });
    expect(jsonTextFacts('[[1e400]]')).toEqual({ lossyAt: 2, depth: 2 });
  });

  it('gives the text span of each top-level member and of each element of one array (last duplicate wins)', () => {
    const text = '\ufeff{ "x": 1, "items" : [ {"a":[1,{"b":"]"}]}, "s" , 3 ], "x": {"y":[]}, "z":"}" }';
    const spans = topLevelSpans(text, 'items');
    const slice = (s: { start: number; end: number }) => text.slice(s.start, s.end);
    expect([...spans.members].map(([k, s]) => [k, slice(s)])).toEqual([
      ['x', '{"y":[]}'],
      ['items', '[ {"a":[1,{"b":"]"}]}, "s" , 3 ]'],
      ['z', '"}"'],
    ]);
    expect(spans.elements!.map(slice)).toEqual(['{"a":[1,{"b":"]"}]}', '"s"', '3']);
    expect(topLevelSpans('[1, 2]', 'items')).toEqual({ members: new Map() });
    expect(topLevelSpans('{"items": {}}', 'items').elements).toBeUndefined();
  });

  it('finds bytes that are not UTF-8: stray Latin-1, encoded surrogates, truncated and overlong sequences', () => {
    expect(invalidUtf8Offset(Buffer.from('ok é 🎬 語'))).toBe(-1);
    expect(invalidUtf8Offset(Buffer.from([0x41, 0xc3, 0xa9, 0x42, 0xf6, 0x43]))).toBe(4);
    expect(invalidUtf8Offset(Buffer.from([0x41, 0xed, 0xa0, 0x80]))).toBe(1);
    expect(invalidUtf8Offset(Buffer.from([0x41, 0xe2, 0x82]))).toBe(1);
    expect(invalidUtf8Offset(Buffer.from([0xc0, 0xaf]))).toBe(0);
    expect(invalidUtf8Offset(Buffer.from([0xf4, 0x90, 0x80, 0x80]))).toBe(0);
    expect(looksUtf16(Buffer.from([0xff, 0xfe, 0x7b, 0]))).toBe(true);
    expect(looksUtf16(Buffer.from('{}'))).toBe(false);
  });
});

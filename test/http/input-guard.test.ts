import { describe, expect, it } from 'vitest';
import { assertSafeInput, findUnsafeInput, MAX_INPUT_DEPTH } from '../../src/http/input-guard.js';

const nest = (depth: number): unknown => (depth === 0 ? 1 : { a: nest(depth - 1) });

describe('findUnsafeInput', () => {
  it('accepts ordinary input, emoji (paired surrogates) and combining marks', () => {
    expect(findUnsafeInput({ title: 'Amélie 🎬 e\u0301', tags: ['日本', 'x'], n: -0, deep: nest(MAX_INPUT_DEPTH - 1) }, '')).toBeUndefined();
    expect(findUnsafeInput(undefined, 'params')).toBeUndefined();
    expect(findUnsafeInput('plain', '')).toBeUndefined();
  });

  it('names the field holding a NUL or an unpaired surrogate', () => {
    expect(findUnsafeInput({ a: { title: 'x\u0000' } }, '')).toBe('a.title: must not contain NUL characters');
    expect(findUnsafeInput({ list: ['ok', '\ud800'] }, '')).toBe('list.1: must not contain unpaired surrogates');
    expect(findUnsafeInput({ x: 'a\udc00' }, 'query')).toBe('query.x: must not contain unpaired surrogates');
    expect(findUnsafeInput({ x: '\udbff\udfff\ud83c' }, '')).toBe('x: must not contain unpaired surrogates');
    expect(findUnsafeInput({ ['k\u0000']: 1 }, '')).toBe('body: key must not contain NUL characters');
  });

  it(`refuses nesting deeper than ${MAX_INPUT_DEPTH} without recursing (100k levels)`, () => {
    expect(findUnsafeInput(nest(MAX_INPUT_DEPTH + 1), '')).toMatch(/^a\.a\.a\.a: nested deeper than 64 levels$/);
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(findUnsafeInput(deep, '')).toMatch(/nested deeper/);
  });

  it('throws a 400 Invalid through assertSafeInput', () => {
    expect(() => assertSafeInput({ id: '\u0000' }, 'params')).toThrow(
      expect.objectContaining({ status: 400, code: 'params.id: must not contain NUL characters' }),
    );
    expect(() => assertSafeInput({ id: 'fine' }, 'params')).not.toThrow();
  });
});

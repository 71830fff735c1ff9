import { describe, expect, it } from 'vitest';
import { scrub, snippet } from '../../src/http-client/http.js';

const SECRET = 'Pw#1 a&b=c+d/e%41';

describe('scrub and snippet against servers that echo credentials', () => {
  it('removes the secret raw, URL-encoded, form-encoded and JSON-escaped', () => {
    for (const echoed of [SECRET, encodeURIComponent(SECRET), new URLSearchParams({ p: SECRET }).toString().slice(2), JSON.stringify(`"${SECRET}"`)]) {
      const out = scrub(`bad login: ${echoed}`, [SECRET]);
      expect(out).not.toContain('Pw#1');
      expect(out).not.toContain('Pw%231');
      expect(out).toContain('***');
    }
  });

  it('never leaves the head of a secret that straddles the 80-char cut', () => {
    const out = snippet(`${'x'.repeat(75)}${SECRET} tail`, [SECRET]);
    expect(out.length).toBeLessThanOrEqual(80);
    expect(out).not.toMatch(/Pw/);
  });

  it('still strips apikey query params and ignores secrets shorter than 3 chars', () => {
    expect(scrub('GET /api?apikey=abc123&x=1', [])).toBe('GET /api?apikey=***&x=1');
    expect(scrub('ab cd', ['ab'])).toBe('ab cd');
  });
});

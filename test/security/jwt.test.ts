import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signJwt, verifyJwt } from '../../src/security/jwt.js';

const SECRET = 'jwt-secret-0123456789abcdef0123456789';
const NOW = 1_760_000_000;

function b64url(s: string): string {
  return Buffer.from(s, 'utf8').toString('base64url');
}

/** Builds a token the way legacy services/jwt.ts does, independently of our module. */
function legacyToken(payloadJson: string, secret = SECRET, headerJson = '{"alg":"HS256","typ":"JWT"}'): string {
  const input = `${b64url(headerJson)}.${b64url(payloadJson)}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}

const ACCESS_JSON = `{"sub":"mi2abc123","email":"a@b.c","role":"admin","iat":${NOW},"exp":${NOW + 900}}`;

describe('signJwt', () => {
  it('produces the legacy token byte for byte, keeping key order', () => {
    const token = signJwt({ sub: 'mi2abc123', email: 'a@b.c', role: 'admin', iat: NOW, exp: NOW + 900 }, SECRET);
    expect(token).toBe(legacyToken(ACCESS_JSON));
    expect(token.split('.')[0]).toBe('eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9');
    expect(token).not.toMatch(/[=+/]/);
  });

  it('refuses an empty secret', () => {
    expect(() => signJwt({ sub: 'x' }, '')).toThrow(/must not be empty/);
    expect(() => verifyJwt('a.b.c', '', NOW)).toThrow(/must not be empty/);
  });
});

describe('verifyJwt', () => {
  it('accepts a legacy-signed token and returns its payload in order', () => {
    const result = verifyJwt(legacyToken(ACCESS_JSON), SECRET, NOW);
    expect(result).toEqual({ ok: true, payload: JSON.parse(ACCESS_JSON) });
    expect(result.ok && Object.keys(result.payload)).toEqual(['sub', 'email', 'role', 'iat', 'exp']);
  });

  it('round-trips its own tokens', () => {
    const result = verifyJwt(signJwt({ sub: 'u1', iat: NOW, exp: NOW + 604_800 }, SECRET), SECRET, NOW);
    expect(result).toEqual({ ok: true, payload: { sub: 'u1', iat: NOW, exp: NOW + 604_800 } });
  });

  it('applies the legacy expiry boundary: valid during the exp second, expired after', () => {
    const token = legacyToken(`{"sub":"u1","exp":${NOW}}`);
    expect(verifyJwt(token, SECRET, NOW - 1).ok).toBe(true);
    expect(verifyJwt(token, SECRET, NOW).ok).toBe(true);
    expect(verifyJwt(token, SECRET, NOW + 1)).toEqual({ ok: false, reason: 'expired' });
  });

  it('ignores a non-numeric or missing exp, like the legacy code', () => {
    expect(verifyJwt(legacyToken('{"sub":"u1","exp":"1"}'), SECRET, NOW).ok).toBe(true);
    expect(verifyJwt(legacyToken('{"sub":"u1"}'), SECRET, NOW).ok).toBe(true);
  });

  it('rejects a token signed with another secret', () => {
    expect(verifyJwt(legacyToken(ACCESS_JSON, 'other-secret-0123456789abcdef01234'), SECRET, NOW)).toEqual({
      ok: false,
      reason: 'bad_signature',
    });
  });

  it('rejects a tampered payload, header or signature', () => {
    const [h, p, s] = legacyToken(ACCESS_JSON).split('.');
    const adminPayload = b64url(ACCESS_JSON.replace('"role":"admin"', '"role":"user"'));
    const flipped = s.slice(0, -1) + (s.endsWith('A') ? 'B' : 'A');
    for (const token of [`${h}.${adminPayload}.${s}`, `${b64url('{"alg":"HS256"}')}.${p}.${s}`, `${h}.${p}.${flipped}`, `${h}.${p}.${s}x`]) {
      expect(verifyJwt(token, SECRET, NOW)).toEqual({ ok: false, reason: 'bad_signature' });
    }
  });

  it('rejects alg none and other algorithms', () => {
    const none = `${b64url('{"alg":"none","typ":"JWT"}')}.${b64url(ACCESS_JSON)}.`;
    expect(verifyJwt(none, SECRET, NOW)).toEqual({ ok: false, reason: 'malformed' });
    // Even correctly HMAC-signed, a header naming another algorithm is refused.
    for (const header of ['{"alg":"none","typ":"JWT"}', '{"alg":"HS512","typ":"JWT"}', '{"typ":"JWT"}']) {
      expect(verifyJwt(legacyToken(ACCESS_JSON, SECRET, header), SECRET, NOW)).toEqual({
        ok: false,
        reason: 'bad_signature',
      });
    }
  });

  it('reports malformed tokens', () => {
    const bad = ['', 'abc', 'a.b', 'a.b.c.d', '..', `${legacyToken(ACCESS_JSON)}.`, undefined as unknown as string];
    for (const token of bad) expect(verifyJwt(token, SECRET, NOW)).toEqual({ ok: false, reason: 'malformed' });
  });

  it('reports a correctly signed but non-JSON or non-object header or payload as malformed', () => {
    for (const [header, payload] of [
      ['{"alg":"HS256","typ":"JWT"}', 'not json'],
      ['{"alg":"HS256","typ":"JWT"}', '[1,2]'],
      ['{"alg":"HS256","typ":"JWT"}', 'null'],
      ['{"alg":"HS256","typ":"JWT"}', '"text"'],
      ['not json', ACCESS_JSON],
      ['[]', ACCESS_JSON],
    ]) {
      expect(verifyJwt(legacyToken(payload, SECRET, header), SECRET, NOW)).toEqual({ ok: false, reason: 'malformed' });
    }
  });

  it('a token verified once (cached) is still checked for expiry and only matches byte for byte', () => {
    const token = legacyToken(ACCESS_JSON);
    expect(verifyJwt(token, SECRET, NOW).ok).toBe(true);
    expect(verifyJwt(token, SECRET, NOW).ok).toBe(true); // from the cache
    expect(verifyJwt(token, SECRET, NOW + 901)).toEqual({ ok: false, reason: 'expired' });
    expect(verifyJwt(token, 'another-secret-0123456789abcdef0123', NOW)).toEqual({ ok: false, reason: 'bad_signature' });
    const tampered = `${token.slice(0, -2)}${token.endsWith('A') ? 'B' : 'A'}${token.slice(-1)}`;
    expect(verifyJwt(tampered, SECRET, NOW)).toEqual({ ok: false, reason: 'bad_signature' });
    const r = verifyJwt(token, SECRET, NOW);
    expect(r.ok && Object.isFrozen(r.payload)).toBe(true);
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';

describe('security headers and CORS', () => {
  let t: TestApp;
  afterEach(async () => t?.close());

  it('sends helmet headers and no CORS headers by default (same-origin only)', async () => {
    t = await createTestApp();
    const res = await t.app.inject({ method: 'GET', url: '/api/health', headers: { origin: 'https://evil.example' } });
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('allows exactly the configured origins, with credentials', async () => {
    t = await createTestApp({ env: { ALLOWED_ORIGINS: 'https://media.example' } });
    const ok = await t.app.inject({ method: 'OPTIONS', url: '/api/library', headers: { origin: 'https://media.example', 'access-control-request-method': 'GET' } });
    expect(ok.headers['access-control-allow-origin']).toBe('https://media.example');
    expect(ok.headers['access-control-allow-credentials']).toBe('true');
    const other = await t.app.inject({ method: 'GET', url: '/api/health', headers: { origin: 'https://evil.example' } });
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
  });
});

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync, brotliDecompressSync, gzipSync } from 'node:zlib';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { IMMUTABLE, REVALIDATE, WEB_CSP } from '../../src/http/web-app.js';
import { createTestApp, type TestApp } from '../helpers/app.js';

const HTML = { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' };
const INDEX = '<!doctype html><html><head><script type="module" src="/assets/app-3f9a1c.js"></script></head><body><div id="root"></div></body></html>';
const SCRIPT = `console.log(${JSON.stringify('x'.repeat(2000))});`;

describe('the web app served at /', () => {
  let dir: string;
  let t: TestApp;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'mediaos-web-'));
    mkdirSync(join(dir, 'built', 'assets'), { recursive: true });
    writeFileSync(join(dir, 'built', 'index.html'), INDEX);
    writeFileSync(join(dir, 'built', 'assets', 'app-3f9a1c.js'), SCRIPT);
    writeFileSync(join(dir, 'built', 'assets', 'app-3f9a1c.js.br'), brotliCompressSync(SCRIPT));
    writeFileSync(join(dir, 'built', 'assets', 'app-3f9a1c.js.gz'), gzipSync(SCRIPT));
    writeFileSync(join(dir, 'built', 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  afterEach(async () => t?.close());

  it('answers index.html at / with no-cache and the web CSP, keeping the other security headers', async () => {
    t = await createTestApp({ env: { MEDIAOS_WEB_DIR: join(dir, 'built') } });
    const res = await t.app.inject({ method: 'GET', url: '/', headers: HTML });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.body).toBe(INDEX);
    expect(res.headers['cache-control']).toBe(REVALIDATE);
    expect(res.headers['content-security-policy']).toBe(WEB_CSP);
    expect(WEB_CSP).toContain("script-src 'self'");
    expect(WEB_CSP).not.toContain('unsafe-inline');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
  });

  it('serves hashed assets immutable, brotli or gzip as the browser accepts, plain otherwise', async () => {
    t = await createTestApp({ env: { MEDIAOS_WEB_DIR: join(dir, 'built') } });
    const br = await t.app.inject({ method: 'GET', url: '/assets/app-3f9a1c.js', headers: { 'accept-encoding': 'br, gzip' } });
    expect(br.statusCode).toBe(200);
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers['cache-control']).toBe(IMMUTABLE);
    expect(br.headers['content-type']).toMatch(/javascript/);
    expect(brotliDecompressSync(br.rawPayload).toString()).toBe(SCRIPT);
    const gz = await t.app.inject({ method: 'GET', url: '/assets/app-3f9a1c.js', headers: { 'accept-encoding': 'gzip' } });
    expect(gz.headers['content-encoding']).toBe('gzip');
    const plain = await t.app.inject({ method: 'GET', url: '/assets/app-3f9a1c.js' });
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body).toBe(SCRIPT);
    const icon = await t.app.inject({ method: 'GET', url: '/favicon.svg' });
    expect(icon.headers['cache-control']).toBe(REVALIDATE);
  });

  it('answers index.html to a browser asking for a page of the app (SPA fallback), JSON 404 elsewhere', async () => {
    t = await createTestApp({ env: { MEDIAOS_WEB_DIR: join(dir, 'built') } });
    const page = await t.app.inject({ method: 'GET', url: '/library/abc?view=grid', headers: HTML });
    expect(page.statusCode).toBe(200);
    expect(page.body).toBe(INDEX);
    expect(page.headers['cache-control']).toBe(REVALIDATE);
    // Not a browser page request: the API's JSON 404 as before.
    for (const req of [
      { method: 'GET' as const, url: '/api/nope', headers: HTML },
      { method: 'GET' as const, url: '/metrics/x', headers: HTML },
      { method: 'GET' as const, url: '/library/abc', headers: { accept: 'application/json' } },
      { method: 'POST' as const, url: '/library/abc', headers: HTML },
      { method: 'GET' as const, url: '/assets/missing-123.js' },
    ]) {
      const res = await t.app.inject(req);
      expect(res.statusCode, req.url).toBe(404);
      expect(res.json(), req.url).toMatchObject({ ok: false, error: 'not_found' });
    }
    // The API is untouched: its CSP is still helmet's default.
    const health = await t.app.inject({ method: 'GET', url: '/api/health' });
    expect(health.headers['content-security-policy']).toContain('upgrade-insecure-requests');
  });

  it('says how to build the app, with a 503 and no crash, when the folder holds no build', async () => {
    t = await createTestApp({ env: { MEDIAOS_WEB_DIR: join(dir, 'missing') } });
    for (const url of ['/', '/wanted']) {
      const res = await t.app.inject({ method: 'GET', url, headers: HTML });
      expect(res.statusCode, url).toBe(503);
      expect(res.headers['content-type']).toMatch(/^text\/plain/);
      expect(res.body).toContain('npm run build:web');
    }
    const api = await t.app.inject({ method: 'GET', url: '/api/nope', headers: HTML });
    expect(api.statusCode).toBe(404);
    expect(api.json()).toMatchObject({ error: 'not_found' });
  });
});

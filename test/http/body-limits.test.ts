import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_BODY_LIMIT } from '../../src/app.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { bearer, registerAdmin, registerUser } from '../helpers/auth.js';

const BIG = Math.round(9.5 * 1024 * 1024);

/** A body produced only as the server reads it; `pulled` counts the bytes handed over. */
function lazyBody(size: number) {
  const chunk = Buffer.alloc(64 * 1024, 0x61);
  const state = { pulled: 0 };
  const stream = new Readable({
    read() {
      if (state.pulled >= size) return void this.push(null);
      const n = Math.min(chunk.length, size - state.pulled);
      state.pulled += n;
      this.push(n === chunk.length ? chunk : chunk.subarray(0, n));
    },
  });
  return { stream, state };
}

describe('request bodies: authentication first, then a per-route size limit', () => {
  let t: TestApp;
  let admin: string;
  beforeAll(async () => {
    t = await createTestApp();
    admin = (await registerAdmin(t.app)).accessToken;
  });
  afterAll(async () => t?.close());

  it('answers an unauthenticated 9.5 MB body 401 without reading it', async () => {
    for (const headers of [{}, bearer('not-a-token')]) {
      const body = lazyBody(BIG);
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/library',
        payload: body.stream,
        headers: { ...headers, 'content-type': 'application/json', 'content-length': String(BIG) },
      });
      expect(res.statusCode).toBe(401);
      expect(res.json()).toMatchObject({ ok: false });
      // Stream buffers hold a few chunks at most; a read body would be all 9.5 MB.
      expect(body.state.pulled).toBeLessThan(1024 * 1024);
    }
  });

  it('answers a user (not admin) 403 on an admin route before reading the body', async () => {
    const user = await registerUser(t.app, admin, 'u@example.test');
    const body = lazyBody(BIG);
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/library',
      payload: body.stream,
      headers: { ...bearer(user.accessToken), 'content-type': 'application/json', 'content-length': String(BIG) },
    });
    expect(res.statusCode).toBe(403);
    expect(body.state.pulled).toBeLessThan(1024 * 1024);
  });

  it('answers an authenticated body over the 1 MiB default 413, and one under it as usual', async () => {
    const over = JSON.stringify({ kind: 'movie', title: 'x', pad: 'a'.repeat(DEFAULT_BODY_LIMIT) });
    const res = await t.app.inject({ method: 'POST', url: '/api/library', payload: over, headers: { ...bearer(admin), 'content-type': 'application/json' } });
    expect(res.statusCode).toBe(413);
    expect(res.json()).toMatchObject({ ok: false, statusCode: 413, code: 'FST_ERR_CTP_BODY_TOO_LARGE' });
    const under = await t.app.inject({ method: 'POST', url: '/api/library', payload: { kind: 'movie', title: 'Small' }, headers: bearer(admin) });
    expect(under.statusCode).toBe(200);
  });

  it('keeps the usual order for requests without a body: input checks, then auth', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/library?q=%00' });
    expect(res.statusCode).toBe(400);
    expect((await t.app.inject({ method: 'GET', url: '/api/library' })).statusCode).toBe(401);
  });

  it('lets the NZB upload route take a body past the default limit (up to UPLOAD_MAX_BYTES)', async () => {
    const boundary = 'b0undary';
    const nzb = Buffer.alloc(DEFAULT_BODY_LIMIT + 1024, 0x61);
    const payload = Buffer.concat([
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="title"\r\n\r\nBig.Upload\r\n`),
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="nzbUpload"; filename="big.nzb"\r\nContent-Type: application/x-nzb\r\n\r\n`),
      nzb,
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    expect(t.ctx.config.uploadMaxBytes).toBeGreaterThan(payload.length);
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/downloads/grab',
      payload,
      headers: { ...bearer(admin), 'content-type': `multipart/form-data; boundary=${boundary}` },
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({ ok: true, queued: false, stored: true });
  });
});

import { lstatSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeCursor } from '../../src/media/files.service.js';
import { rootId } from '../../src/media/path-guard.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { bearer, registerAdmin, registerUser } from '../helpers/auth.js';

/** Real image headers (the server checks magic bytes, not names). */
const JPEG = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10]), Buffer.from('JFIF\0 poster bytes')]);
const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from('png body')]);

function tree(base: string) {
  const movies = join(base, 'media', 'movies');
  const outside = join(base, 'outside');
  const files: Record<string, string | Buffer> = {
    'Heat (1995)/Heat.1995.1080p.mkv': 'video-bytes',
    'Heat (1995)/cover.jpg': JPEG,
    'Heat (1995)/season.png': PNG,
    'Heat (1995)/fake.jpg': 'this is text, not a JPEG',
    'Alien (1979)/Alien.1979.mkv': 'alien',
    'b-notes.txt': 'notes',
    'a-readme.txt': 'readme',
  };
  for (const [rel, body] of Object.entries(files)) {
    mkdirSync(dirname(join(movies, rel)), { recursive: true });
    writeFileSync(join(movies, rel), body);
  }
  mkdirSync(outside, { recursive: true });
  writeFileSync(join(outside, 'secret.jpg'), JPEG);
  symlinkSync(outside, join(movies, 'escape'));
  symlinkSync(join(outside, 'secret.jpg'), join(movies, 'Heat (1995)', 'linked-out.jpg'));
  symlinkSync(join(movies, 'Alien (1979)'), join(movies, 'Zalien-link'));
  return { movies, outside, id: rootId(movies) };
}

async function setup(env?: Record<string, string>) {
  const t = await createTestApp(env ? { env } : {});
  const tr = tree(t.dir);
  await t.ctx.stores.settings.put('settings', { setupCompleted: true, mediaFolders: [{ path: tr.movies, type: 'movies', enabled: true }] });
  const admin = await registerAdmin(t.app);
  const user = await registerUser(t.app, admin.accessToken);
  return { t, tr, a: bearer(admin.accessToken), u: bearer(user.accessToken) };
}

const snapshot = (dir: string) => readdirSync(dir).sort();

describe('file browser and artwork (/api/files/*, /api/artwork/*)', () => {
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it('lists the roots, then a folder: folders first, by name, with size/mtime/isImage, paged by cursor; symlinks out are left out', async () => {
    const s = await setup();
    t = s.t;
    expect((await t.app.inject({ method: 'GET', url: '/api/files/browse' })).statusCode).toBe(401);
    const roots = (await t.app.inject({ method: 'GET', url: '/api/files/browse', headers: s.u })).json();
    expect(roots).toEqual({ atRoot: true, roots: [{ id: s.tr.id, name: 'movies' }] });

    const top = (await t.app.inject({ method: 'GET', url: `/api/files/browse?root=${s.tr.id}`, headers: s.u })).json();
    expect(top).toMatchObject({ atRoot: false, root: { id: s.tr.id, name: 'movies' }, rel: '', parent: null, total: 5, nextCursor: null });
    expect(top.items.map((i: { name: string; type: string }) => `${i.type}:${i.name}`)).toEqual([
      'dir:Alien (1979)',
      'dir:Heat (1995)',
      'dir:Zalien-link',
      'file:a-readme.txt',
      'file:b-notes.txt',
    ]);
    expect(top.items[3]).toMatchObject({ rel: 'a-readme.txt', size: 6, isImage: false });
    expect(top.items[3].mtime).toMatch(/^\d{4}-\d\d-\d\dT.*Z$/);

    const p1 = (await t.app.inject({ method: 'GET', url: `/api/files/browse?root=${s.tr.id}&rel=Heat%20(1995)&limit=2`, headers: s.u })).json();
    expect(p1).toMatchObject({ rel: 'Heat (1995)', parent: '', total: 4 });
    expect(p1.items.map((i: { name: string }) => i.name)).toEqual(['Heat.1995.1080p.mkv', 'cover.jpg']);
    expect(p1.items[1]).toMatchObject({ rel: 'Heat (1995)/cover.jpg', type: 'file', size: JPEG.length, isImage: true });
    const p2 = (
      await t.app.inject({ method: 'GET', url: `/api/files/browse?root=${s.tr.id}&rel=Heat%20(1995)&limit=2&cursor=${p1.nextCursor}`, headers: s.u })
    ).json();
    expect(p2.items.map((i: { name: string }) => i.name)).toEqual(['fake.jpg', 'season.png']);
    expect(p2.nextCursor).toBeNull();

    const bad = await t.app.inject({ method: 'GET', url: `/api/files/browse?root=${s.tr.id}&limit=0`, headers: s.u });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error).toMatch(/^limit/);
    expect((await t.app.inject({ method: 'GET', url: `/api/files/browse?root=${s.tr.id}&cursor=xyz`, headers: s.u })).json().error).toMatch(/^cursor/);
    expect((await t.app.inject({ method: 'GET', url: `/api/files/browse?root=nope`, headers: s.u })).json()).toMatchObject({ error: 'invalid_root' });
    expect((await t.app.inject({ method: 'GET', url: `/api/files/browse?root=${s.tr.id}&rel=none`, headers: s.u })).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'GET', url: `/api/files/browse?root=${s.tr.id}&rel=a-readme.txt`, headers: s.u })).statusCode).toBe(400);
    // A cursor from another listing still works: it is a position in the sort order.
    const after = (await t.app.inject({ method: 'GET', url: `/api/files/browse?root=${s.tr.id}&cursor=${encodeCursor(false, 'a')}`, headers: s.u })).json();
    expect(after.items.map((i: { name: string }) => i.name)).toEqual(['a-readme.txt', 'b-notes.txt']);
  });

  it('browse refuses `..`, encoded %2e%2e, absolute paths and symlinks out of the root with 403', async () => {
    const s = await setup();
    t = s.t;
    for (const rel of [
      '..',
      '%2e%2e',
      '%2e%2e%2f..%2foutside',
      'Heat%20(1995)/../../outside',
      '%2Fetc',
      encodeURIComponent(s.tr.outside),
      'escape',
      'escape/',
    ]) {
      const r = await t.app.inject({ method: 'GET', url: `/api/files/browse?root=${s.tr.id}&rel=${rel}`, headers: s.u });
      expect(r.statusCode, rel).toBe(403);
      expect(r.json()).toMatchObject({ ok: false, error: 'path_not_allowed' });
      expect(r.body).not.toContain('secret');
    }
  });

  it('assign copies an image next to itself (never over a file without overwrite), checks its bytes and size', async () => {
    const s = await setup({ MEDIAOS_ARTWORK_MAX_BYTES: '2048' });
    t = s.t;
    const heat = join(s.tr.movies, 'Heat (1995)');
    const post = (payload: object, h = s.a) => t!.app.inject({ method: 'POST', url: '/api/files/artwork/assign', payload, headers: h });
    expect((await post({ root: s.tr.id, rel: 'Heat (1995)/cover.jpg', kind: 'poster' }, s.u)).statusCode).toBe(403);
    const ok = await post({ root: s.tr.id, rel: 'Heat (1995)/cover.jpg', kind: 'poster' });
    expect(ok.json()).toEqual({ ok: true, target: '/Heat (1995)/poster.jpg' });
    expect(readFileSync(join(heat, 'poster.jpg'))).toEqual(JPEG);

    const exists = await post({ root: s.tr.id, rel: 'Heat (1995)/cover.jpg', kind: 'poster' });
    expect(exists.json()).toMatchObject({ ok: false, error: 'exists' });
    expect(readdirSync(heat).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    writeFileSync(join(heat, 'poster.jpg'), 'old');
    expect((await post({ root: s.tr.id, rel: 'Heat (1995)/cover.jpg', kind: 'poster' })).statusCode).toBe(409);
    expect(readFileSync(join(heat, 'poster.jpg'), 'utf8')).toBe('old');
    expect((await post({ root: s.tr.id, rel: 'Heat (1995)/cover.jpg', kind: 'poster', overwrite: true })).statusCode).toBe(200);
    expect(readFileSync(join(heat, 'poster.jpg'))).toEqual(JPEG);

    expect((await post({ root: s.tr.id, rel: 'Heat (1995)/season.png', kind: 'season', season: 1 })).json().target).toBe('/Heat (1995)/season01.png');
    expect((await post({ root: s.tr.id, rel: 'Heat (1995)/season.png', kind: 'season' })).json().error).toMatch(/^season/);
    expect((await post({ root: s.tr.id, rel: 'Heat (1995)/season.png', kind: 'season', season: 100 })).json().error).toMatch(/^season/);
    expect((await post({ root: s.tr.id, rel: 'Heat (1995)/cover.jpg', kind: 'thumb' })).json().error).toMatch(/^kind/);
    expect((await post({ root: s.tr.id, kind: 'poster' })).json().error).toMatch(/^rel/);
    expect((await post({ root: 'nope', rel: 'x.jpg', kind: 'poster' })).json().error).toBe('invalid_root');
    expect((await post({ root: s.tr.id, rel: 'Heat (1995)/missing.jpg', kind: 'banner' })).statusCode).toBe(404);

    const before = snapshot(heat);
    const fake = await post({ root: s.tr.id, rel: 'Heat (1995)/fake.jpg', kind: 'banner' });
    expect(fake.json()).toMatchObject({ ok: false, error: 'not_an_image' });
    writeFileSync(join(heat, 'big.jpg'), Buffer.concat([JPEG, Buffer.alloc(4096)]));
    const big = await post({ root: s.tr.id, rel: 'Heat (1995)/big.jpg', kind: 'banner' });
    expect(big.statusCode).toBe(413);
    expect(snapshot(heat)).toEqual([...before, 'big.jpg'].sort());
  });

  it('assign refuses `..`, %2e%2e, absolute paths and symlinks out (403), writes nothing, and never writes through a symlink', async () => {
    const s = await setup();
    t = s.t;
    const outsideBefore = snapshot(s.tr.outside);
    const heat = join(s.tr.movies, 'Heat (1995)');
    const heatBefore = snapshot(heat);
    for (const rel of [
      '../../outside/secret.jpg',
      '%2e%2e/%2e%2e/outside/secret.jpg',
      join(s.tr.outside, 'secret.jpg'),
      'escape/secret.jpg',
      'Heat (1995)/linked-out.jpg',
    ]) {
      // The body is JSON: an encoded `%2e%2e` arrives literally and names no folder; decoded it is `..`.
      for (const r of [rel, decodeURIComponent(rel)]) {
        const res = await t.app.inject({ method: 'POST', url: '/api/files/artwork/assign', payload: { root: s.tr.id, rel: r, kind: 'poster' }, headers: s.a });
        expect([403, 404], r).toContain(res.statusCode);
        if (!r.includes('%')) expect(res.json().error, r).toBe('path_not_allowed');
      }
    }
    expect(snapshot(s.tr.outside)).toEqual(outsideBefore);
    expect(snapshot(heat)).toEqual(heatBefore);

    // A target that is a symlink out of the root is replaced, never written through.
    symlinkSync(join(s.tr.outside, 'secret.jpg'), join(heat, 'background.jpg'));
    const refused = await t.app.inject({
      method: 'POST',
      url: '/api/files/artwork/assign',
      payload: { root: s.tr.id, rel: 'Heat (1995)/cover.jpg', kind: 'background' },
      headers: s.a,
    });
    expect(refused.statusCode).toBe(409);
    writeFileSync(join(s.tr.outside, 'secret.jpg'), 'outside stays');
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/files/artwork/assign',
      payload: { root: s.tr.id, rel: 'Heat (1995)/cover.jpg', kind: 'background', overwrite: true },
      headers: s.a,
    });
    expect(res.statusCode).toBe(200);
    expect(lstatSync(join(heat, 'background.jpg')).isSymbolicLink()).toBe(false);
    expect(readFileSync(join(s.tr.outside, 'secret.jpg'), 'utf8')).toBe('outside stays');
  });

  it('copies artwork into <data>/artwork under its hash, sets the item URL, and serves it with cache headers', async () => {
    const s = await setup();
    t = s.t;
    const item = (await t.app.inject({ method: 'POST', url: '/api/library', payload: { kind: 'movie', title: 'Heat' }, headers: s.a })).json().item;
    const post = (payload: object) => t!.app.inject({ method: 'POST', url: '/api/files/artwork/item', payload, headers: s.a });
    const r = await post({ root: s.tr.id, rel: 'Heat (1995)/cover.jpg', itemId: item.id, kind: 'poster' });
    expect(r.statusCode).toBe(200);
    const { url } = r.json();
    expect(url).toMatch(/^\/api\/artwork\/[0-9a-f]{64}\.jpg$/);
    expect(r.json().item.posterUrl).toBe(url);
    expect(readdirSync(join(t.dir, 'artwork'))).toEqual([url.slice('/api/artwork/'.length)]);
    const bg = await post({ root: s.tr.id, rel: 'Heat (1995)/season.png', itemId: item.id, kind: 'background' });
    expect(bg.json().item).toMatchObject({ posterUrl: url, backgroundUrl: expect.stringMatching(/\.png$/) });
    const got = (await t.app.inject({ method: 'GET', url: `/api/library/${item.id}`, headers: s.u })).json();
    expect(JSON.stringify(got)).toContain(url);

    // The stored URL can be written back unchanged; other relative URLs stay refused.
    const patch = (posterUrl: string) => t!.app.inject({ method: 'PATCH', url: `/api/library/${item.id}`, payload: { posterUrl }, headers: s.a });
    expect((await patch(url)).statusCode).toBe(200);
    expect((await patch('/api/artwork/../../etc/passwd')).json().error).toMatch(/^posterUrl/);
    expect((await patch('/api/artwork/abc.jpg')).statusCode).toBe(400);

    const img = await t.app.inject({ method: 'GET', url });
    expect(img.statusCode).toBe(200);
    expect(img.headers['content-type']).toBe('image/jpeg');
    expect(img.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(img.rawPayload).toEqual(JPEG);
    expect((await t.app.inject({ method: 'GET', url, headers: { 'if-none-match': String(img.headers.etag) } })).statusCode).toBe(304);
    expect((await t.app.inject({ method: 'GET', url: `/api/artwork/${'0'.repeat(64)}.jpg` })).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'GET', url: '/api/artwork/passwd' })).statusCode).toBe(404);
    for (const bad of ['..%2f..%2fmediaos.db', '%2e%2e%2fmediaos.db', '%2Fetc%2Fpasswd', '..%5c..%5cmediaos.db']) {
      expect((await t.app.inject({ method: 'GET', url: `/api/artwork/${bad}` })).statusCode, bad).toBe(403);
    }

    expect((await post({ root: s.tr.id, rel: 'Heat (1995)/cover.jpg', itemId: 'missing', kind: 'poster' })).statusCode).toBe(404);
    expect((await post({ root: s.tr.id, rel: 'Heat (1995)/fake.jpg', itemId: item.id, kind: 'poster' })).json().error).toBe('not_an_image');
    expect((await post({ root: s.tr.id, rel: 'Heat (1995)/nothing.jpg', itemId: item.id, kind: 'poster' })).statusCode).toBe(404);
    expect((await post({ root: s.tr.id, rel: 'Heat (1995)/cover.jpg', itemId: item.id, kind: 'banner' })).json().error).toMatch(/^kind/);
    for (const rel of ['../../outside/secret.jpg', join(s.tr.outside, 'secret.jpg'), 'escape/secret.jpg', 'Heat (1995)/linked-out.jpg']) {
      const res = await post({ root: s.tr.id, rel, itemId: item.id, kind: 'poster' });
      expect(res.statusCode, rel).toBe(403);
    }
    expect(readdirSync(join(t.dir, 'artwork'))).toHaveLength(2);
    const after = (await t.app.inject({ method: 'GET', url: `/api/library/${item.id}`, headers: s.u })).json();
    expect(JSON.stringify(after)).toContain(url);
  });
});

import { mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { bearer, registerAdmin } from '../helpers/auth.js';

const JPEG = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.from('poster')]);
const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from('fanart')]);

describe('scanner picks up artwork next to media', () => {
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it('poster/folder/fanart files become the new items’ posterUrl/backgroundUrl; symlinks out and non-images are skipped', async () => {
    t = await createTestApp();
    const media = join(t.dir, 'media');
    const outside = join(t.dir, 'outside');
    const files: Record<string, string | Buffer> = {
      'movies/Heat (1995)/Heat.1995.1080p.BluRay.mkv': 'heat',
      'movies/Heat (1995)/poster.jpg': JPEG,
      'movies/Heat (1995)/fanart.png': PNG,
      'movies/Alien (1979)/Alien.1979.720p.mkv': 'alien',
      'movies/Alien (1979)/poster.jpg': 'text pretending to be a jpeg',
      'movies/Ran (1985)/Ran.1985.1080p.mkv': 'ran',
      'series/Breaking Bad/folder.jpg': JPEG,
      'series/Breaking Bad/Season 01/Breaking.Bad.S01E01.720p.HDTV.mkv': 'bb',
    };
    for (const [rel, body] of Object.entries(files)) {
      mkdirSync(dirname(join(media, rel)), { recursive: true });
      writeFileSync(join(media, rel), body);
    }
    mkdirSync(outside, { recursive: true });
    writeFileSync(join(outside, 'secret.jpg'), JPEG);
    symlinkSync(join(outside, 'secret.jpg'), join(media, 'movies', 'Ran (1985)', 'poster.jpg'));
    await t.ctx.stores.settings.put('settings', {
      mediaFolders: [
        { path: join(media, 'movies'), type: 'movies' },
        { path: join(media, 'series'), type: 'series' },
      ],
    });
    const h = bearer((await registerAdmin(t.app)).accessToken);
    expect((await t.app.inject({ method: 'POST', url: '/api/scanner/start', payload: {}, headers: h })).statusCode).toBe(200);
    let status: Record<string, unknown> = {};
    for (let i = 0; i < 1000 && status.status !== 'completed' && status.status !== 'failed'; i++) {
      await new Promise((r) => setTimeout(r, 20));
      status = (await t.app.inject({ method: 'GET', url: '/api/scanner/status', headers: h })).json();
    }
    expect(status.status).toBe('completed');
    expect((status.errors as string[]).sort()).toEqual([
      expect.stringMatching(/^Artwork skipped: .*Alien \(1979\)\/poster\.jpg \(not_an_image\)$/),
      expect.stringMatching(/^Outside the media folders \(symlink\): .*Ran \(1985\)\/poster\.jpg$/),
    ]);

    const items = (await t.app.inject({ method: 'GET', url: '/api/library?limit=50', headers: h })).json().items as Record<string, string>[];
    const by = (title: string) => items.find((i) => i.title === title)!;
    expect(by('Heat').posterUrl).toMatch(/^\/api\/artwork\/[0-9a-f]{64}\.jpg$/);
    expect(by('Heat').backgroundUrl).toMatch(/^\/api\/artwork\/[0-9a-f]{64}\.png$/);
    expect(by('Breaking Bad').posterUrl).toBe(by('Heat').posterUrl);
    expect(by('Alien').posterUrl).toBeUndefined();
    expect(by('Ran').posterUrl).toBeUndefined();
    expect(readdirSync(join(t.dir, 'artwork')).sort()).toHaveLength(2);
    const img = await t.app.inject({ method: 'GET', url: by('Heat').backgroundUrl! });
    expect(img.headers['content-type']).toBe('image/png');
    expect(img.rawPayload).toEqual(PNG);
  });
});

import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import type { WriteChunk } from '../../src/legacy/json-file.js';
import { createLibraryJson } from '../../src/library/library.json.js';
import { createTestApp, type TestApp, withStores } from '../helpers/app.js';
import { bearer, registerAdmin } from '../helpers/auth.js';

/** A full disk as the kernel reports it: the first write of a file gets a few bytes, then ENOSPC. */
function fullDisk(): WriteChunk {
  let calls = 0;
  return async (h, buf, off, len) => {
    if (calls++ === 0) return h.write(buf, off, Math.min(len, 10));
    throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', syscall: 'write', errno: -28 });
  };
}

describe('phase files on a full disk', () => {
  let t: TestApp;
  afterEach(async () => t?.close());

  it('POST /api/library answers 507 naming library.json, and the previous library.json stays byte-identical', async () => {
    t = await createTestApp({ phase: 'files' });
    const admin = bearer((await registerAdmin(t.app)).accessToken);
    const first = await t.app.inject({ method: 'POST', url: '/api/library', headers: admin, payload: { kind: 'movie', title: 'Heat' } });
    expect(first.statusCode).toBe(200);
    const path = join(t.configDir, 'library.json');
    const before = await readFile(path);

    // The same app, its library.json writer on a disk that fills up mid-write.
    const app = await buildApp(withStores(t.ctx, { library: createLibraryJson({ configDir: t.configDir, write: fullDisk() }) }), {
      logStream: new Writable({ write: (_c, _e, cb) => cb() }),
    });
    try {
      const res = await app.inject({ method: 'POST', url: '/api/library', headers: admin, payload: { kind: 'movie', title: 'Ronin' } });
      expect(res.statusCode).toBe(507);
      expect(res.json()).toEqual({
        ok: false,
        error: 'storage_error',
        message: 'library.json: cannot read or write file (ENOSPC: no space left on the device; the previous file is unchanged)',
      });
      expect((await readFile(path)).equals(before)).toBe(true);
      expect((await readdir(t.configDir)).filter((f) => f.includes('.tmp-'))).toEqual([]);
      const list = await app.inject({ method: 'GET', url: '/api/library', headers: admin });
      expect(list.statusCode).toBe(200);
      expect(JSON.stringify(list.json())).toContain('Heat');
      expect(JSON.stringify(list.json())).not.toContain('Ronin');
      const health = (await app.inject({ method: 'GET', url: '/api/health' })).json();
      expect(health.ok).toBe(false);
      expect(health.problems).toEqual([
        expect.stringMatching(/^a legacy file could not be read or written at .* \(library\.json: cannot read or write file \(ENOSPC/),
      ]);
      expect(health.fileSync).toMatchObject({ failures: 1, lastError: { store: 'library.json' } });
    } finally {
      await app.close();
    }
  });
});

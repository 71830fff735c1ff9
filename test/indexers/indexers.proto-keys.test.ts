import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { bearer, registerAdmin } from '../helpers/auth.js';

/** Unknown legacy keys survive a save through the API, `__proto__` included (never a prototype). */
describe('indexers: a `__proto__` key in a stored source survives a save (files phase)', () => {
  let t: TestApp;
  afterEach(async () => t?.close());

  it('keeps it in the prowlarr section and at the top level', async () => {
    t = await createTestApp({ phase: 'files' });
    const text = `{"prowlarr":{"enabled":true,"baseUrl":"http://127.0.0.1:9","__proto__":{"polluted":1},"note":"n"},"indexers":[],"__proto__":{"top":2}}`;
    writeFileSync(join(t.configDir, 'indexers.json'), text);
    const a = await registerAdmin(t.app);
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/indexers/prowlarr',
      headers: bearer(a.accessToken),
      payload: { enabled: false, baseUrl: 'http://127.0.0.1:9' },
    });
    expect(res.statusCode, res.body).toBe(200);
    const parsed = JSON.parse(readFileSync(join(t.configDir, 'indexers.json'), 'utf8')) as Record<string, Record<string, unknown>>;
    expect(parsed.prowlarr.enabled).toBe(false);
    expect(parsed.prowlarr.note).toBe('n');
    expect(Object.getOwnPropertyDescriptor(parsed.prowlarr, '__proto__')?.value).toEqual({ polluted: 1 });
    expect(Object.getOwnPropertyDescriptor(parsed, '__proto__')?.value).toEqual({ top: 2 });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

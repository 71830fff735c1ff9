import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultQualityProfiles } from '../../src/quality/quality.types.js';
import { FIXED_NOW, type RouteCtx, routeCtx } from '../downloads/route-helpers.js';
import { phaseMatrix } from '../helpers/matrix.js';

const MAP = { movie: { allowed: ['1080p', '2160p'], cutoff: '2160p' }, series: { allowed: ['720p', '1080p'], cutoff: '1080p' } };
const NEW = {
  name: 'Kids 720p',
  cutoff: '720p',
  qualities: [
    { quality: '1080p', allowed: false, preferred: false },
    { quality: '720p', allowed: true, preferred: true },
  ],
  maxSize: 4000,
};

for (const [engine, phase] of phaseMatrix()) {
  describe(`quality routes (${engine}, ${phase})`, () => {
    let c: RouteCtx;
    beforeAll(async () => {
      c = await routeCtx(engine, phase);
    });
    afterAll(async () => c.close());

    const as = (token: string) => (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: unknown) =>
      c.call({ method, url, payload: payload as object, token });
    const admin = (m: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: unknown) => as(c.admin)(m, url, payload);
    const user = (m: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: unknown) => as(c.user)(m, url, payload);
    const file = (name: string) => join(c.t.configDir, name);

    /** In the file phases the legacy file holds exactly what the API serves. */
    async function expectFilesMatchApi(): Promise<void> {
      const profiles = (await user('GET', '/api/settings/quality-profiles')).json().profiles;
      const map = (await user('GET', '/api/settings/quality')).json().profiles;
      if (phase === 'db') {
        expect(existsSync(file('quality-profiles.json'))).toBe(false);
        expect(existsSync(file('quality.json'))).toBe(false);
        return;
      }
      if (existsSync(file('quality-profiles.json'))) expect(JSON.parse(readFileSync(file('quality-profiles.json'), 'utf8'))).toStrictEqual({ profiles });
      if (existsSync(file('quality.json'))) expect(JSON.parse(readFileSync(file('quality.json'), 'utf8'))).toStrictEqual(map);
    }

    it('needs a user to read and an admin to write', async () => {
      expect((await c.call({ method: 'GET', url: '/api/settings/quality' })).statusCode).toBe(401);
      expect((await c.call({ method: 'GET', url: '/api/settings/quality-profiles' })).statusCode).toBe(401);
      for (const [m, url] of [
        ['POST', '/api/settings/quality'],
        ['POST', '/api/settings/quality-profiles'],
        ['POST', '/api/settings/quality-profiles/new'],
        ['POST', '/api/settings/quality-profiles/reset'],
        ['PATCH', '/api/settings/quality-profiles/any'],
        ['DELETE', '/api/settings/quality-profiles/any'],
      ] as const) {
        const r = await user(m, url, m === 'DELETE' ? undefined : {});
        expect(r.statusCode, `${m} ${url}`).toBe(403);
      }
    });

    it('serves the per-kind map verbatim ({} when there is none)', async () => {
      expect((await user('GET', '/api/settings/quality')).json()).toStrictEqual({ ok: true, profiles: {} });
      const saved = await admin('POST', '/api/settings/quality', { profiles: MAP });
      expect(saved.json()).toStrictEqual({ ok: true, profiles: MAP });
      expect((await user('GET', '/api/settings/quality')).json()).toStrictEqual({ ok: true, profiles: MAP });
      await expectFilesMatchApi();
      // unvalidated, as legacy: any value is stored as sent; a missing one becomes {}
      expect((await admin('POST', '/api/settings/quality', { profiles: ['odd'] })).json()).toStrictEqual({ ok: true, profiles: ['odd'] });
      expect((await admin('POST', '/api/settings/quality', {})).json()).toStrictEqual({ ok: true, profiles: {} });
      await admin('POST', '/api/settings/quality', { profiles: MAP });
      await expectFilesMatchApi();
    });

    it('serves the 4 defaults without writing them while there is no file', async () => {
      const r = await user('GET', '/api/settings/quality-profiles');
      expect(r.json()).toStrictEqual({ ok: true, profiles: defaultQualityProfiles() });
      expect(existsSync(file('quality-profiles.json'))).toBe(false);
      expect((await user('GET', '/api/settings/quality-profiles/sd-only')).json()).toStrictEqual({ ok: true, profile: defaultQualityProfiles()[3] });
      const missing = await user('GET', '/api/settings/quality-profiles/nope');
      expect(missing.statusCode).toBe(404);
      expect(missing.json()).toEqual({ ok: false, error: 'Profile not found' });
      const miss = await admin('PATCH', '/api/settings/quality-profiles/nope', { name: 'x' });
      expect(miss.statusCode).toBe(404);
      expect(existsSync(file('quality-profiles.json'))).toBe(false);
    });

    let createdId = '';
    it('creates a profile with a new id (defaults materialised)', async () => {
      const r = await admin('POST', '/api/settings/quality-profiles/new', NEW);
      const profile = r.json().profile;
      expect(profile).toStrictEqual({
        id: expect.any(String),
        name: 'Kids 720p',
        upgradeAllowed: true,
        cutoff: '720p',
        qualities: NEW.qualities,
        maxSize: 4000,
      });
      expect(profile.id.startsWith(FIXED_NOW.getTime().toString(36))).toBe(true);
      expect(profile.id).toMatch(/^[0-9a-z]{12}$/);
      createdId = profile.id;
      const list = (await user('GET', '/api/settings/quality-profiles')).json().profiles;
      expect(list).toStrictEqual([...defaultQualityProfiles(), profile]);
      await expectFilesMatchApi();
      const bad = await admin('POST', '/api/settings/quality-profiles/new', { name: 'x', cutoff: '720p' });
      expect(bad.statusCode).toBe(400);
      expect(bad.json().error).toContain('qualities');
    });

    it('patches and deletes', async () => {
      const r = await admin('PATCH', `/api/settings/quality-profiles/${createdId}`, { name: 'Kids', minSize: 100, maxSize: null, id: 'ignored' });
      expect(r.json()).toStrictEqual({
        ok: true,
        profile: { id: createdId, name: 'Kids', upgradeAllowed: true, cutoff: '720p', qualities: NEW.qualities, minSize: 100 },
      });
      expect((await user('GET', `/api/settings/quality-profiles/${createdId}`)).json().profile.name).toBe('Kids');
      const bad = await admin('PATCH', `/api/settings/quality-profiles/${createdId}`, { upgradeAllowed: 'no' });
      expect(bad.statusCode).toBe(400);
      expect(bad.json().error).toContain('upgradeAllowed');
      await expectFilesMatchApi();
      const del = await admin('DELETE', '/api/settings/quality-profiles/ultra-hd');
      expect(del.json()).toStrictEqual({ ok: true, profile: defaultQualityProfiles()[1] });
      const again = await admin('DELETE', '/api/settings/quality-profiles/ultra-hd');
      expect(again.statusCode).toBe(404);
      expect(again.json()).toEqual({ ok: false, error: 'Profile not found' });
      expect((await user('GET', '/api/settings/quality-profiles')).json().profiles.map((p: { id: string }) => p.id)).toEqual([
        'hd-1080p',
        'any',
        'sd-only',
        createdId,
      ]);
      await expectFilesMatchApi();
    });

    it('bulk-saves (validated, unknown keys stripped), [] is kept, and resets', async () => {
      const one = { id: 'mwu9k2ab', name: 'UI made', upgradeAllowed: false, cutoff: '1080p', qualities: [], extra: 'dropped', minSize: null };
      const r = await admin('POST', '/api/settings/quality-profiles', { profiles: [one] });
      expect(r.json()).toStrictEqual({ ok: true, profiles: [{ id: 'mwu9k2ab', name: 'UI made', upgradeAllowed: false, cutoff: '1080p', qualities: [] }] });
      await expectFilesMatchApi();
      const dup = await admin('POST', '/api/settings/quality-profiles', { profiles: [one, one] });
      expect(dup.statusCode).toBe(409);
      expect(dup.json().error).toBe('duplicate_id');
      const invalid = await admin('POST', '/api/settings/quality-profiles', { profiles: [{ id: 'x' }] });
      expect(invalid.statusCode).toBe(400);
      expect(invalid.json().error).toContain('profiles.0.name');
      expect((await admin('POST', '/api/settings/quality-profiles', { profiles: [] })).json()).toStrictEqual({ ok: true, profiles: [] });
      expect((await user('GET', '/api/settings/quality-profiles')).json()).toStrictEqual({ ok: true, profiles: [] });
      await expectFilesMatchApi();
      const reset = await admin('POST', '/api/settings/quality-profiles/reset');
      expect(reset.json()).toStrictEqual({ ok: true, profiles: defaultQualityProfiles() });
      expect((await user('GET', '/api/settings/quality-profiles')).json().profiles).toStrictEqual(defaultQualityProfiles());
      await expectFilesMatchApi();
    });
  });
}

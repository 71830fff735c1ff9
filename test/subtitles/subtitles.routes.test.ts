import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { defaultSubtitleAutomationConfig } from '../../src/subtitles/subtitles.types.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { bearer, registerAdmin, registerUser } from '../helpers/auth.js';
import { phaseMatrix } from '../helpers/matrix.js';

for (const [engine, phase] of phaseMatrix()) {
  describe(`subtitle automation config routes (${engine}, ${phase})`, () => {
    let t: TestApp | undefined;
    afterEach(async () => {
      await t?.close();
      t = undefined;
    });
    const filesWritten = phase !== 'db';
    const file = () => join(t!.configDir, 'subtitle-automation.json');

    it('serves defaults and merges partial saves, writing the full object', async () => {
      t = await createTestApp({ engine, phase });
      const admin = await registerAdmin(t.app);
      const user = await registerUser(t.app, admin.accessToken);
      expect((await t.app.inject({ method: 'GET', url: '/api/subtitles/automation/config' })).statusCode).toBe(401);
      expect((await t.app.inject({ method: 'GET', url: '/api/subtitles/automation/config', headers: bearer(user.accessToken) })).json()).toEqual({
        ok: true,
        config: defaultSubtitleAutomationConfig(),
      });
      expect(existsSync(file())).toBe(false);
      expect(
        (await t.app.inject({ method: 'POST', url: '/api/subtitles/automation/config', payload: { enabled: false }, headers: bearer(user.accessToken) }))
          .statusCode,
      ).toBe(403);

      const res = await t.app.inject({
        method: 'POST',
        url: '/api/subtitles/automation/config',
        payload: { preferredLanguages: ['en', 'es'], uiHint: { x: 1 } },
        headers: bearer(admin.accessToken),
      });
      const expected = { ...defaultSubtitleAutomationConfig(), preferredLanguages: ['en', 'es'], uiHint: { x: 1 } };
      expect(res.json()).toEqual({ ok: true, config: expected, message: 'Configuration saved' });
      if (filesWritten) expect(readFileSync(file(), 'utf8')).toBe(JSON.stringify(expected, null, 2));
      const res2 = await t.app.inject({
        method: 'POST',
        url: '/api/subtitles/automation/config',
        payload: { scanScheduleHours: 0 },
        headers: bearer(admin.accessToken),
      });
      expect(res2.json().config).toEqual({ ...expected, scanScheduleHours: 0 });
      expect((await t.app.inject({ method: 'GET', url: '/api/subtitles/automation/config', headers: bearer(user.accessToken) })).json().config).toEqual({
        ...expected,
        scanScheduleHours: 0,
      });
      if (filesWritten) expect(JSON.parse(readFileSync(file(), 'utf8'))).toEqual({ ...expected, scanScheduleHours: 0 });

      const bad = await t.app.inject({
        method: 'POST',
        url: '/api/subtitles/automation/config',
        payload: { whisperModel: 'huge' },
        headers: bearer(admin.accessToken),
      });
      expect(bad.statusCode).toBe(400);
      expect(bad.json().error).toContain('whisperModel');
    });

    it('concurrent partial saves do not lose each other', async () => {
      t = await createTestApp({ engine, phase });
      if (phase === 'files' || phase === 'dual-read-files') writeFileSync(file(), JSON.stringify({ enabled: true, legacyOnly: 1 }, null, 2));
      if (phase !== 'files') await t.ctx.stores.settings.put('subtitle-automation', { enabled: true, legacyOnly: 1 });
      const admin = await registerAdmin(t.app);
      const h = bearer(admin.accessToken);
      const bodies = [{ a: 1 }, { b: 2 }, { c: 3 }, { maxSyncOffsetMs: 100 }, { enabled: false }];
      await Promise.all(bodies.map((payload) => t!.app.inject({ method: 'POST', url: '/api/subtitles/automation/config', payload, headers: h })));
      const expected = { ...defaultSubtitleAutomationConfig(), legacyOnly: 1, a: 1, b: 2, c: 3, maxSyncOffsetMs: 100, enabled: false };
      expect((await t.app.inject({ method: 'GET', url: '/api/subtitles/automation/config', headers: h })).json().config).toEqual(expected);
      if (filesWritten) expect(JSON.parse(readFileSync(file(), 'utf8'))).toEqual(expected);
    });
  });
}

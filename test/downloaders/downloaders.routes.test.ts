import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { legacyDecrypt, looksLegacyEncrypted } from '../../src/security/legacy-crypto.js';
import { type Fake, fakeNzbget, fakeQbit, fakeSab, hangingServer, jsonRpcCalls } from '../download-clients/fakes.js';
import { expectNoSecretLeak, NZB_PASS, QB_PASS, type RouteCtx, routeCtx, SAB_KEY, saveDownloaders } from '../downloads/route-helpers.js';
import { TEST_ENCRYPTION_KEY } from '../helpers/app.js';
import { phaseMatrix } from '../helpers/matrix.js';

const EMPTY_VIEW = {
  qbittorrent: { enabled: false, hasPassword: false },
  nzbget: { enabled: false, hasPassword: false },
  sabnzbd: { enabled: false, hasApiKey: false },
};

for (const [engine, phase] of phaseMatrix()) {
  describe(`downloader settings routes (${engine}, ${phase})`, () => {
    let c: RouteCtx;
    let qb: Fake;
    let sab: Fake;
    let nz: Fake;
    beforeAll(async () => {
      c = await routeCtx(engine, phase);
      qb = await fakeQbit({ username: 'admin', password: QB_PASS });
      sab = await fakeSab({ apiKey: SAB_KEY });
      nz = await fakeNzbget({ username: 'nzbget', password: NZB_PASS });
    });
    afterAll(async () => {
      await Promise.all([qb.close(), sab.close(), nz.close()]);
      await c.close();
    });

    const full = () => ({
      qbittorrent: { enabled: true, baseUrl: qb.url, username: 'admin', password: QB_PASS, timeoutMs: '5000.9', category: 'mediaos', junk: 1 },
      nzbget: { enabled: false, baseUrl: nz.url, username: 'nzbget', password: NZB_PASS },
      sabnzbd: { enabled: true, baseUrl: `${sab.url}/sabnzbd/`, apiKey: SAB_KEY, category: 'tv' },
    });

    it('requires a user to read and an admin to write or test', async () => {
      expect((await c.call({ method: 'GET', url: '/api/settings/downloaders' })).statusCode).toBe(401);
      const w = await c.call({ method: 'POST', url: '/api/settings/downloaders', payload: {}, token: c.user });
      expect(w.statusCode).toBe(403);
      expect(w.json()).toEqual({ ok: false, error: 'Insufficient permissions' });
      const t = await c.call({ method: 'POST', url: '/api/settings/downloaders/test', payload: { client: 'sabnzbd' }, token: c.user });
      expect(t.statusCode).toBe(403);
      const r = await c.call({ method: 'GET', url: '/api/settings/downloaders', token: c.user });
      expect(r.statusCode).toBe(200);
      expect(r.json()).toStrictEqual(EMPTY_VIEW);
    });

    it('saves, shows has* flags and never a secret', async () => {
      const res = await saveDownloaders(c, full());
      const view = {
        qbittorrent: { enabled: true, hasPassword: true, baseUrl: qb.url, username: 'admin', category: 'mediaos', timeoutMs: 5000 },
        nzbget: { enabled: true, hasPassword: true, baseUrl: nz.url, username: 'nzbget' },
        sabnzbd: { enabled: true, hasApiKey: true, baseUrl: `${sab.url}/sabnzbd/`, category: 'tv' },
      };
      expect(res.json()).toStrictEqual({ ok: true, downloaders: view });
      expect(Object.keys(res.json().downloaders.qbittorrent)).toEqual(['enabled', 'hasPassword', 'baseUrl', 'username', 'category', 'timeoutMs']);
      const get = await c.call({ method: 'GET', url: '/api/settings/downloaders', token: c.user });
      expect(get.json()).toStrictEqual(view);
      if (phase !== 'db') {
        const file = JSON.parse(readFileSync(join(c.t.configDir, 'downloaders.json'), 'utf8'));
        // enabled=false stays false in the file; the view says true because a baseUrl exists
        expect(file.nzbget.enabled).toBe(false);
        expect(looksLegacyEncrypted(file.qbittorrent.password)).toBe(true);
        expect(legacyDecrypt(file.qbittorrent.password, TEST_ENCRYPTION_KEY)).toBe(QB_PASS);
        expect(legacyDecrypt(file.nzbget.password, TEST_ENCRYPTION_KEY)).toBe(NZB_PASS);
        expect(legacyDecrypt(file.sabnzbd.apiKey, TEST_ENCRYPTION_KEY)).toBe(SAB_KEY);
        // the file holds exactly what the API shows, plus the (legacy-encrypted) secrets
        expect({
          ...file,
          qbittorrent: { ...file.qbittorrent, password: QB_PASS },
          nzbget: { ...file.nzbget, password: NZB_PASS },
          sabnzbd: { ...file.sabnzbd, apiKey: SAB_KEY },
        }).toStrictEqual({
          qbittorrent: { enabled: true, baseUrl: qb.url, username: 'admin', password: QB_PASS, timeoutMs: 5000, category: 'mediaos' },
          nzbget: { enabled: false, baseUrl: nz.url, username: 'nzbget', password: NZB_PASS },
          sabnzbd: { enabled: true, baseUrl: `${sab.url}/sabnzbd/`, apiKey: SAB_KEY, category: 'tv' },
        });
      } else {
        expect(existsSync(join(c.t.configDir, 'downloaders.json'))).toBe(false);
      }
    });

    it('keeps omitted or empty secrets (SABnzbd apiKey too), clears on null, resets missing sections', async () => {
      const body = full();
      const res = await saveDownloaders(c, {
        qbittorrent: { ...body.qbittorrent, password: '' },
        sabnzbd: { enabled: true, baseUrl: body.sabnzbd.baseUrl },
      });
      const v = res.json().downloaders;
      expect(v.qbittorrent.hasPassword).toBe(true);
      expect(v.sabnzbd.hasApiKey).toBe(true);
      expect(v.sabnzbd.category).toBeUndefined(); // omitted keys are removed
      expect(v.nzbget).toStrictEqual({ enabled: false, hasPassword: false }); // missing section
      const cleared = await saveDownloaders(c, { ...full(), nzbget: { enabled: true, baseUrl: nz.url, password: null } });
      expect(cleared.json().downloaders.nzbget).toStrictEqual({ enabled: true, hasPassword: false, baseUrl: nz.url });
      await saveDownloaders(c, full());
    });

    it('answers 400 naming the field for a malformed body', async () => {
      const res = await c.call({ method: 'POST', url: '/api/settings/downloaders', payload: { qbittorrent: { enabled: 'yes' } }, token: c.admin });
      expect(res.statusCode).toBe(400);
      expect(res.json().ok).toBe(false);
      expect(res.json().error).toContain('qbittorrent.enabled');
    });

    it('tests each client with the stored decrypted secrets', async () => {
      const test = (payload: object) => c.call({ method: 'POST', url: '/api/settings/downloaders/test', payload, token: c.admin });
      const q = await test({ client: 'qbittorrent' });
      expect(q.json()).toEqual({ ok: true, status: 200, version: 'v5.0.2' });
      const login = qb.requests.filter((r) => r.path === '/api/v2/auth/login').at(-1)!;
      expect(new URLSearchParams(login.body.toString()).get('password')).toBe(QB_PASS);

      const s = await test({ client: 'sabnzbd' });
      expect(s.json()).toEqual({ ok: true, status: 200 });
      expect(sab.requests.at(-1)!.query.get('apikey')).toBe(SAB_KEY);
      expect(sab.requests.at(-1)!.path).toBe('/sabnzbd/api');

      const n = await test({ client: 'nzbget' });
      expect(n.json()).toEqual({ ok: true, status: 200, version: '24.3' });
      expect(jsonRpcCalls(nz).at(-1)!.method).toBe('version');

      // overrides win over the stored values
      expect([q.statusCode, s.statusCode, n.statusCode]).toEqual([200, 200, 200]);
      // a client that refuses: 502 with the legacy body
      const wrong = await test({ client: 'sabnzbd', settings: { apiKey: 'wrong-key-000' } });
      expect([wrong.statusCode, wrong.json()]).toEqual([502, { ok: false, status: 200, error: 'sabnzbd: API Key Incorrect' }]);
      const badLogin = await test({ client: 'qbittorrent', settings: { password: 'nope-nope' } });
      expect([badLogin.statusCode, badLogin.json()]).toEqual([502, { ok: false, status: 200, error: 'login_failed: Fails.' }]);
    });

    it('sends a stored secret only to the stored server', async () => {
      const other = await fakeQbit({ username: 'admin', password: QB_PASS });
      try {
        const r = await c.call({
          method: 'POST',
          url: '/api/settings/downloaders/test',
          payload: { client: 'qbittorrent', settings: { baseUrl: other.url } },
          token: c.admin,
        });
        expect(r.json()).toEqual({ ok: false, status: 200, error: 'login_failed: Fails.' });
        expect(new URLSearchParams(other.requests[0].body.toString()).get('password')).toBe('');
      } finally {
        await other.close();
      }
    });

    it('answers the legacy 400s and the probe failures', async () => {
      const test = (payload: object) => c.call({ method: 'POST', url: '/api/settings/downloaders/test', payload, token: c.admin });
      const none = await test({});
      expect(none.statusCode).toBe(400);
      expect(none.json()).toEqual({ ok: false, error: 'client_required' });
      const bad = await test({ client: 'transmission' });
      expect(bad.statusCode).toBe(400);
      expect(bad.json()).toEqual({ ok: false, error: 'invalid_client' });
      const noUrl = await test({ client: 'qbittorrent', settings: { baseUrl: '' } });
      expect([noUrl.statusCode, noUrl.json()]).toEqual([400, { ok: false, error: 'missing_baseUrl' }]);
      const noKey = await test({ client: 'sabnzbd', settings: { baseUrl: 'http://127.0.0.1:9/other' } });
      expect([noKey.statusCode, noKey.json()]).toEqual([400, { ok: false, error: 'missing_apiKey' }]);
      const badUrl = await test({ client: 'nzbget', settings: { baseUrl: 'file:///etc/passwd' } });
      expect([badUrl.statusCode, badUrl.json()]).toEqual([400, { ok: false, error: 'invalid_baseUrl' }]);
      // nothing listens there: the client could not be reached
      const down = await test({ client: 'nzbget', settings: { baseUrl: 'http://127.0.0.1:9' } });
      expect([down.statusCode, down.json().ok]).toEqual([502, false]);
    });

    if (phase === 'db' && engine === 'sqlite') {
      it('answers 502 {ok:false,error:timeout} when the client never answers', async () => {
        const hang = await hangingServer();
        try {
          const r = await c.call({
            method: 'POST',
            url: '/api/settings/downloaders/test',
            payload: { client: 'sabnzbd', settings: { baseUrl: hang.url, apiKey: 'k-123456' } },
            token: c.admin,
          });
          expect(r.statusCode).toBe(502);
          expect(r.json()).toEqual({ ok: false, error: 'timeout after 4000 ms' });
        } finally {
          await hang.close();
        }
      });
    }

    it('never leaks a secret in responses, logs or the database file', () => {
      expectNoSecretLeak(c);
    });
  });
}

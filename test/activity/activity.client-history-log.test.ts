/**
 * The remembered client history of the paged activity history (activity.client-history.ts) is
 * refreshed behind a stale answer, where no request sees its failures: they are logged once per
 * failure streak, never with a credential of the client settings, and a refresh that throws
 * leaves the remembered answer in place.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { CLIENT_HISTORY_FRESH_MS } from '../../src/activity/activity.client-history.js';
import { createActivityService } from '../../src/activity/activity.service.js';
import type { DownloadersSettings } from '../../src/downloaders/downloaders.types.js';
import { createGrabsSql } from '../../src/grabs/grabs.sql.js';
import { safeErrorFields } from '../../src/http-client/http.js';
import { type Fake, startFake } from '../download-clients/fakes.js';
import { createTestDatabase, sqlEngines, type TestDatabase } from '../helpers/engines.js';

const SAB_KEY = 'sab-apikey-5f1e0c9a7d3b';
const QB_PASSWORD = 'qb-password-Zx81!';
const NZB_PASSWORD = 'nzb-password-Qq42';
const SECRETS = [SAB_KEY, QB_PASSWORD, NZB_PASSWORD];

type Reply = 'ok' | 'refused' | 'broken';

for (const engine of sqlEngines()) {
  describe(`activity: the client history refresh, when it fails (${engine})`, () => {
    let t: TestDatabase;
    let sab: Fake;
    let reply: Reply = 'ok';
    beforeAll(async () => {
      t = await createTestDatabase(engine);
      sab = await startFake((req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        if (reply === 'refused') res.end(JSON.stringify({ status: false, error: `API Key Incorrect (${req.query.get('apikey')})` }));
        // A reply the adapter cannot map: the history call throws (a TypeError) instead of returning a failure.
        else if (reply === 'broken') res.end(JSON.stringify({ history: { slots: [null] } }));
        else res.end(JSON.stringify({ history: { slots: [{ nzo_id: 'n1', name: 'Old.Release', status: 'Completed', completed: 1733050000 }] } }));
      });
    });
    afterAll(async () => {
      await sab.close();
      await t.cleanup();
    });
    afterEach(() => {
      reply = 'ok';
    });

    it('warns once per streak without credentials, keeps the answer when a refresh throws, and logs the recovery', async () => {
      const settings: DownloadersSettings = {
        sabnzbd: { enabled: true, baseUrl: sab.url, apiKey: SAB_KEY },
        // Not enabled: never asked, but their secrets are in the settings all the same.
        qbittorrent: { enabled: false, baseUrl: 'http://127.0.0.1:9', username: 'admin', password: QB_PASSWORD },
        nzbget: { enabled: false, baseUrl: 'http://127.0.0.1:9', username: 'nzb', password: NZB_PASSWORD },
      };
      let clock = 1_000_000;
      const log = { warn: vi.fn(), info: vi.fn(), error: vi.fn() };
      const activity = createActivityService({ downloaders: { get: async () => settings }, grabs: createGrabsSql(t.db.kysely, engine), now: () => clock, log });
      const firstPage = async () => ((await activity.historyPage(null, 10)).clientItems ?? []).map((i) => i.title);
      const historyCalls = () => sab.requests.filter((r) => r.query.get('mode') === 'history').length;

      expect(await firstPage()).toEqual(['Old.Release']);
      expect(log.warn).not.toHaveBeenCalled();

      // The client refuses: the stale answer is served, the refresh behind it warns (the client contributes nothing, as before).
      clock += CLIENT_HISTORY_FRESH_MS;
      reply = 'refused';
      expect(await firstPage()).toEqual(['Old.Release']);
      await vi.waitFor(() => expect(log.warn).toHaveBeenCalledTimes(1));
      expect(log.warn.mock.calls[0]?.[0]).toMatchObject({
        task: expect.stringMatching(/activity/),
        error: 'client_failed',
        message: expect.stringMatching(/^sabnzbd: /),
      });
      expect(await firstPage()).toEqual([]);

      // It answers again: one info line, and the next page has its history.
      clock += CLIENT_HISTORY_FRESH_MS;
      reply = 'ok';
      expect(await firstPage()).toEqual([]);
      await vi.waitFor(() => expect(log.info).toHaveBeenCalledTimes(1));
      expect(await firstPage()).toEqual(['Old.Release']);

      // A refresh that throws: a new streak warns once, however many refreshes fail, and the remembered answer stays.
      clock += CLIENT_HISTORY_FRESH_MS;
      reply = 'broken';
      const before = historyCalls();
      for (let i = 0; i < 3; i++) {
        expect(await firstPage()).toEqual(['Old.Release']);
        await vi.waitFor(() => expect(historyCalls()).toBe(before + i + 1));
        await new Promise((r) => setTimeout(r, 20));
      }
      expect(log.warn).toHaveBeenCalledTimes(2);
      expect(log.warn.mock.calls[1]?.[0]).toMatchObject({ error: 'TypeError' });
      expect(log.info).toHaveBeenCalledTimes(1);

      const logged = JSON.stringify([log.warn.mock.calls, log.info.mock.calls]);
      for (const secret of SECRETS) expect(logged).not.toContain(secret);
    });

    it('describes any error by its code and a scrubbed message only (no other property, no URL credentials)', () => {
      const err = Object.assign(new TypeError(`Invalid URL http://admin:${QB_PASSWORD}@nas:8080/api?apikey=${SAB_KEY} (nzb ${NZB_PASSWORD})`), {
        code: 'ERR_INVALID_URL',
        input: `http://admin:${QB_PASSWORD}@nas:8080/?apikey=${SAB_KEY}`,
      });
      const fields = safeErrorFields(err, SECRETS);
      expect(Object.keys(fields).sort()).toEqual(['error', 'message']);
      expect(fields.error).toBe('ERR_INVALID_URL');
      expect(fields.message).toMatch(/^Invalid URL http:\/\/nas:8080\/api\?apikey=/);
      for (const secret of SECRETS) expect(JSON.stringify(fields)).not.toContain(secret);
    });
  });
}

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AuthLevel, type Client, conformanceMatrix, expectAuthLevel, startClient } from './legacy-conformance.helpers.js';

/**
 * Every route of API.md, by section: served ones exist with their auth level (README "Auth
 * everywhere": legacy `none` routes now need a user, writes to settings/library/indexers/quality
 * an admin), and the groups README lists as not served answer the JSON 404, never an HTML page.
 * A route added later must move from NOT_SERVED to SERVED (and out of README's list).
 */
type Route = [method: string, path: string, auth: AuthLevel];

const SERVED: Route[] = [
  // §1 auth (register: first user open, later ones need an admin: auth suite)
  ['POST', '/api/auth/login', 'none'],
  ['POST', '/api/auth/refresh', 'none'],
  ['GET', '/api/auth/me', 'user'],
  ['POST', '/api/auth/logout', 'none'],
  ['GET', '/api/auth/status', 'none'],
  // §2 library
  ['GET', '/api/library', 'user'],
  ['GET', '/api/library/:id', 'user'],
  ['POST', '/api/library', 'admin'],
  ['POST', '/api/library/artwork', 'admin'],
  ['PATCH', '/api/library/:id', 'admin'],
  ['DELETE', '/api/library/:id', 'admin'],
  // §3 download clients
  ['GET', '/api/settings/downloaders', 'user'],
  ['POST', '/api/settings/downloaders', 'admin'],
  ['POST', '/api/settings/downloaders/test', 'admin'],
  // §4 indexers
  ['GET', '/api/indexers', 'user'],
  ['POST', '/api/indexers/prowlarr', 'admin'],
  ['POST', '/api/indexers/jackett', 'admin'],
  ['POST', '/api/indexers/prowlarr/test', 'admin'],
  ['POST', '/api/indexers/jackett/test', 'admin'],
  ['POST', '/api/indexers/prowlarr/sync', 'admin'],
  ['POST', '/api/indexers/jackett/sync', 'admin'],
  ['POST', '/api/indexers', 'admin'],
  ['PATCH', '/api/indexers/:id', 'admin'],
  ['DELETE', '/api/indexers/:id', 'admin'],
  ['POST', '/api/indexers/search', 'user'],
  // §5 wanted, calendar
  ['GET', '/api/wanted', 'user'],
  ['POST', '/api/wanted', 'user'],
  ['POST', '/api/wanted/scan', 'user'],
  ['DELETE', '/api/wanted/:kind/:id', 'user'],
  ['GET', '/api/calendar', 'user'],
  // §6 downloads, activity
  ['GET', '/api/downloads/last', 'user'],
  ['POST', '/api/downloads/grab', 'user'],
  ['GET', '/api/activity/queue', 'user'],
  ['GET', '/api/activity/history', 'user'],
  ['GET', '/api/activity/live', 'user'],
  ['POST', '/api/activity/action', 'user'],
  // §7 quality
  ['GET', '/api/settings/quality', 'user'],
  ['POST', '/api/settings/quality', 'admin'],
  ['GET', '/api/settings/quality-profiles', 'user'],
  ['POST', '/api/settings/quality-profiles', 'admin'],
  ['GET', '/api/settings/quality-profiles/:id', 'user'],
  ['POST', '/api/settings/quality-profiles/new', 'admin'],
  ['PATCH', '/api/settings/quality-profiles/:id', 'admin'],
  ['DELETE', '/api/settings/quality-profiles/:id', 'admin'],
  ['POST', '/api/settings/quality-profiles/reset', 'admin'],
  // §8 verify
  ['POST', '/api/verify/check', 'user'],
  ['GET', '/api/verify/last', 'user'],
  ['POST', '/api/verify/jobs', 'user'],
  ['GET', '/api/verify/jobs/:id', 'user'],
  ['GET', '/api/settings/verify', 'user'],
  ['POST', '/api/settings/verify', 'admin'],
  // §10, §13, §14, §15 (settings routes)
  ['GET', '/api/metadata/settings', 'user'],
  ['POST', '/api/metadata/settings', 'admin'],
  ['GET', '/api/organizer/config', 'user'],
  ['POST', '/api/organizer/config', 'admin'],
  ['GET', '/api/onboarding/check-setup', 'none'],
  ['POST', '/api/onboarding/setup', 'admin'],
  ['POST', '/api/onboarding/scan', 'admin'],
  ['GET', '/api/onboarding/status', 'user'],
  // §2 scanner
  ['GET', '/api/scanner/status', 'user'],
  ['POST', '/api/scanner/start', 'admin'],
  ['POST', '/api/scanner/stop', 'admin'],
  ['GET', '/api/scanner/preview', 'user'],
  ['POST', '/api/scanner/preview', 'user'],
  ['POST', '/api/scanner/rescan', 'admin'],
  ['POST', '/api/scanner/import', 'admin'],
  ['GET', '/api/subtitles/automation/config', 'user'],
  ['POST', '/api/subtitles/automation/config', 'admin'],
  // §10 metadata lookups
  ['POST', '/api/metadata/search/movie', 'user'],
  ['GET', '/api/metadata/movie/:id', 'user'],
  ['POST', '/api/metadata/search/tv', 'user'],
  ['GET', '/api/metadata/tv/:id', 'user'],
  ['GET', '/api/metadata/tv/:id/season/:seasonNumber', 'user'],
  ['POST', '/api/metadata/search/music', 'user'],
  ['GET', '/api/metadata/music/release/:id', 'user'],
  // §11 files and artwork
  ['GET', '/api/files/browse', 'user'],
  ['POST', '/api/files/artwork/assign', 'admin'],
  // §9, §13, §15 content checks, organizer runs, subtitle tools
  ['POST', '/api/verify/content', 'user'],
  ['POST', '/api/verify/content/quick', 'user'],
  ['POST', '/api/verify/content/batch', 'user'],
  ['POST', '/api/verify/content/folder', 'user'],
  ['POST', '/api/verify/security', 'user'],
  ['POST', '/api/verify/security/folder', 'user'],
  ['POST', '/api/verify/security/quick', 'user'],
  ['GET', '/api/verify/queue', 'user'],
  ['POST', '/api/verify/queue', 'user'],
  ['POST', '/api/verify/queue/batch', 'user'],
  ['GET', '/api/verify/queue/:id', 'user'],
  ['DELETE', '/api/verify/queue/:id', 'user'],
  ['POST', '/api/verify/queue/clear', 'user'],
  ['GET', '/api/verify/queue/results', 'user'],
  ['GET', '/api/organizer/status', 'user'],
  ['POST', '/api/organizer/preview', 'user'],
  ['POST', '/api/organizer/start', 'admin'],
  ['POST', '/api/organizer/stop', 'admin'],
  ['POST', '/api/organizer/test-naming', 'user'],
  ['GET', '/api/subtitles/tracks', 'user'],
  ['POST', '/api/subtitles/extract', 'admin'],
  ['POST', '/api/subtitles/parse', 'user'],
  ['POST', '/api/subtitles/sync/detect', 'user'],
  ['POST', '/api/subtitles/sync/auto', 'admin'],
  ['POST', '/api/subtitles/sync/manual', 'admin'],
  ['POST', '/api/subtitles/convert', 'admin'],
  ['GET', '/api/subtitles/generate/check', 'user'],
  ['POST', '/api/subtitles/generate', 'admin'],
  ['GET', '/api/subtitles/generate/:id', 'user'],
  ['GET', '/api/subtitles/generate/jobs', 'user'],
  ['POST', '/api/subtitles/search', 'user'],
  ['GET', '/api/subtitles/automation/status', 'user'],
  ['GET', '/api/subtitles/automation/jobs', 'user'],
  ['GET', '/api/subtitles/automation/jobs/:id', 'user'],
  ['POST', '/api/subtitles/automation/scan', 'admin'],
  ['POST', '/api/subtitles/automation/clear', 'admin'],
  ['POST', '/api/subtitles/automation/process', 'admin'],
  // §16 plugins, system
  ['GET', '/api/plugins', 'user'],
  ['POST', '/api/plugins/:id/toggle', 'user'],
  ['GET', '/api/system/health', 'none'],
  ['GET', '/api/system/info', 'none'],
];

/** API.md routes this server does not serve (README "HTTP API": not served). */
const NOT_SERVED: [string, string][] = [
  // §11 artwork history (select/lock/revert and §12 requests were 404 in legacy too)
  ['POST', '/api/artwork/select'],
  ['POST', '/api/artwork/lock'],
  ['POST', '/api/artwork/revert'],
  ['GET', '/api/requests'],
  ['POST', '/api/requests'],
  ['POST', '/api/requests/:id/approve'],
  // §14 onboarding folder pickers (they run commands on the server host)
  ['POST', '/api/onboarding/browse'],
  ['POST', '/api/onboarding/open-explorer'],
  ['POST', '/api/onboarding/pick-folder'],
];

const fill = (path: string) => path.replace(/:[A-Za-z]+/g, 'x1');

for (const [engine, phase] of conformanceMatrix()) {
  describe(`API.md route inventory on ${engine}/${phase}`, () => {
    let c: Client;
    beforeAll(async () => {
      c = await startClient(engine, phase);
    });
    afterAll(async () => c?.t.close());

    it('serves every documented route with its auth level', async () => {
      for (const [method, path, auth] of SERVED) {
        expect(c.t.app.hasRoute({ method: method as 'GET', url: path }), `${method} ${path} is registered`).toBe(true);
        await expectAuthLevel(c, method, fill(path), auth, method === 'GET' || method === 'DELETE' ? undefined : {});
      }
    });

    it('answers the JSON 404 on the routes it does not serve (never HTML)', async () => {
      for (const [method, path] of NOT_SERVED) {
        expect(c.t.app.hasRoute({ method: method as 'GET', url: path }), `${method} ${path} is not registered`).toBe(false);
        const url = fill(path);
        const res = await c.call(method, url, { token: c.admin, body: method === 'POST' ? {} : undefined });
        expect(res.statusCode, `${method} ${path}`).toBe(404);
        expect(String(res.headers['content-type'])).toMatch(/^application\/json/);
        expect(res.json()).toEqual({ ok: false, error: 'not_found', message: `Route ${method}:${url} not found`, statusCode: 404 });
      }
    });

    it('lists each served API.md route once and no route twice', () => {
      const keys = [...SERVED.map(([m, p]) => `${m} ${p}`), ...NOT_SERVED.map(([m, p]) => `${m} ${p}`)];
      expect(new Set(keys).size).toBe(keys.length);
    });
  });
}

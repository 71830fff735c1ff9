import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Fake, fakeQbit } from '../download-clients/fakes.js';
import { bearer } from '../helpers/auth.js';
import {
  type Client,
  conformanceMatrix,
  expectError,
  expectExactKeys,
  expectOk,
  expectShape,
  startClient,
  VERIFY_OUTCOME,
} from './legacy-conformance.helpers.js';

/**
 * API.md §6 (grab, last grab, activity) and §8 (heuristic verify, verify jobs). Deliberate changes
 * (README): 400 bad input, 409 no client configured, 502 client failure, jobs in the database.
 */
const MAGNET = 'magnet:?xt=urn:btih:0123456789abcdef0123456789abcdef01234567';
const GRAB_RECORD = {
  kind: 'string',
  id: 'string',
  title: 'string',
  link: 'string|null',
  protocol: 'string',
  client: 'string',
  ok: 'boolean',
  status: 'number|string?',
  at: 'iso',
  category: 'string?',
};

function multipart(fields: Record<string, string>, file: { field: string; filename: string; content: string }) {
  const boundary = '----conformance-boundary';
  const parts = Object.entries(fields).map(([k, v]) => `--${boundary}\r\ncontent-disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`);
  parts.push(
    `--${boundary}\r\ncontent-disposition: form-data; name="${file.field}"; filename="${file.filename}"\r\ncontent-type: application/x-nzb\r\n\r\n${file.content}\r\n`,
  );
  parts.push(`--${boundary}--\r\n`);
  return { payload: Buffer.from(parts.join('')), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

for (const [engine, phase] of conformanceMatrix()) {
  describe(`downloads, activity, verify (API.md §6, §8) on ${engine}/${phase}`, () => {
    let c: Client;
    let qb: Fake;
    const grab = (body: object) => c.call('POST', '/api/downloads/grab', { token: c.user, body });
    beforeAll(async () => {
      c = await startClient(engine, phase);
      qb = await fakeQbit({
        username: 'admin',
        password: 'qb-pass-9',
        torrents: [{ hash: 'abc123', name: 'Heat.1995', progress: 0.5, state: 'downloading', dlspeed: 1024, eta: 60, category: 'mediaos' }],
      });
    });
    afterAll(async () => {
      await c?.t.close();
      await qb?.close();
    });

    it('GET /api/downloads/last: 400 missing_params; {ok:true,last:null} when nothing was grabbed', async () => {
      expectError(await c.call('GET', '/api/downloads/last?kind=movie', { token: c.user }), 400, 'missing_params');
      expect(expectOk(await c.call('GET', '/api/downloads/last?kind=movie&id=none', { token: c.user }))).toEqual({ ok: true, last: null });
    });

    it('POST /api/downloads/grab refuses with the legacy codes', async () => {
      expectError(await grab({ kind: 'movie', id: '1', link: MAGNET }), 400, 'missing_params');
      expectError(await grab({ kind: 'movie', id: '1', title: 'T' }), 400, 'missing_link');
      expectError(await grab({ kind: 'movie', id: '1', title: 'T', link: 'ftp://x/a.torrent', protocol: 'torrent' }), 400, 'unsupported_link_or_protocol');
      // An http(s) .torrent link (Torznab) is fetched and uploaded now (legacy refused it): without qBittorrent, 409.
      expectError(await grab({ kind: 'movie', id: '1', title: 'T', link: 'http://x/a.torrent', protocol: 'torrent' }), 409, 'qbittorrent_not_configured');
      expectError(await grab({ kind: 'movie', id: '1', title: 'T', link: MAGNET }), 409, 'qbittorrent_not_configured');
      expectError(await grab({ kind: 'movie', id: '1', title: 'T', link: 'http://indexer/a.nzb' }), 409, 'usenet_not_configured');
    });

    it('POST /api/downloads/grab (multipart, as the UI uploads an NZB): stored, then served by last', async () => {
      const mp = multipart({ kind: 'movie', id: 'nzb1', title: 'Some.Release' }, { field: 'nzbUpload', filename: 'rel.nzb', content: '<nzb/>' });
      const res = await c.t.app.inject({ method: 'POST', url: '/api/downloads/grab', payload: mp.payload, headers: { ...mp.headers, ...bearer(c.user) } });
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json()).toEqual({ ok: true, queued: false, stored: true });
      const last = expectOk(await c.call('GET', '/api/downloads/last?kind=movie&id=nzb1', { token: c.user }));
      expectShape(last.last, { ...GRAB_RECORD, nzbUpload: { filename: 'string', mimetype: 'string', base64: 'string', size: 'integer' } }, 'last');
      expect(last.last).toMatchObject({ link: null, protocol: 'usenet', client: 'usenet', ok: false, status: 'stored' });
      if (phase === 'files') {
        const p = join(c.t.configDir, 'grabs.json');
        expect(existsSync(p)).toBe(true);
        expect((JSON.parse(readFileSync(p, 'utf8')) as Record<string, unknown>)['movie:nzb1']).toEqual(last.last);
      }
    });

    it('POST /api/downloads/grab to qBittorrent: {ok:true,queued:true}; the record shows in last and the activity queue', async () => {
      expectOk(
        await c.call('POST', '/api/settings/downloaders', {
          token: c.admin,
          body: { qbittorrent: { enabled: true, baseUrl: qb.url, username: 'admin', password: 'qb-pass-9', category: 'mediaos' } },
        }),
      );
      // POST /api/settings/downloaders/test with the stored credentials: {ok:true,status:number}.
      const probe = expectOk(await c.call('POST', '/api/settings/downloaders/test', { token: c.admin, body: { client: 'qbittorrent' } }));
      expectShape(probe, { ok: 'boolean', status: 'integer' });
      expect(probe.status).toBe(200);
      const res = await grab({ kind: 'movies', id: 'heat', title: 'Heat.1995.1080p', link: MAGNET });
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json()).toEqual({ ok: true, queued: true });
      const last = expectOk(await c.call('GET', '/api/downloads/last?kind=movies&id=heat', { token: c.user }));
      expectShape(last.last, GRAB_RECORD, 'last');
      expect(last.last).toMatchObject({ kind: 'movies', id: 'heat', link: MAGNET, protocol: 'torrent', client: 'qbittorrent', ok: true, status: 200 });
      const queue = expectOk(await c.call('GET', '/api/activity/queue', { token: c.user }));
      expectShape(
        queue.items,
        [{ kind: 'string', id: 'string', title: 'string', client: 'string', protocol: 'string', ok: 'boolean', status: 'number|string?', at: 'iso' }],
        'queue',
      );
      expect(queue.items).toEqual([expect.objectContaining({ id: 'heat', ok: true })]);
    });

    it('GET /api/activity/history and /live: {ok,items}; live items in the legacy qBittorrent shape', async () => {
      const history = expectOk(await c.call('GET', '/api/activity/history', { token: c.user }));
      expect((history.items as { id?: string }[]).map((i) => i.id)).toEqual(expect.arrayContaining(['heat', 'nzb1']));
      const live = expectOk(await c.call('GET', '/api/activity/live', { token: c.user }));
      expectShape(
        live.items,
        [
          {
            client: 'string',
            protocol: 'string',
            clientId: 'string',
            title: 'string',
            progress: 'number',
            status: 'string',
            speedBps: 'number',
            etaSec: 'number',
            category: 'string',
            clientUrl: 'string',
          },
        ],
        'live',
      );
      expect(live.items).toEqual([
        expect.objectContaining({ client: 'qbittorrent', protocol: 'torrent', clientId: 'abc123', title: 'Heat.1995', progress: 0.5 }),
      ]);
    });

    it('POST /api/activity/action: {ok:true}; missing_params / unsupported_client', async () => {
      expectError(await c.call('POST', '/api/activity/action', { token: c.user, body: { client: 'qbittorrent', op: 'pause' } }), 400, 'missing_params');
      expectError(
        await c.call('POST', '/api/activity/action', { token: c.user, body: { client: 'transmission', op: 'pause', id: 'x' } }),
        400,
        'unsupported_client',
      );
      const res = await c.call('POST', '/api/activity/action', { token: c.user, body: { client: 'qbittorrent', op: 'delete', id: 'abc123' } });
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json()).toEqual({ ok: true });
    });

    it('POST /api/verify/check: {ok,result:{phase,issues,analyzedAt,topSeverity}}, phase defaults to "all"; last returns it with kind/id/title', async () => {
      expectError(await c.call('POST', '/api/verify/check', { token: c.user, body: { kind: 'movie' } }), 400, 'missing_params');
      const check = expectOk(
        await c.call('POST', '/api/verify/check', { token: c.user, body: { kind: 'movie', id: 'heat', title: 'Heat sample CAMRip 720p' } }),
      );
      expectExactKeys(check, ['ok', 'result']);
      expectShape(check.result, VERIFY_OUTCOME, 'result');
      const result = check.result as { phase: string; issues: { kind: string; severity: string }[]; topSeverity: string };
      expect(result.phase).toBe('all');
      expect(result.topSeverity).toBe('error');
      expect(result.issues.map((i) => i.kind)).toEqual(expect.arrayContaining(['wrong_content', 'encoding_low_quality']));
      expectError(await c.call('GET', '/api/verify/last?kind=movie', { token: c.user }), 400, 'missing_params');
      const last = expectOk(await c.call('GET', '/api/verify/last?kind=movie&id=heat', { token: c.user }));
      expect(last.result).toEqual({ ...result, kind: 'movie', id: 'heat', title: 'Heat sample CAMRip 720p' });
      expect(expectOk(await c.call('GET', '/api/verify/last?kind=movie&id=other', { token: c.user }))).toEqual({ ok: true, result: null });
    });

    it('POST /api/verify/jobs then GET /api/verify/jobs/:id: the legacy job shape; unknown id 404 not_found', async () => {
      const queued = expectOk(
        await c.call('POST', '/api/verify/jobs', { token: c.user, body: { kind: 'series', id: 'wire', title: 'The Wire 1080p', phase: 'player' } }),
      );
      expectExactKeys(queued, ['ok', 'jobId']);
      expect(queued.jobId).toEqual(expect.any(String));
      let job: Record<string, unknown> = {};
      for (let i = 0; i < 100; i++) {
        job = expectOk(await c.call('GET', `/api/verify/jobs/${queued.jobId as string}`, { token: c.user })).job as Record<string, unknown>;
        if (job.status === 'completed' || job.status === 'failed') break;
        await new Promise((r) => setTimeout(r, 50));
      }
      expectShape(
        job,
        {
          id: 'string',
          status: 'string',
          input: { phase: 'string', kind: 'string', id: 'string', title: 'string', path: 'string?' },
          enqueuedAt: 'iso',
          result: VERIFY_OUTCOME,
          finishedAt: 'iso',
        },
        'job',
      );
      expect(job).toMatchObject({ id: queued.jobId, status: 'completed', input: { phase: 'player', kind: 'series', id: 'wire', title: 'The Wire 1080p' } });
      expect(expectOk(await c.call('GET', '/api/verify/last?kind=series&id=wire', { token: c.user })).result).toMatchObject({
        phase: 'player',
        kind: 'series',
        id: 'wire',
      });
      expectError(await c.call('GET', '/api/verify/jobs/nope', { token: c.user }), 404, 'not_found');
    });
  });
}

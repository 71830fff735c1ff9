import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Fake, fakeNzbget, fakeQbit, fakeSab, hangingServer, jsonRpcCalls, QB_SID } from '../download-clients/fakes.js';
import { createTestApp } from '../helpers/app.js';
import { bearer, registerAdmin } from '../helpers/auth.js';
import { phaseMatrix } from '../helpers/matrix.js';
import { expectNoSecretLeak, FIXED_NOW, NZB_PASS, QB_PASS, type RouteCtx, routeCtx, SAB_KEY, saveDownloaders } from './route-helpers.js';

const MAGNET = 'magnet:?xt=urn:btih:0123456789abcdef0123456789abcdef01234567&dn=Heat';
const AT = FIXED_NOW.toISOString();

function multipart(fields: Record<string, string>, file?: { field: string; filename: string; content: string | Buffer }) {
  const boundary = '----mediaos-test-boundary';
  const parts: Buffer[] = [];
  for (const [k, v] of Object.entries(fields)) {
    parts.push(Buffer.from(`--${boundary}\r\ncontent-disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
  }
  if (file) {
    parts.push(
      Buffer.from(
        `--${boundary}\r\ncontent-disposition: form-data; name="${file.field}"; filename="${file.filename}"\r\ncontent-type: application/x-nzb\r\n\r\n`,
      ),
    );
    parts.push(Buffer.isBuffer(file.content) ? file.content : Buffer.from(file.content));
    parts.push(Buffer.from('\r\n'));
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(parts), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

for (const [engine, phase] of phaseMatrix()) {
  describe(`grab routes (${engine}, ${phase})`, () => {
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

    const grab = (payload: object, token = c.user) => c.call({ method: 'POST', url: '/api/downloads/grab', payload, token });
    const last = (kind: string, id: string) =>
      c.call({ method: 'GET', url: `/api/downloads/last?kind=${encodeURIComponent(kind)}&id=${encodeURIComponent(id)}`, token: c.user });
    const fileDoc = () => JSON.parse(readFileSync(join(c.t.configDir, 'grabs.json'), 'utf8'));

    it('requires a user token', async () => {
      expect((await grab({ title: 'x', link: MAGNET }, '')).statusCode).toBe(401);
      expect((await c.call({ method: 'GET', url: '/api/downloads/last?kind=movie&id=1' })).statusCode).toBe(401);
    });

    it('validates input and configuration before calling anything', async () => {
      const cases: [object, number, string][] = [
        [{ kind: 'movie', id: '1', link: MAGNET }, 400, 'missing_params'],
        [{ kind: 'movie', id: '1', title: 'T' }, 400, 'missing_link'],
        [{ kind: 'movie', id: '1', title: 'T', link: 'ftp://x/a.torrent', protocol: 'torrent' }, 400, 'unsupported_link_or_protocol'],
        [{ kind: 'movie', id: '1', title: 'T', link: 'http://x/a.torrent', protocol: 'torrent' }, 409, 'qbittorrent_not_configured'],
        [{ kind: 'movie', id: '1', title: 'T', link: MAGNET }, 409, 'qbittorrent_not_configured'],
        [{ kind: 'movie', id: '1', title: 'T', link: 'http://x/a.nzb' }, 409, 'usenet_not_configured'],
      ];
      for (const [body, status, error] of cases) {
        const r = await grab(body);
        expect(r.statusCode, error).toBe(status);
        expect(r.json()).toEqual(error === 'missing_params' ? { ok: false, error, message: 'title is required (missing or empty)' } : { ok: false, error });
      }
      const bad = await grab({ title: 'T', link: MAGNET, protocol: 'ftp' });
      expect(bad.statusCode).toBe(400);
      expect(bad.json().error).toContain('protocol');
      expect((await last('movie', '')).json()).toEqual({ ok: false, error: 'missing_params', message: 'id is required (missing or empty)' });
      expect((await last('movie', 'nothing')).json()).toEqual({ ok: true, last: null });
    });

    it('stores an NZB upload when no client can take it', async () => {
      const mp = multipart({ kind: 'movie', id: 'nzbtest', title: 'Some.Release' }, { field: 'nzb', filename: 'rel.nzb', content: '<nzb/>' });
      const r = await c.call({ method: 'POST', url: '/api/downloads/grab', ...mp, token: c.user });
      expect(r.statusCode).toBe(200);
      expect(r.json()).toEqual({ ok: true, queued: false, stored: true });
      const rec = {
        kind: 'movie',
        id: 'nzbtest',
        title: 'Some.Release',
        link: null,
        protocol: 'usenet',
        client: 'usenet',
        ok: false,
        status: 'stored',
        at: AT,
        nzbUpload: { filename: 'rel.nzb', mimetype: 'application/x-nzb', base64: 'PG56Yi8+', size: 6 },
      };
      expect((await last('movie', 'nzbtest')).json()).toStrictEqual({ ok: true, last: rec });
      if (phase !== 'db') expect(fileDoc()['movie:nzbtest']).toStrictEqual(rec);
    });

    it('refuses an upload over the size limit', async () => {
      const big = Buffer.alloc(c.t.ctx.config.uploadMaxBytes + 1, 0x61);
      const mp = multipart({ kind: 'movie', id: 'big', title: 'Big' }, { field: 'nzbUpload', filename: 'big.nzb', content: big });
      const r = await c.call({ method: 'POST', url: '/api/downloads/grab', ...mp, token: c.user });
      expect(r.statusCode).toBe(413);
      expect((await last('movie', 'big')).json().last).toBeNull();
    });

    it('sends a magnet to qBittorrent with the decrypted password and the category', async () => {
      await saveDownloaders(c, {
        qbittorrent: { enabled: true, baseUrl: qb.url, username: 'admin', password: QB_PASS, category: 'mediaos' },
        nzbget: { enabled: false },
        sabnzbd: { enabled: false },
      });
      const r = await grab({ kind: 'movies', id: 'lib1', title: 'Heat.1995', link: MAGNET });
      expect(r.statusCode).toBe(200);
      expect(r.json()).toEqual({ ok: true, queued: true });
      const login = qb.requests.find((x) => x.path === '/api/v2/auth/login')!;
      expect(new URLSearchParams(login.body.toString()).get('password')).toBe(QB_PASS);
      const add = qb.requests.find((x) => x.path === '/api/v2/torrents/add')!;
      expect(add.headers.cookie).toBe(`SID=${QB_SID}`);
      const form = new URLSearchParams(add.body.toString());
      expect(form.get('urls')).toBe(MAGNET);
      expect(form.get('category')).toBe('mediaos');
      // the client's id (the magnet's info-hash) is recorded for tracking
      const rec = {
        kind: 'movies',
        id: 'lib1',
        title: 'Heat.1995',
        link: MAGNET,
        protocol: 'torrent',
        client: 'qbittorrent',
        ok: true,
        status: 200,
        at: AT,
        downloadId: '0123456789abcdef0123456789abcdef01234567',
        state: 'queued',
      };
      // the singular lookup finds the plural key
      expect((await last('movie', 'lib1')).json()).toStrictEqual({ ok: true, last: rec });
      expect((await last('movies', 'lib1')).json()).toStrictEqual({ ok: true, last: rec });
      if (phase !== 'db') expect(fileDoc()['movies:lib1']).toStrictEqual(rec);
    });

    it('sends usenet links to SABnzbd (sub-path kept) and uploads as files', async () => {
      await saveDownloaders(c, {
        qbittorrent: { enabled: false },
        nzbget: { enabled: true, baseUrl: nz.url, username: 'nzbget', password: NZB_PASS },
        sabnzbd: { enabled: true, baseUrl: `${sab.url}/sabnzbd`, apiKey: SAB_KEY, category: 'tv' },
      });
      const r = await grab({ kind: 'series', id: 's1', title: 'Show.S01E01', link: 'https://indexer/get.nzb?id=9' });
      expect(r.json()).toEqual({ ok: true, queued: true });
      const add = sab.requests.find((x) => x.query.get('mode') === 'addurl')!;
      expect(add.path).toBe('/sabnzbd/api');
      expect(add.query.get('apikey')).toBe(SAB_KEY);
      expect(add.query.get('name')).toBe('https://indexer/get.nzb?id=9');
      expect(add.query.get('cat')).toBe('tv');
      expect((await last('series', 's1')).json().last).toStrictEqual({
        kind: 'series',
        id: 's1',
        title: 'Show.S01E01',
        link: 'https://indexer/get.nzb?id=9',
        protocol: 'usenet',
        client: 'sabnzbd',
        ok: true,
        status: 200,
        at: AT,
        category: 'tv',
        downloadId: 'SABnzbd_nzo_1',
        state: 'queued',
      });

      const mp = multipart({ kind: 'movie', id: 'up1', title: 'Up' }, { field: 'nzbUpload', filename: 'up.nzb', content: '<nzb>upload-body</nzb>' });
      const u = await c.call({ method: 'POST', url: '/api/downloads/grab', ...mp, token: c.user });
      expect(u.json()).toEqual({ ok: true, queued: true });
      const post = sab.requests.find((x) => x.method === 'POST')!.body.toString();
      expect(post).toContain('<nzb>upload-body</nzb>');
      expect(post).toContain(SAB_KEY);
      expect((await last('movie', 'up1')).json().last).toMatchObject({ client: 'sabnzbd', ok: true, status: 'uploaded', link: null });
    });

    it('sends usenet links to NZBGet with append when SABnzbd is off', async () => {
      await saveDownloaders(c, {
        qbittorrent: { enabled: false },
        nzbget: { enabled: true, baseUrl: nz.url, username: 'nzbget', password: NZB_PASS },
        sabnzbd: { enabled: false, baseUrl: `${sab.url}/sabnzbd` },
      });
      const r = await grab({ kind: 'book', id: 'b1', title: 'A Book', link: 'http://indexer/b.nzb' });
      expect(r.json()).toEqual({ ok: true, queued: true });
      const call = jsonRpcCalls(nz).at(-1)!;
      expect(call.method).toBe('append');
      expect(call.params[1]).toBe('http://indexer/b.nzb');
      expect((await last('books', 'b1')).json().last).toMatchObject({ client: 'nzbget', ok: true, status: 200 });
    });

    it('records a refused grab and answers 502', async () => {
      const refusing = await fakeQbit({ username: 'admin', password: QB_PASS, refuseAdd: true });
      try {
        await saveDownloaders(c, {
          qbittorrent: { enabled: true, baseUrl: refusing.url, username: 'admin' },
          nzbget: { enabled: false },
          sabnzbd: { enabled: false },
        });
        // the password was kept from the previous save (omitted): the login still works
        const r = await grab({ kind: 'movie', id: 'r1', title: 'Refused', link: MAGNET });
        expect(r.statusCode).toBe(502);
        expect(r.json()).toEqual({ ok: false, error: 'rejected', queued: false });
        expect((await last('movie', 'r1')).json().last).toMatchObject({ client: 'qbittorrent', ok: false, status: 200 });
      } finally {
        await refusing.close();
      }
    });

    if (phase === 'db' && engine === 'sqlite') {
      it('answers a timeout when the client never answers, and records it without a status', async () => {
        const hang = await hangingServer();
        try {
          await saveDownloaders(c, {
            qbittorrent: { enabled: true, baseUrl: hang.url, timeoutMs: 1 },
            nzbget: { enabled: false },
            sabnzbd: { enabled: false },
          });
          const r = await grab({ kind: 'movie', id: 'h1', title: 'Hang', link: MAGNET });
          expect(r.statusCode).toBe(502);
          expect(r.json()).toEqual({ ok: false, error: 'timeout after 2000 ms', queued: false });
          const rec = (await last('movie', 'h1')).json().last;
          expect(rec).toStrictEqual({ kind: 'movie', id: 'h1', title: 'Hang', link: MAGNET, protocol: 'torrent', client: 'qbittorrent', ok: false, at: AT });
        } finally {
          await hang.close();
        }
      });
    }

    it('never leaks a secret', () => {
      expectNoSecretLeak(c);
    });
  });
}

describe('grab rate limit', () => {
  it('allows 20 grabs a minute per client, then answers the legacy 429', async () => {
    const t = await createTestApp({ env: { RATE_LIMIT_MAX: '1000' } });
    try {
      const token = (await registerAdmin(t.app)).accessToken;
      const grab = () => t.app.inject({ method: 'POST', url: '/api/downloads/grab', payload: {}, headers: bearer(token) });
      for (let i = 0; i < 20; i++) expect((await grab()).statusCode).toBe(400);
      const limited = await grab();
      expect(limited.statusCode).toBe(429);
      expect(limited.json()).toMatchObject({ statusCode: 429, error: 'Too Many Requests', message: 'Too many download requests. Please wait a moment.' });
      // other routes keep the global limit
      expect((await t.app.inject({ method: 'GET', url: '/api/downloads/last?kind=movie&id=1', headers: bearer(token) })).statusCode).toBe(200);
    } finally {
      await t.close();
    }
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import { nzbgetAppendFile, nzbgetAppendUrl, nzbgetTest } from '../../src/download-clients/nzbget.js';
import { qbitAction, qbitAddMagnet, qbitList, qbitTest } from '../../src/download-clients/qbittorrent.js';
import { sabAction, sabAddFile, sabAddUrl, sabHistory, sabQueue, sabTest } from '../../src/download-clients/sabnzbd.js';
import { ClientError, clampTimeout, describeFetchError, joinUrl, redactUrl, scrub, snippet, toFailure } from '../../src/http-client/http.js';
import { type Fake, fakeNzbget, fakeQbit, fakeSab, hangingServer, jsonRpcCalls, QB_SID } from './fakes.js';

const QB_PASS = 'qb-Pa55word-unique-7781';
const SAB_KEY = 'sabkey0123456789abcdef0123456789';
const NZB_PASS = 'nzb-Pa55-unique-4410';
const MAGNET = 'magnet:?xt=urn:btih:0123456789abcdef0123456789abcdef01234567&dn=Heat';

let fakes: Fake[] = [];
async function track(f: Promise<Fake>): Promise<Fake> {
  const fake = await f;
  fakes.push(fake);
  return fake;
}
afterEach(async () => {
  await Promise.all(fakes.map((f) => f.close()));
  fakes = [];
});

describe('http helpers', () => {
  it('clamps timeouts like legacy add calls', () => {
    expect(clampTimeout(undefined)).toBe(8000);
    expect(clampTimeout(0)).toBe(8000);
    expect(clampTimeout(500)).toBe(2000);
    expect(clampTimeout(50_000)).toBe(20_000);
    expect(clampTimeout(5000.9)).toBe(5000);
    expect(clampTimeout('5000')).toBe(8000);
  });

  it('keeps a sub-path of baseUrl and refuses odd URLs', () => {
    expect(joinUrl('http://h:8080/sabnzbd/', '/api')).toBe('http://h:8080/sabnzbd/api');
    expect(joinUrl('http://h:8080', '/jsonrpc')).toBe('http://h:8080/jsonrpc');
    expect(() => joinUrl('ftp://h', '/x')).toThrow('invalid_baseUrl');
    expect(() => joinUrl('not a url', '/x')).toThrow('invalid_baseUrl');
    expect(() => joinUrl('http://u:p@h', '/x')).toThrow(/credentials/);
  });

  it('describes fetch failures with short codes only', () => {
    const cause = (code: string) => Object.assign(new TypeError('fetch failed'), { cause: { code } });
    expect(describeFetchError(cause('ECONNREFUSED'), 1)).toBe('connection_refused');
    expect(describeFetchError(cause('ENOTFOUND'), 1)).toBe('host_not_found');
    expect(describeFetchError(cause('ECONNRESET'), 1)).toBe('connection_reset');
    expect(describeFetchError(cause('UND_ERR_HEADERS_TIMEOUT'), 7)).toBe('timeout after 7 ms');
    expect(describeFetchError(cause('EHOSTUNREACH'), 1)).toBe('network_error: EHOSTUNREACH');
    expect(describeFetchError(new Error('http://h/api?apikey=SECRET failed'), 1)).toBe('network_error');
    expect(describeFetchError(Object.assign(new Error('x'), { name: 'TimeoutError' }), 9)).toBe('timeout after 9 ms');
    expect(toFailure(new Error('boom SECRET'), ['SECRET'])).toEqual({ ok: false, error: 'client_error' });
    expect(toFailure(new ClientError('bad SECRET', 500), ['SECRET'])).toEqual({ ok: false, error: 'bad ***', status: 500 });
    expect(snippet('  long\n text  with SECRET  ', ['SECRET'])).toBe('long text with ***');
  });

  it('strips secrets from URLs and messages', () => {
    expect(redactUrl('http://u:pw@h/api?mode=queue&apikey=abc123&x=1')).toBe('http://h/api?mode=queue&apikey=***&x=1');
    expect(scrub('bad key hunter22 here', ['hunter22'])).toBe('bad key *** here');
  });
});

describe('qBittorrent adapter', () => {
  it('logs in and sends the SID cookie on every call', async () => {
    const qb = await track(
      fakeQbit({
        username: 'admin',
        password: QB_PASS,
        torrents: [{ hash: 'h1', name: 'Heat', progress: 0.5, state: 'downloading', dlspeed: 10, eta: 60, category: 'mediaos' }],
      }),
    );
    const s = { baseUrl: `${qb.url}/`, username: 'admin', password: QB_PASS, category: 'mediaos', timeoutMs: 4000 };
    expect(await qbitTest(s)).toEqual({ ok: true, status: 200, version: 'v5.0.2' });
    expect(await qbitAddMagnet(s, MAGNET)).toEqual({ ok: true, status: 200 });
    const list = await qbitList(s);
    expect(list.ok && list.torrents[0].hash).toBe('h1');
    // qBittorrent 5 renamed pause/resume: the fake answers 404 to the old names
    expect(await qbitAction(s, 'pause', 'h1')).toEqual({ ok: true, status: 200 });
    expect(await qbitAction(s, 'delete', 'h1')).toEqual({ ok: true, status: 200 });
    const add = qb.requests.find((r) => r.path === '/api/v2/torrents/add')!;
    const form = new URLSearchParams(add.body.toString());
    expect(form.get('urls')).toBe(MAGNET);
    expect(form.get('category')).toBe('mediaos');
    for (const r of qb.requests.filter((x) => x.path !== '/api/v2/auth/login')) expect(r.headers.cookie).toBe(`SID=${QB_SID}`);
    expect(qb.requests.map((r) => r.path)).toContain('/api/v2/torrents/stop');
    const del = qb.requests.find((r) => r.path === '/api/v2/torrents/delete')!;
    expect(new URLSearchParams(del.body.toString()).get('deleteFiles')).toBe('false');
  });

  it('reports a failed login and a refused add without the password', async () => {
    const qb = await track(fakeQbit({ username: 'admin', password: QB_PASS, refuseAdd: true }));
    const bad = await qbitTest({ baseUrl: qb.url, username: 'admin', password: 'wrong-password', timeoutMs: 4000 });
    expect(bad).toEqual({ ok: false, status: 200, error: 'login_failed: Fails.' });
    const refused = await qbitAddMagnet({ baseUrl: qb.url, username: 'admin', password: QB_PASS, timeoutMs: 4000 }, MAGNET);
    expect(refused).toEqual({ ok: false, status: 200, error: 'rejected' });
  });

  it('answers connection errors with a short code', async () => {
    const qb = await fakeQbit({ username: 'a', password: 'b' });
    await qb.close();
    const r = await qbitTest({ baseUrl: qb.url, timeoutMs: 2000 });
    expect(r).toEqual({ ok: false, error: 'connection_refused' });
  });
});

describe('SABnzbd adapter', () => {
  it('keeps the sub-path for every call and sends the apikey and category', async () => {
    const sab = await track(
      fakeSab({
        apiKey: SAB_KEY,
        queue: [{ nzo_id: 'n1', filename: 'Rel', mb: '100', mbleft: '25', timeleft: '0:01:00', status: 'Downloading', cat: 'tv' }],
        history: [{ nzo_id: 'h1', name: 'Old', status: 'Completed', completed: 1733050000, cat: 'tv' }],
      }),
    );
    const s = { baseUrl: `${sab.url}/sabnzbd/`, apiKey: SAB_KEY, category: 'tv', timeoutMs: 4000 };
    expect(await sabTest(s)).toEqual({ ok: true, status: 200 });
    expect(await sabAddUrl(s, 'http://indexer/get.nzb?id=1')).toEqual({ ok: true, status: 200, nzoId: 'SABnzbd_nzo_1' });
    expect(await sabAddFile(s, { filename: 'rel.nzb', data: Buffer.from('<nzb>content-1</nzb>') })).toEqual({ ok: true, status: 200, nzoId: 'SABnzbd_nzo_1' });
    const q = await sabQueue(s);
    expect(q.ok && q.slots[0].nzo_id).toBe('n1');
    const h = await sabHistory(s);
    expect(h.ok && h.slots[0].name).toBe('Old');
    expect(await sabAction(s, 'delete', 'n1')).toEqual({ ok: true, status: 200 });
    const add = sab.requests.find((r) => r.query.get('mode') === 'addurl')!;
    expect(add.query.get('name')).toBe('http://indexer/get.nzb?id=1');
    expect(add.query.get('cat')).toBe('tv');
    const upload = sab.requests.find((r) => r.method === 'POST')!.body.toString();
    expect(upload).toContain('<nzb>content-1</nzb>');
    expect(upload).toContain('filename="rel.nzb"');
    expect(upload).toMatch(/name="cat"\r\n\r\ntv/);
    expect(sab.requests.every((r) => r.path === '/sabnzbd/api')).toBe(true);
  });

  it('turns SABnzbd JSON errors into failures', async () => {
    const sab = await track(fakeSab({ apiKey: SAB_KEY }));
    const r = await sabTest({ baseUrl: `${sab.url}/sabnzbd`, apiKey: 'wrong-key-000', timeoutMs: 4000 });
    expect(r).toEqual({ ok: false, status: 200, error: 'sabnzbd: API Key Incorrect' });
    const nf = await sabTest({ baseUrl: sab.url, apiKey: SAB_KEY, timeoutMs: 4000 });
    expect(nf).toEqual({ ok: false, status: 404, error: 'http_404' });
  });

  it('times out a client that never answers', async () => {
    const hang = await track(hangingServer());
    const r = await sabAddUrl({ baseUrl: hang.url, apiKey: SAB_KEY, timeoutMs: 2000 }, 'http://x/y.nzb');
    expect(r).toEqual({ ok: false, error: 'timeout after 2000 ms' });
  });
});

describe('NZBGet adapter', () => {
  it('uses append with the URL or the NZB content, with Basic auth', async () => {
    const nz = await track(fakeNzbget({ username: 'nzbget', password: NZB_PASS }));
    const s = { baseUrl: nz.url, username: 'nzbget', password: NZB_PASS, timeoutMs: 4000 };
    expect(await nzbgetTest(s)).toEqual({ ok: true, status: 200, version: '24.3' });
    expect(await nzbgetAppendUrl(s, 'http://indexer/get.nzb?id=2', 'Some/Release')).toEqual({ ok: true, status: 200, nzbId: 42 });
    expect(await nzbgetAppendFile(s, { filename: 'x.nzb', data: Buffer.from('<nzb/>') })).toEqual({ ok: true, status: 200, nzbId: 42 });
    const calls = jsonRpcCalls(nz);
    expect(calls[1].method).toBe('append');
    expect(calls[1].params.slice(0, 3)).toEqual(['Some_Release.nzb', 'http://indexer/get.nzb?id=2', '']);
    expect(calls[2].params.slice(0, 2)).toEqual(['x.nzb', Buffer.from('<nzb/>').toString('base64')]);
    const bad = await nzbgetTest({ ...s, password: 'nope' });
    expect(bad).toEqual({ ok: false, status: 401, error: 'http_401' });
  });
});

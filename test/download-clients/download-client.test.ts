import { afterEach, describe, expect, it } from 'vitest';
import { CLIENT_KINDS } from '../../src/download-clients/download-client.js';
import { clientFor, kindsFor, kindsThat, missingSetting, supports } from '../../src/download-clients/registry.js';
import { activeClient } from '../../src/downloaders/downloaders.clients.js';
import { type Fake, fakeNzbget, fakeQbit, fakeSab, jsonRpcCalls, QB_SID } from './fakes.js';

const QB_PASS = 'qb-Pa55word-unique-9912';
const SAB_KEY = 'sabkey-adapter-0123456789abcdef';
const NZB_PASS = 'nzb-Pa55-unique-8830';
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

describe('the DownloadClient registry', () => {
  it('knows the kinds, their protocols (in preference order) and their optional calls', () => {
    expect(CLIENT_KINDS).toEqual(['qbittorrent', 'sabnzbd', 'nzbget']);
    expect(kindsFor('torrent')).toEqual(['qbittorrent']);
    expect(kindsFor('usenet')).toEqual(['sabnzbd', 'nzbget']);
    expect(kindsThat('list')).toEqual(['qbittorrent', 'sabnzbd', 'nzbget']);
    expect(kindsThat('history')).toEqual(['sabnzbd', 'nzbget']);
    expect(kindsThat('addFile')).toEqual(['sabnzbd', 'nzbget']);
    expect(supports('qbittorrent', 'act')).toBe(true);
    expect(supports('nzbget', 'act')).toBe(true);
    expect(supports('transmission', 'act')).toBe(false);
  });

  it('builds no adapter when a setting it needs is missing', () => {
    expect(missingSetting('sabnzbd', { baseUrl: 'http://h' })).toBe('apiKey');
    expect(missingSetting('qbittorrent', {})).toBe('baseUrl');
    expect(missingSetting('qbittorrent', { baseUrl: 'http://h' })).toBeUndefined();
    expect(clientFor('sabnzbd', { baseUrl: 'http://h', timeoutMs: 2000 })).toBeUndefined();
    expect(clientFor('nzbget', { baseUrl: 'http://h', timeoutMs: 2000 })?.kind).toBe('nzbget');
  });

  it('gives an adapter only for an enabled section with a baseUrl', () => {
    expect(activeClient({ qbittorrent: { enabled: false, baseUrl: 'http://h' } }, 'qbittorrent')).toBeUndefined();
    expect(activeClient({ qbittorrent: { enabled: true } }, 'qbittorrent')).toBeUndefined();
    expect(activeClient({ sabnzbd: { enabled: true, baseUrl: 'http://h' } }, 'sabnzbd')).toBeUndefined();
    const qb = activeClient({ qbittorrent: { enabled: true, baseUrl: 'http://h/', timeoutMs: 50_000 } }, 'qbittorrent');
    expect(qb).toMatchObject({ kind: 'qbittorrent', protocol: 'torrent', baseUrl: 'http://h/' });
  });
});

describe('the adapters', () => {
  it('qBittorrent: test, add with a category override, list with progress/state/save path by id, act', async () => {
    const fake = await track(
      fakeQbit({
        username: 'admin',
        password: QB_PASS,
        torrents: [
          { hash: 'aaa', name: 'Heat', progress: 0.5, state: 'downloading', dlspeed: 1000, eta: 60, category: 'movies', save_path: '/dl/movies' },
          { hash: 'bbb', name: 'Other', progress: 1, state: 'uploading', dlspeed: 0, eta: 8640000, category: 'tv', save_path: '/dl/tv', size: 9 },
          { hash: 'ccc', name: 'Gone', progress: 0.2, state: 'missingFiles', dlspeed: 0, eta: 8640000, category: 'tv' },
          { hash: 'ddd', name: 'Waiting', progress: 0, state: 'pausedDL', dlspeed: 0, eta: 8640000, category: 'tv' },
          { hash: 'eee', name: 'Next', progress: 0, state: 'queuedDL', dlspeed: 0, eta: 8640000, category: 'tv' },
          { hash: 'fff', name: 'Checking', progress: 1, state: 'checkingUP', dlspeed: 0, eta: 0, category: 'tv', content_path: '/dl/tv/Checking' },
        ],
      }),
    );
    const c = clientFor('qbittorrent', { baseUrl: fake.url, username: 'admin', password: QB_PASS, category: 'movies', timeoutMs: 2000 })!;
    expect(await c.test()).toEqual({ ok: true, status: 200, version: 'v5.0.2' });
    expect(c.accepts(MAGNET)).toBe(true);
    expect(c.accepts('http://h/x.torrent')).toBe(true); // fetched and uploaded as a .torrent
    expect(c.accepts('ftp://h/x.torrent')).toBe(false);
    expect(await c.addLink(MAGNET, { category: 'mediaos-movies' })).toMatchObject({ ok: true, status: 200 });
    const add = fake.requests.find((r) => r.path === '/api/v2/torrents/add')!;
    expect(new URLSearchParams(add.body.toString('utf8')).get('category')).toBe('mediaos-movies');
    expect(add.headers.cookie).toBe(`SID=${QB_SID}`);
    const listed = await c.list!({ ids: ['aaa'] });
    expect(listed).toEqual({
      ok: true,
      status: 200,
      jobs: [
        {
          id: 'aaa',
          title: 'Heat',
          state: 'downloading',
          progress: 0.5,
          status: 'downloading',
          speedBps: 1000,
          etaSec: 60,
          category: 'movies',
          savePath: '/dl/movies',
        },
      ],
    });
    const all = await c.list!();
    expect(all.ok && all.jobs.map((j) => [j.id, j.state, j.etaSec, j.contentPath ?? j.failure])).toEqual([
      ['aaa', 'downloading', 60, undefined],
      ['bbb', 'completed', undefined, '/dl/tv/Other'], // qBittorrent's "never" ETA is no ETA
      ['ccc', 'failed', undefined, 'qBittorrent reports missingFiles'],
      ['ddd', 'paused', undefined, undefined],
      ['eee', 'queued', undefined, undefined],
      ['fff', 'processing', 0, undefined],
    ]);
    expect(all.ok && all.jobs[1].sizeBytes).toBe(9);
    expect(await c.act!('delete', 'aaa')).toMatchObject({ ok: true, status: 200 });
    expect(c.addFile).toBeUndefined();
  });

  it('SABnzbd: list computes progress from sizes, history, category noted and overridable', async () => {
    const fake = await track(
      fakeSab({
        apiKey: SAB_KEY,
        queue: [
          { nzo_id: 'n1', filename: 'Heat.nzb', mb: '100', mbleft: '25', timeleft: '0:01:00', status: 'Downloading', cat: 'movies' },
          { nzo_id: 'n2', filename: 'Other.nzb', mb: '0', mbleft: '0', status: 'Queued' },
        ],
        history: [{ nzo_id: 'h1', name: 'Done', status: 'Completed', completed: 1700000000, cat: 'movies' }],
      }),
    );
    const c = clientFor('sabnzbd', { baseUrl: `${fake.url}/sabnzbd`, apiKey: SAB_KEY, category: 'movies', timeoutMs: 2000 })!;
    expect(c.notedCategory).toBe('movies');
    const listed = await c.list!();
    expect(listed.ok && listed.jobs).toEqual([
      {
        id: 'n1',
        title: 'Heat.nzb',
        state: 'downloading',
        progress: 0.75,
        status: 'Downloading',
        sizeBytes: 100 * 1024 * 1024,
        etaSec: 60,
        eta: '0:01:00',
        category: 'movies',
      },
      {
        id: 'n2',
        title: 'Other.nzb',
        state: 'queued',
        progress: undefined,
        status: 'Queued',
        sizeBytes: 0,
        etaSec: undefined,
        eta: undefined,
        category: undefined,
      },
    ]);
    const byId = await c.list!({ ids: ['n2'] });
    expect(byId.ok && byId.jobs.map((j) => j.id)).toEqual(['n2']);
    const hist = await c.history!(50);
    // Completed without a storage folder is not importable yet: still processing
    expect(hist.ok && hist.entries).toEqual([{ id: 'h1', title: 'Done', status: 'Completed', state: 'processing', at: 1700000000, category: 'movies' }]);
    expect(await c.addLink('http://idx/get/1.nzb', { category: 'tv' })).toMatchObject({ ok: true, status: 200 });
    const add = fake.requests.find((r) => r.query.get('mode') === 'addurl')!;
    expect(add.query.get('cat')).toBe('tv');
    expect(c.accepts('magnet:?xt=1')).toBe(false);
  });

  it('NZBGet: link adds name the job after the title; uploads are base64', async () => {
    const fake = await track(fakeNzbget({ username: 'nz', password: NZB_PASS }));
    const c = clientFor('nzbget', { baseUrl: fake.url, username: 'nz', password: NZB_PASS, timeoutMs: 2000 })!;
    expect(await c.test()).toEqual({ ok: true, status: 200, version: '24.3' });
    expect(await c.addLink('https://idx/get/1', { title: 'Heat/1995', category: 'movies' })).toMatchObject({ ok: true, status: 200 });
    expect(await c.addFile!({ filename: 'x.nzb', data: Buffer.from('<nzb/>') })).toMatchObject({ ok: true, status: 200 });
    const [, first, second] = jsonRpcCalls(fake);
    expect(first.params.slice(0, 3)).toEqual(['Heat_1995.nzb', 'https://idx/get/1', 'movies']);
    expect(second.params.slice(0, 3)).toEqual(['x.nzb', Buffer.from('<nzb/>').toString('base64'), '']);
    const listed = await c.list!();
    expect(listed.ok && listed.jobs).toEqual([
      {
        id: '7',
        title: 'Heat.1995',
        state: 'downloading',
        status: 'DOWNLOADING',
        progress: 0.25,
        sizeBytes: 2 ** 32 + 4,
        speedBps: 1000,
        etaSec: 3221225,
        category: 'movies',
      },
      { id: '8', title: 'Ronin.1998', state: 'paused', status: 'PAUSED', progress: 0, sizeBytes: 100, category: '' },
      { id: '9', title: 'Fetched', state: 'queued', status: 'FETCHING', category: '' },
      { id: '10', title: 'Unpacking', state: 'processing', status: 'UNPACKING', progress: 1, sizeBytes: 50, category: '' },
    ]);
    expect((await c.list!({ ids: ['8'] })).ok).toBe(true);
    const hist = await c.history!(10);
    expect(hist.ok && hist.entries.map((e) => [e.id, e.state, e.contentPath ?? e.failure, e.sizeBytes])).toEqual([
      ['3', 'completed', '/dst/Alien', 1000],
      ['4', 'completed', '/dst/movies/Alien.2', undefined],
      ['5', 'failed', 'NZBGet: FAILURE/HEALTH', undefined],
      ['6', 'failed', 'NZBGet: WARNING/DAMAGED', undefined],
      ['11', 'processing', undefined, undefined],
    ]);
    expect(await c.act!('pause', '7')).toMatchObject({ ok: true });
    expect(await c.act!('delete', 'not-a-number')).toEqual({ ok: false, error: 'action_failed' });
    expect(jsonRpcCalls(fake).find((call) => call.method === 'editqueue')?.params).toEqual(['GroupPause', '', [7]]);
  });
});

import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Tiny fake download clients on 127.0.0.1 (port 0). Each records every request it receives so
 * tests can check what our server sent: the decrypted password/apikey, the category, the link.
 */
export interface Received {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export interface Fake {
  url: string;
  requests: Received[];
  close(): Promise<void>;
}

type Handler = (req: Received, res: ServerResponse) => void;

export async function startFake(handler: Handler): Promise<Fake> {
  const requests: Received[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const u = new URL(req.url ?? '/', 'http://x');
      const r: Received = { method: req.method ?? 'GET', path: u.pathname, query: u.searchParams, headers: req.headers, body: Buffer.concat(chunks) };
      requests.push(r);
      handler(r, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string | string[]> = {}): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { 'content-type': typeof body === 'string' ? 'text/plain' : 'application/json', ...headers });
  res.end(text);
}

export const QB_SID = 'fake-sid-7f3a';

/** qBittorrent 5-style: login sets SID; every other call needs it; pause/resume are 404 (renamed stop/start). */
export function fakeQbit(opts: { username: string; password: string; refuseAdd?: boolean; torrents?: object[] }): Promise<Fake> {
  return startFake((req, res) => {
    if (req.path === '/api/v2/auth/login') {
      const f = new URLSearchParams(req.body.toString('utf8'));
      if (f.get('username') === opts.username && f.get('password') === opts.password) {
        return send(res, 200, 'Ok.', { 'set-cookie': [`SID=${QB_SID}; HttpOnly; path=/`] });
      }
      return send(res, 200, 'Fails.');
    }
    if (req.headers.cookie !== `SID=${QB_SID}`) return send(res, 403, 'Forbidden');
    switch (req.path) {
      case '/api/v2/app/version':
        return send(res, 200, 'v5.0.2');
      case '/api/v2/torrents/add':
        return send(res, 200, opts.refuseAdd ? 'Fails.' : 'Ok.');
      case '/api/v2/torrents/info':
        return send(res, 200, opts.torrents ?? []);
      case '/api/v2/torrents/stop':
      case '/api/v2/torrents/start':
      case '/api/v2/torrents/delete':
        return send(res, 200, '');
      default:
        return send(res, 404, 'Not Found');
    }
  });
}

/** SABnzbd under a sub-path (`/sabnzbd/api`): anything else is a 404, so a dropped sub-path fails. */
export function fakeSab(opts: { apiKey: string; prefix?: string; queue?: object[]; history?: object[] }): Promise<Fake> {
  const prefix = opts.prefix ?? '/sabnzbd';
  return startFake((req, res) => {
    if (req.path !== `${prefix}/api`) return send(res, 404, 'Not Found');
    let key = req.query.get('apikey');
    let mode = req.query.get('mode');
    if (req.method === 'POST') {
      const text = req.body.toString('latin1');
      const field = (name: string) => new RegExp(`name="${name}"\\r\\n\\r\\n([^\\r]*)`).exec(text)?.[1] ?? null;
      key = field('apikey');
      mode = field('mode');
    }
    if (key !== opts.apiKey) return send(res, 200, { status: false, error: 'API Key Incorrect' });
    switch (mode) {
      case 'queue':
        if (req.query.get('name')) return send(res, 200, { status: true });
        return send(res, 200, { queue: { slots: opts.queue ?? [] } });
      case 'history':
        return send(res, 200, { history: { slots: opts.history ?? [] } });
      case 'addurl':
      case 'addfile':
        return send(res, 200, { status: true, nzo_ids: ['SABnzbd_nzo_1'] });
      default:
        return send(res, 200, { status: false, error: 'not implemented' });
    }
  });
}

/** `listgroups` entries as NZBGet 21 answers them (the fields the adapter reads, sizes split in 32-bit halves). */
const NZBGET_GROUPS = [
  {
    NZBID: 7,
    NZBName: 'Heat.1995',
    Status: 'DOWNLOADING',
    Category: 'movies',
    FileSizeLo: 4,
    FileSizeHi: 1,
    RemainingSizeLo: 3221225475,
    RemainingSizeHi: 0,
    DownloadRate: 1000,
  },
  {
    NZBID: 8,
    NZBName: 'Ronin.1998',
    Status: 'PAUSED',
    Category: '',
    FileSizeLo: 100,
    FileSizeHi: 0,
    RemainingSizeLo: 100,
    RemainingSizeHi: 0,
    DownloadRate: 0,
  },
  { NZBID: 9, NZBName: 'Fetched', Status: 'FETCHING', Category: '' },
  { NZBID: 10, NZBName: 'Unpacking', Status: 'UNPACKING', Category: '', FileSizeLo: 50, FileSizeHi: 0, RemainingSizeLo: 0, RemainingSizeHi: 0 },
];
const NZBGET_HISTORY = [
  { NZBID: 3, Name: 'Alien', Status: 'SUCCESS/ALL', Kind: 'NZB', DestDir: '/dst/Alien', FinalDir: '', FileSizeLo: 1000, FileSizeHi: 0, HistoryTime: 1 },
  { NZBID: 4, Name: 'Alien.2', Status: 'SUCCESS/UNPACK', Kind: 'NZB', DestDir: '/dst/x', FinalDir: '/dst/movies/Alien.2' },
  { NZBID: 5, Name: 'Broken', Status: 'FAILURE/HEALTH', Kind: 'NZB', DestDir: '/dst/Broken' },
  { NZBID: 6, Name: 'Damaged', Status: 'WARNING/DAMAGED', Kind: 'NZB', DestDir: '/dst/Damaged' },
  { NZBID: 11, Name: 'Nowhere', Status: 'SUCCESS/ALL', Kind: 'NZB' },
];

/** NZBGet JSON-RPC at /jsonrpc with Basic auth. */
export function fakeNzbget(opts: { username: string; password: string }): Promise<Fake> {
  const expected = `Basic ${Buffer.from(`${opts.username}:${opts.password}`).toString('base64')}`;
  return startFake((req, res) => {
    if (req.path !== '/jsonrpc') return send(res, 404, 'Not Found');
    if (req.headers.authorization !== expected) return send(res, 401, 'Unauthorized');
    const call = JSON.parse(req.body.toString('utf8')) as { method: string; params: unknown[]; id: number };
    if (call.method === 'version') return send(res, 200, { version: '1.1', result: '24.3', id: call.id });
    if (call.method === 'append') return send(res, 200, { version: '1.1', result: 42, id: call.id });
    if (call.method === 'listgroups') return send(res, 200, { version: '1.1', result: NZBGET_GROUPS, id: call.id });
    if (call.method === 'history') return send(res, 200, { version: '1.1', result: NZBGET_HISTORY, id: call.id });
    if (call.method === 'editqueue') return send(res, 200, { version: '1.1', result: true, id: call.id });
    return send(res, 200, { version: '1.1', error: { code: -1, message: 'Invalid procedure' }, id: call.id });
  });
}

/** Accepts connections and requests, never answers. */
export function hangingServer(): Promise<Fake> {
  return startFake(() => {
    /* never respond */
  });
}

export function jsonRpcCalls(fake: Fake): { method: string; params: unknown[] }[] {
  return fake.requests.filter((r) => r.path === '/jsonrpc').map((r) => JSON.parse(r.body.toString('utf8')) as { method: string; params: unknown[] });
}

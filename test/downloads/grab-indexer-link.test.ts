import { afterEach, describe, expect, it } from 'vitest';
import { keyMarker } from '../../src/indexers/indexers.links.js';
import { type Fake, fakeSab } from '../download-clients/fakes.js';
import { type RouteCtx, routeCtx, SAB_KEY, saveDownloaders } from './route-helpers.js';

const PROWLARR_KEY = 'prowlarr-key-0123456789abcdef';

describe('grab of a link that came out of our indexer search', () => {
  let c: RouteCtx;
  let sab: Fake;
  afterEach(async () => {
    await c?.close();
    await sab?.close();
  });

  it('sends the client the link with the stored Prowlarr key restored, and records the marked link', async () => {
    c = await routeCtx('sqlite', 'db');
    sab = await fakeSab({ apiKey: SAB_KEY });
    await saveDownloaders(c, { sabnzbd: { enabled: true, baseUrl: `${sab.url}/sabnzbd`, apiKey: SAB_KEY } });
    const saved = await c.call({
      method: 'POST',
      url: '/api/indexers/prowlarr',
      token: c.admin,
      payload: { enabled: true, baseUrl: 'http://127.0.0.1:9', apiKey: PROWLARR_KEY },
    });
    expect(saved.statusCode).toBe(200);

    const marked = `http://127.0.0.1:9/1/download?apikey=${keyMarker('prowlarr')}&file=Heat`;
    const res = await c.call({
      method: 'POST',
      url: '/api/downloads/grab',
      token: c.user,
      payload: { kind: 'movie', id: 'm1', title: 'Heat', link: marked, protocol: 'usenet' },
    });
    expect(res.json()).toEqual({ ok: true, queued: true });
    const add = sab.requests.find((r) => r.query.get('mode') === 'addurl')!;
    expect(add.query.get('name')).toBe(`http://127.0.0.1:9/1/download?apikey=${PROWLARR_KEY}&file=Heat`);

    const last = await c.call({ method: 'GET', url: '/api/downloads/last?kind=movie&id=m1', token: c.user });
    expect(last.json().last.link).toBe(marked);
    expect(last.body).not.toContain(PROWLARR_KEY);
  });
});

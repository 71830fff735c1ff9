import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UpstreamError } from '../../src/errors.js';
import { createIndexersService } from '../../src/indexers/indexers.service.js';
import { createIndexersStore } from '../../src/indexers/indexers.store.js';
import { createQualityStore } from '../../src/quality/quality.store.js';
import { type StoreFixture, storeFixture } from '../downloaders/store-context.js';
import { type Fake, fakeProwlarr, hangingServer } from '../indexer-clients/fakes.js';

const P_KEY = 'prowlarr-service-key-0123456789';
const J_KEY = 'jackett-service-key-abcdefghij';

describe('indexers service timeouts', () => {
  let f: StoreFixture;
  let hang: Fake;
  let prowlarr: Fake;
  const logs: string[] = [];
  beforeAll(async () => {
    f = await storeFixture('sqlite', 'db');
    hang = await hangingServer();
    prowlarr = await fakeProwlarr({ apiKey: P_KEY });
  });
  afterAll(async () => {
    await Promise.all([hang.close(), prowlarr.close()]);
    await f.cleanup();
  });

  const service = () =>
    createIndexersService({
      indexers: createIndexersStore(f.ctx),
      quality: createQualityStore(f.ctx),
      log: { warn: (o, m) => logs.push(JSON.stringify({ ...o, msg: m })) },
      timeouts: { test: 200, sync: 200, search: 300 },
    });

  it('a hanging source times out in search; the other source still answers', async () => {
    const s = service();
    await s.saveSource('prowlarr', { enabled: true, baseUrl: prowlarr.url, apiKey: P_KEY });
    await s.saveSource('jackett', { enabled: true, baseUrl: hang.url, apiKey: J_KEY });
    const r = await s.search({ q: 'Heat' });
    expect(r.results).toHaveLength(4);
    expect(r.errors).toEqual([{ source: 'jackett', error: 'timeout after 300 ms' }]);
    expect(logs.join('\n')).toContain('indexer search failed');
  });

  it('a hanging source times out in sync (502) and in test', async () => {
    const s = service();
    await expect(s.sync('jackett')).rejects.toThrow(UpstreamError);
    await expect(s.sync('jackett')).rejects.toThrow('timeout after 200 ms');
    expect(await s.test('jackett', { baseUrl: hang.url, apiKey: J_KEY })).toEqual({ ok: false, error: 'timeout after 200 ms' });
    for (const key of [P_KEY, J_KEY]) expect(logs.join('\n')).not.toContain(key);
  });
});

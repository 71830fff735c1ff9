import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createIndexersJson } from '../../src/indexers/indexers.json.js';
import { createIndexersStore, type IndexersStore } from '../../src/indexers/indexers.store.js';
import type { IndexerConfig } from '../../src/indexers/indexers.types.js';
import { legacyDecrypt, legacyEncrypt, looksLegacyEncrypted } from '../../src/security/legacy-crypto.js';
import { LEGACY_KEY, type StoreFixture, storeBackends, storeFixture } from '../downloaders/store-context.js';

const P_KEY = 'prowlarr-key-0123456789abcdef0123';
const J_KEY = 'jackett-key-abcdefghijklmnopqrstu';
const OTHER_KEY = 'another-encryption-key-0123456789abcdef';

const manual: IndexerConfig = { id: 'm1', name: 'My NZB', type: 'manual', protocol: 'usenet', enabled: true, baseUrl: 'https://nzb.example' };
const prow: IndexerConfig = { id: 'prowlarr-3', name: 'NyaaSi', type: 'prowlarr', protocol: 'torrent', enabled: true, priority: 25 };
const jack: IndexerConfig = { id: 'jackett-1337x', name: '1337x', type: 'jackett', protocol: 'torrent', enabled: false };

function readFile(f: StoreFixture): Record<string, unknown> {
  return JSON.parse(readFileSync(join(f.configDir, 'indexers.json'), 'utf8'));
}

for (const b of storeBackends()) {
  describe(`indexers store (${b.label})`, () => {
    let f: StoreFixture;
    let store: IndexersStore;
    beforeEach(async () => {
      f = await storeFixture(b.engine, b.phase);
      store = createIndexersStore(f.ctx);
    });
    afterEach(async () => f.cleanup());

    /** In the dual phases the file must hold what the database holds. */
    async function expectFileMatches(): Promise<void> {
      if (b.phase === 'db') {
        expect(existsSync(join(f.configDir, 'indexers.json'))).toBe(false);
        return;
      }
      if (b.phase === 'files') return;
      const fromFile = await createIndexersJson({ configDir: f.configDir, legacyKey: LEGACY_KEY, log: f.ctx.log }).get();
      expect(fromFile).toStrictEqual(await store.get());
    }

    it('starts empty', async () => {
      expect(await store.get()).toStrictEqual({ indexers: [] });
      expect(await store.getSources()).toStrictEqual({});
      expect(await store.listIndexers()).toStrictEqual([]);
    });

    it('saves sources with plaintext keys in memory and encrypted at rest', async () => {
      const sources = {
        prowlarr: { enabled: true, baseUrl: 'http://p:9696', apiKey: P_KEY, syncEnabled: true },
        jackett: { enabled: false, apiKey: J_KEY },
        other: [1],
      };
      await store.saveSources(sources);
      expect(await store.getSources()).toStrictEqual(sources);
      expect(await store.get()).toStrictEqual({ ...sources, indexers: [] });
      if (b.phase !== 'db') {
        const file = readFile(f) as { prowlarr: { apiKey: string }; jackett: { apiKey: string } };
        expect(looksLegacyEncrypted(file.prowlarr.apiKey)).toBe(true);
        expect(legacyDecrypt(file.prowlarr.apiKey, LEGACY_KEY)).toBe(P_KEY);
        expect(legacyDecrypt(file.jackett.apiKey, LEGACY_KEY)).toBe(J_KEY);
        // saving the same key again does not churn the ciphertext
        await store.saveSources(sources);
        expect((readFile(f) as { prowlarr: { apiKey: string } }).prowlarr.apiKey).toBe(file.prowlarr.apiKey);
      }
      if (b.phase !== 'files') {
        const row = await f.tdb.db.kysely.selectFrom('settings').select('value').where('key', '=', 'indexers').executeTakeFirstOrThrow();
        expect(row.value).not.toContain(P_KEY);
        expect(row.value).toContain('enc:v1:');
      }
      await expectFileMatches();
    });

    it('adds, patches and removes entries in order', async () => {
      await store.addIndexer(manual);
      await store.addIndexer(prow);
      await store.addIndexer({ ...manual, id: 'm2', name: 'Second', apiKey: 'entry-key-1' });
      expect((await store.listIndexers()).map((i) => i.id)).toEqual(['m1', 'prowlarr-3', 'm2']);
      expect((await store.listIndexers())[2].apiKey).toBe('entry-key-1');
      const patched = await store.patchIndexer('prowlarr-3', { enabled: false, priority: 5, name: 'Nyaa' });
      expect(patched).toStrictEqual({ ...prow, enabled: false, priority: 5, name: 'Nyaa' });
      expect(await store.patchIndexer('nope', { enabled: false })).toBeUndefined();
      expect(await store.removeIndexer('m1')).toStrictEqual(manual);
      expect(await store.removeIndexer('m1')).toBeUndefined();
      expect((await store.listIndexers()).map((i) => i.id)).toEqual(['prowlarr-3', 'm2']);
      await expectFileMatches();
    });

    it('applies the legacy sync rules', async () => {
      await store.addIndexer(manual);
      await store.addIndexer(prow);
      await store.addIndexer(jack);
      const p2 = { ...prow, id: 'prowlarr-7', name: 'New' };
      await store.syncIndexers('prowlarr', [p2]);
      // Prowlarr sync keeps manual entries only (Jackett ones are dropped, as legacy)
      expect(await store.listIndexers()).toStrictEqual([manual, p2]);
      await store.syncIndexers('jackett', [jack]);
      expect(await store.listIndexers()).toStrictEqual([manual, p2, jack]);
      const j2 = { ...jack, id: 'jackett-rarbg', enabled: true };
      await store.syncIndexers('jackett', [j2]);
      expect(await store.listIndexers()).toStrictEqual([manual, p2, j2]);
      // a synced id that collides with a kept entry replaces it
      await store.syncIndexers('jackett', [{ ...jack, id: 'm1' }]);
      expect((await store.listIndexers()).map((i) => `${i.id}:${i.type}`)).toEqual(['prowlarr-7:prowlarr', 'm1:jackett']);
      await expectFileMatches();
    });

    it('replaces the whole document', async () => {
      const doc = { prowlarr: { enabled: true, apiKey: P_KEY }, x: { y: null }, indexers: [manual, { id: 'odd', name: 1, extra: true } as never] };
      await store.replaceDocument(doc);
      expect(await store.get()).toStrictEqual(doc);
      await expectFileMatches();
    });
  });
}

describe('indexers json store on legacy files', () => {
  let f: StoreFixture;
  beforeEach(async () => {
    f = await storeFixture('sqlite', 'files');
  });
  afterEach(async () => f.cleanup());

  it('reads ciphertext and plaintext legacy keys and keeps unknown keys on rewrite', async () => {
    const legacy = {
      prowlarr: { enabled: true, baseUrl: 'http://prowlarr:9696', apiKey: legacyEncrypt(P_KEY, LEGACY_KEY), syncEnabled: true },
      jackett: { enabled: true, baseUrl: 'http://jackett:9117', apiKey: J_KEY },
      indexers: [{ ...manual, weird: { a: 1 } }, prow],
      topLevelExtra: 'kept',
    };
    writeFileSync(join(f.configDir, 'indexers.json'), JSON.stringify(legacy, null, 2));
    const store = createIndexersStore(f.ctx);
    const doc = await store.get();
    expect(doc.prowlarr?.apiKey).toBe(P_KEY);
    expect(doc.jackett?.apiKey).toBe(J_KEY);
    await store.addIndexer(jack);
    const file = readFile(f) as typeof legacy;
    expect(file.topLevelExtra).toBe('kept');
    expect(file.indexers[0]).toStrictEqual({ ...manual, weird: { a: 1 } });
    expect(file.prowlarr.apiKey).toBe(legacy.prowlarr.apiKey);
    await store.saveSources({ ...(await store.getSources()) });
    const after = readFile(f) as typeof legacy;
    // the plaintext legacy key is encrypted on the next save; the ciphertext is kept
    expect(after.prowlarr.apiKey).toBe(legacy.prowlarr.apiKey);
    expect(legacyDecrypt(after.jackett.apiKey, LEGACY_KEY)).toBe(J_KEY);
    expect(Object.keys(after)).toEqual(['prowlarr', 'jackett', 'indexers', 'topLevelExtra']);
    expect(readFileSync(join(f.configDir, 'indexers.json'), 'utf8').endsWith('\n')).toBe(false);
  });

  it('keeps `__proto__` keys (top level and in a source) on rewrite', async () => {
    const text = `{"prowlarr":{"enabled":true,"baseUrl":"http://prowlarr:9696","__proto__":{"polluted":1}},"indexers":[],"__proto__":{"top":2}}`;
    writeFileSync(join(f.configDir, 'indexers.json'), text);
    const store = createIndexersStore(f.ctx);
    await store.saveSources({ ...(await store.getSources()) });
    const after = readFileSync(join(f.configDir, 'indexers.json'), 'utf8');
    const parsed = JSON.parse(after) as Record<string, unknown>;
    expect(Object.getOwnPropertyDescriptor(parsed, '__proto__')?.value).toEqual({ top: 2 });
    expect(Object.getOwnPropertyDescriptor(parsed.prowlarr as object, '__proto__')?.value).toEqual({ polluted: 1 });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('keeps an undecryptable key raw and warns without the value', async () => {
    const raw = legacyEncrypt(P_KEY, OTHER_KEY);
    writeFileSync(join(f.configDir, 'indexers.json'), JSON.stringify({ prowlarr: { enabled: true, apiKey: raw }, indexers: [manual] }));
    const store = createIndexersStore(f.ctx);
    const doc = await store.get();
    expect(doc.indexers).toStrictEqual([manual]); // legacy dropped the whole file here
    expect(doc.prowlarr?.apiKey).toBe(raw);
    expect(f.warnings.join('\n')).toContain('apiKey kept as stored');
    expect(f.warnings.join('\n')).not.toContain(raw);
    await store.saveSources(await store.getSources());
    expect((readFile(f) as { prowlarr: { apiKey: string } }).prowlarr.apiKey).toBe(raw);
  });
});

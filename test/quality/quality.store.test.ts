import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createQualityJson } from '../../src/quality/quality.json.js';
import { createQualityStore, type QualityStore } from '../../src/quality/quality.store.js';
import { defaultQualityProfiles, type QualityProfile } from '../../src/quality/quality.types.js';
import { type StoreFixture, storeBackends, storeFixture } from '../downloaders/store-context.js';

const kids: QualityProfile = {
  id: 'mwu9juiqfyh5',
  name: 'Kids 720p',
  upgradeAllowed: true,
  cutoff: '720p',
  qualities: [{ quality: '720p', allowed: true, preferred: true }],
  maxSize: 4000,
};
const MAP = { movie: { allowed: ['1080p', '2160p'], cutoff: '2160p' }, series: { allowed: ['720p', '1080p'], cutoff: '1080p' } };

for (const b of storeBackends()) {
  describe(`quality store (${b.label})`, () => {
    let f: StoreFixture;
    let store: QualityStore;
    const defaults = defaultQualityProfiles();
    beforeEach(async () => {
      f = await storeFixture(b.engine, b.phase);
      store = createQualityStore(f.ctx);
    });
    afterEach(async () => f.cleanup());

    const profilesPath = () => join(f.configDir, 'quality-profiles.json');

    async function expectFilesMatch(): Promise<void> {
      if (b.phase === 'db') {
        expect(existsSync(profilesPath())).toBe(false);
        expect(existsSync(join(f.configDir, 'quality.json'))).toBe(false);
        return;
      }
      if (b.phase === 'files') return;
      const json = createQualityJson({ configDir: f.configDir });
      expect(await json.listProfiles()).toStrictEqual(await store.listProfiles());
      expect(await json.getMap()).toStrictEqual(await store.getMap());
    }

    it('has no map and no profiles file at first', async () => {
      expect(await store.getMap()).toBeUndefined();
      expect(await store.listProfiles()).toBeUndefined();
    });

    it('stores the map verbatim, whatever it holds', async () => {
      await store.saveMap(MAP);
      expect(await store.getMap()).toStrictEqual(MAP);
      await store.saveMap(['odd', 1]);
      expect(await store.getMap()).toStrictEqual(['odd', 1]);
      await store.saveMap({});
      expect(await store.getMap()).toStrictEqual({});
      await expectFilesMatch();
    });

    it('materialises the defaults on the first write to a missing file', async () => {
      await store.addProfile(kids, defaults);
      expect(await store.listProfiles()).toStrictEqual([...defaults, kids]);
      if (b.phase !== 'db') expect(JSON.parse(readFileSync(profilesPath(), 'utf8'))).toStrictEqual({ profiles: [...defaults, kids] });
      await expectFilesMatch();
    });

    it('patches and removes (a missing file starts from the defaults; not found writes nothing)', async () => {
      expect(await store.patchProfile('nope', { name: 'x' }, defaults)).toBeUndefined();
      expect(await store.listProfiles()).toBeUndefined();
      const patched = await store.patchProfile('any', { name: 'Anything', minSize: 10 }, defaults);
      expect(patched).toStrictEqual({ ...defaults[2], name: 'Anything', minSize: 10 });
      expect((await store.listProfiles())?.map((p) => p.id)).toEqual(['hd-1080p', 'ultra-hd', 'any', 'sd-only']);
      const cleared = await store.patchProfile('any', { minSize: null }, defaults);
      expect(cleared).toStrictEqual({ ...defaults[2], name: 'Anything' });
      expect(await store.removeProfile('ultra-hd', defaults)).toStrictEqual(defaults[1]);
      expect(await store.removeProfile('ultra-hd', defaults)).toBeUndefined();
      expect((await store.listProfiles())?.map((p) => p.id)).toEqual(['hd-1080p', 'any', 'sd-only']);
      await expectFilesMatch();
    });

    it('replaces the list; [] is a real (empty) list', async () => {
      await store.replaceProfiles([kids]);
      expect(await store.listProfiles()).toStrictEqual([kids]);
      await store.replaceProfiles([]);
      expect(await store.listProfiles()).toStrictEqual([]);
      await store.addProfile(kids, defaults);
      expect(await store.listProfiles()).toStrictEqual([kids]);
      await expectFilesMatch();
    });
  });
}

describe('quality json store on legacy files', () => {
  let f: StoreFixture;
  beforeEach(async () => {
    f = await storeFixture('sqlite', 'files');
  });
  afterEach(async () => f.cleanup());

  it('serves [] when profiles is not a list, and keeps other top-level keys on write', async () => {
    writeFileSync(join(f.configDir, 'quality-profiles.json'), JSON.stringify({ profiles: 'broken', note: 'keep me' }));
    const store = createQualityStore(f.ctx);
    expect(await store.listProfiles()).toStrictEqual([]);
    await store.addProfile(kids, defaultQualityProfiles());
    const file = JSON.parse(readFileSync(join(f.configDir, 'quality-profiles.json'), 'utf8'));
    expect(file).toStrictEqual({ profiles: [kids], note: 'keep me' });
    const text = readFileSync(join(f.configDir, 'quality-profiles.json'), 'utf8');
    expect(text).toBe(JSON.stringify(file, null, 2));
  });

  it('reads the map file as it is', async () => {
    writeFileSync(join(f.configDir, 'quality.json'), JSON.stringify(MAP, null, 2));
    expect(await createQualityStore(f.ctx).getMap()).toStrictEqual(MAP);
  });
});

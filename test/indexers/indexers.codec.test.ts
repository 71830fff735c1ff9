import { describe, expect, it } from 'vitest';
import {
  type IndexerRow,
  indexerFromRow,
  indexerSourcesFromDoc,
  indexerSourcesFromRow,
  indexerSourcesToDoc,
  indexerSourcesToRow,
  indexerToRow,
  type LegacyIndexer,
  legacyIndexerSchema,
  legacyIndexersFileSchema,
  openLegacyIndexerSources,
  sealLegacyIndexerSources,
} from '../../src/indexers/indexers.codec.js';
import { createIndexersSql } from '../../src/indexers/indexers.sql.js';
import { legacyDecrypt, legacyEncrypt, looksLegacyEncrypted } from '../../src/security/legacy-crypto.js';
import { createSecretBox } from '../../src/security/secret-box.js';
import { createTestDatabase, sqlEngines } from '../helpers/engines.js';

const KEY = 'test-encryption-key-0123456789abcdef';
const OTHER_KEY = 'another-encryption-key-0123456789abcdef';
const box = createSecretBox(KEY);
const PROWLARR_KEY = 'prowlarr0123456789abcdef01234567';
const JACKETT_KEY = 'jackettkeyabcdefghijklmnopqrstuv';

const ENTRIES: LegacyIndexer[] = [
  { id: '8bwsyh696yq', name: 'My NZB', type: 'manual', protocol: 'usenet', enabled: true, baseUrl: 'https://nzb.example', priority: 10 },
  { id: 'prowlarr-3', name: 'NyaaSi', type: 'prowlarr', protocol: 'torrent', enabled: true, priority: 25 },
  { id: 'jackett-1337x', name: '1337x', type: 'jackett', protocol: 'torrent', enabled: false },
  { id: 'both-1', name: '  spaced Title  ', type: 'manual', protocol: 'both', enabled: true, apiKey: 'manual-key-abc' },
  // wrongly typed and missing known keys, unknown keys, explicit nulls
  { id: 'odd', name: 42, type: 'newznab', protocol: null, enabled: 'yes', priority: '10', baseUrl: 7, extra: { deep: [1, 2] } },
  { id: 'bare' },
  { id: 'big', name: 'B', type: 'manual', protocol: 'torrent', enabled: true, priority: 1.5, apiKey: 5, note: null },
  { id: 'huge', name: 'H', type: 'manual', protocol: 'torrent', enabled: true, priority: 99_999_999_999 },
];

function asRow(row: ReturnType<typeof indexerToRow>): IndexerRow {
  return {
    id: row.id,
    name: row.name,
    type: row.type,
    protocol: row.protocol,
    base_url: row.base_url ?? null,
    encrypted_api_key: row.encrypted_api_key ?? null,
    enabled: row.enabled,
    priority: row.priority ?? null,
    config: row.config ?? null,
  };
}

describe('indexers codec', () => {
  it('round-trips every entry exactly', () => {
    ENTRIES.forEach((e, i) => {
      expect(legacyIndexerSchema.safeParse(e).success).toBe(true);
      const row = indexerToRow(e, box, i);
      expect(row.position).toBe(i);
      expect(indexerFromRow(asRow(row), box)).toStrictEqual(e);
    });
  });

  it('puts known keys in columns, seals an entry apiKey and keeps the rest in config', () => {
    const row = indexerToRow(ENTRIES[0], box, 0);
    expect(row).toMatchObject({
      id: '8bwsyh696yq',
      name: 'My NZB',
      type: 'manual',
      protocol: 'usenet',
      enabled: true,
      base_url: 'https://nzb.example',
      priority: 10,
      config: null,
    });
    const withKey = indexerToRow(ENTRIES[3], box, 3);
    expect(box.isSealed(withKey.encrypted_api_key)).toBe(true);
    expect(JSON.stringify(withKey)).not.toContain('manual-key-abc');
    const odd = indexerToRow(ENTRIES[4], box, 4);
    expect(JSON.parse(odd.config as string)).toStrictEqual({
      extra: { deep: [1, 2] },
      name: 42,
      type: 'newznab',
      protocol: null,
      enabled: 'yes',
      baseUrl: 7,
      priority: '10',
    });
    const bare = indexerToRow(ENTRIES[5], box, 5);
    expect(JSON.parse(bare.config as string)).toStrictEqual({ $absent: ['name', 'type', 'protocol', 'enabled'] });
  });

  it('keeps the legacy key order on the way back', () => {
    const e = { priority: 3, id: 'x', enabled: true, protocol: 'torrent', type: 'manual', name: 'N', zzz: 1 };
    expect(Object.keys(indexerFromRow(asRow(indexerToRow(e, box, 0)), box))).toEqual(['id', 'name', 'type', 'protocol', 'enabled', 'priority', 'zzz']);
  });

  it('rejects entries without a string id (the importer quarantines them)', () => {
    expect(legacyIndexerSchema.safeParse({ name: 'x' }).success).toBe(false);
    expect(legacyIndexerSchema.safeParse({ id: 3 }).success).toBe(false);
    expect(legacyIndexersFileSchema.safeParse({ indexers: {} }).success).toBe(false);
    expect(legacyIndexersFileSchema.safeParse({ prowlarr: { enabled: true }, indexers: [1], other: 2 }).success).toBe(true);
  });

  it('maps the sources document with apiKeys sealed, exactly reversible', () => {
    const top = {
      prowlarr: { enabled: true, baseUrl: 'http://prowlarr:9696', apiKey: PROWLARR_KEY, syncEnabled: true, custom: 1 },
      jackett: { enabled: false, apiKey: '' },
      indexers: [ENTRIES[0]],
      somethingElse: { a: [1] },
    };
    const doc = indexerSourcesToDoc(top, box);
    expect('indexers' in doc).toBe(false);
    expect(box.isSealed((doc.prowlarr as { apiKey: string }).apiKey)).toBe(true);
    expect(JSON.stringify(doc)).not.toContain(PROWLARR_KEY);
    const { indexers: _drop, ...rest } = top;
    expect(indexerSourcesFromDoc(doc, box)).toStrictEqual(rest);
    const row = indexerSourcesToRow(top, box);
    expect(row.key).toBe('indexers');
    expect(indexerSourcesFromRow({ value: row.value }, box)).toStrictEqual(rest);
    // non-object sources and odd apiKeys survive as they are
    const odd = { prowlarr: 'x', jackett: { apiKey: 12 } };
    expect(indexerSourcesFromDoc(indexerSourcesToDoc(odd, box), box)).toStrictEqual(odd);
  });

  it('opens legacy ciphertext and plaintext apiKeys; keeps undecryptable ones raw and reports them', async () => {
    const top = {
      prowlarr: { enabled: true, baseUrl: 'http://p', apiKey: legacyEncrypt(PROWLARR_KEY, KEY), syncEnabled: true },
      jackett: { enabled: true, baseUrl: 'http://j', apiKey: JACKETT_KEY },
      indexers: [],
    };
    const opened = await openLegacyIndexerSources(top, KEY);
    expect(opened.problems).toEqual([]);
    expect(opened.sources.prowlarr?.apiKey).toBe(PROWLARR_KEY);
    expect(opened.sources.jackett?.apiKey).toBe(JACKETT_KEY);
    expect('indexers' in opened.sources).toBe(false);

    const wrong = await openLegacyIndexerSources(top, OTHER_KEY);
    expect(wrong.problems).toEqual([{ source: 'prowlarr', reason: expect.any(String) }]);
    expect(wrong.sources.prowlarr?.apiKey).toBe(top.prowlarr.apiKey);
    expect(JSON.stringify(wrong.problems)).not.toContain(top.prowlarr.apiKey);
  });

  it('seals for the legacy file, reusing an unchanged ciphertext', async () => {
    const cache = new Map<string, string>();
    const sources = { prowlarr: { enabled: true, apiKey: PROWLARR_KEY }, jackett: { enabled: false } };
    const sealed = await sealLegacyIndexerSources(sources, KEY, undefined, cache);
    const cipher = (sealed.prowlarr as { apiKey: string }).apiKey;
    expect(looksLegacyEncrypted(cipher)).toBe(true);
    expect(legacyDecrypt(cipher, KEY)).toBe(PROWLARR_KEY);
    const again = await sealLegacyIndexerSources(sources, KEY, sealed, cache);
    expect((again.prowlarr as { apiKey: string }).apiKey).toBe(cipher);
    expect(again.jackett).toStrictEqual({ enabled: false });
  });

  for (const engine of sqlEngines()) {
    it(`stores and reads rows on ${engine} exactly`, async () => {
      const tdb = await createTestDatabase(engine);
      try {
        const sql = createIndexersSql(tdb.db.kysely, box);
        const top = { prowlarr: { enabled: true, apiKey: PROWLARR_KEY }, other: [1, { x: null }] };
        await sql.replaceDocument({ ...top, indexers: ENTRIES as never });
        const doc = await sql.get();
        expect(doc).toStrictEqual({ ...top, indexers: ENTRIES });
        const raw = await tdb.db.kysely.selectFrom('settings').select('value').where('key', '=', 'indexers').executeTakeFirstOrThrow();
        expect(raw.value).not.toContain(PROWLARR_KEY);
      } finally {
        await tdb.cleanup();
      }
    });
  }
});

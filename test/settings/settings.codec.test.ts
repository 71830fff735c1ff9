import { describe, expect, it } from 'vitest';
import { legacyDecrypt, legacyEncrypt } from '../../src/security/legacy-crypto.js';
import { createSecretBox } from '../../src/security/secret-box.js';
import {
  legacySettingsDocumentSchema,
  openLegacyDocumentSecrets,
  sealLegacyDocumentSecrets,
  settingsFromRow,
  settingsToRow,
} from '../../src/settings/settings.codec.js';

const KEY = 'test-encryption-key-0123456789abcdef';
const box = createSecretBox(KEY);
const TMDB = 'tmdb-plain-key-1234567890abcdef';

const documents: [string, Record<string, unknown>][] = [
  [
    'settings',
    {
      setupCompleted: true,
      mediaFolders: [{ path: 'C:\\TestMedia\\Movies', type: 'movies', enabled: true }],
      lastScanDate: '2025-01-01T00:00:00.000Z',
      openSubtitlesApiKey: 'os-key',
      custom: { deep: [1, null] },
    },
  ],
  ['verify', { minDurationSec: 300, minBitrateKbpsByHeight: { '480': 600, '720': 1500 }, allowedContainers: ['mkv'], extraKnob: true }],
  ['metadata', { tmdb: { apiKey: TMDB, language: 'en-GB', includeAdult: false, other: 1 }, musicbrainz: { enabled: true }, later: 'x' }],
  ['metadata', { tmdb: { language: 'en-US' } }],
  ['metadata', { tmdb: { apiKey: '' }, musicbrainz: { enabled: false } }],
  ['organizer', { destinations: { movies: '/media/movies' }, defaultOperation: 'copy', namingConfig: { anything: ['goes'] }, unknownTop: null }],
  ['subtitle-automation', { enabled: false, preferredLanguages: ['en', 'es'], whisperModel: 'large', mine: 'kept' }],
  ['monitor', { sab: { done: ['SABnzbd_nzo_ab12cd'] }, other: { a: 1 } }],
  ['settings', {}],
];

describe('settings codec', () => {
  it.each(documents)('round-trips %s documents with unknown keys', (key, doc) => {
    const row = settingsToRow(key, doc, box);
    expect(row.key).toBe(key);
    expect(settingsFromRow({ key, value: row.value as string }, box).value).toEqual(doc);
  });

  it('seals the TMDB key and the OpenSubtitles key inside the stored JSON, nothing else', () => {
    const meta = settingsToRow('metadata', documents[2][1], box);
    expect(meta.value).not.toContain(TMDB);
    const stored = JSON.parse(meta.value as string);
    expect(box.isSealed(stored.tmdb.apiKey)).toBe(true);
    expect(stored.tmdb.language).toBe('en-GB');
    const app = JSON.parse(settingsToRow('settings', documents[0][1], box).value as string);
    expect(box.isSealed(app.openSubtitlesApiKey)).toBe(true);
  });

  it('does not mutate its input and leaves documents of other domains alone', () => {
    const doc = { tmdb: { apiKey: TMDB } };
    settingsToRow('metadata', doc, box);
    expect(doc.tmdb.apiKey).toBe(TMDB);
    const other = { profiles: [{ id: 'x', apiKey: 'not-ours' }] };
    expect(JSON.parse(settingsToRow('quality-profiles', other, box).value as string)).toEqual(other);
    expect(settingsFromRow({ key: 'quality', value: '[1,2]' }, box).value).toEqual([1, 2]);
  });

  it('validates legacy documents: objects only, secret fields are strings', () => {
    expect(legacySettingsDocumentSchema('verify').safeParse({ a: 1 }).success).toBe(true);
    expect(legacySettingsDocumentSchema('verify').safeParse([1]).success).toBe(false);
    expect(legacySettingsDocumentSchema('organizer').safeParse(null).success).toBe(false);
    expect(legacySettingsDocumentSchema('metadata').safeParse({ tmdb: { apiKey: 5 } }).success).toBe(false);
    const parsed = legacySettingsDocumentSchema('metadata').parse({ tmdb: { apiKey: 'k', x: 1 }, y: 2 });
    expect(parsed).toEqual({ tmdb: { apiKey: 'k', x: 1 }, y: 2 });
  });

  it('opens legacy ciphertext and plaintext TMDB keys, and reports an undecryptable one without dropping it', async () => {
    const enc = legacyEncrypt(TMDB, KEY);
    const a = await openLegacyDocumentSecrets('metadata', { tmdb: { apiKey: enc, language: 'fr' } }, KEY);
    expect(a).toEqual({ value: { tmdb: { apiKey: TMDB, language: 'fr' } }, undecryptable: [] });
    const b = await openLegacyDocumentSecrets('metadata', { tmdb: { apiKey: 'short-plain' } }, KEY);
    expect(b.value).toEqual({ tmdb: { apiKey: 'short-plain' } });
    const wrong = legacyEncrypt(TMDB, 'another-encryption-key-0123456789abcdef');
    const c = await openLegacyDocumentSecrets('metadata', { tmdb: { apiKey: wrong } }, KEY);
    expect(c.undecryptable).toEqual(['tmdb.apiKey']);
    expect(c.value).toEqual({ tmdb: { apiKey: wrong } });
    // settings.json keeps its OpenSubtitles key in plaintext in the legacy file
    const d = await openLegacyDocumentSecrets('settings', { openSubtitlesApiKey: 'x'.repeat(100) }, KEY);
    expect(d.value).toEqual({ openSubtitlesApiKey: 'x'.repeat(100) });
  });

  it('seals for the legacy file the way the legacy server does', async () => {
    const sealed = await sealLegacyDocumentSecrets('metadata', { tmdb: { apiKey: TMDB, language: 'en-US' }, musicbrainz: { enabled: true } }, KEY);
    const apiKey = (sealed.tmdb as { apiKey: string }).apiKey;
    expect(apiKey).not.toBe(TMDB);
    expect(legacyDecrypt(apiKey, KEY)).toBe(TMDB);
    const kept = await sealLegacyDocumentSecrets('metadata', { tmdb: { apiKey: 'raw-cipher' } }, KEY, new Set(['raw-cipher']));
    expect(kept).toEqual({ tmdb: { apiKey: 'raw-cipher' } });
    const plain = await sealLegacyDocumentSecrets('settings', { openSubtitlesApiKey: 'os' }, KEY);
    expect(plain).toEqual({ openSubtitlesApiKey: 'os' });
  });
});

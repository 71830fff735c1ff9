import { describe, expect, it } from 'vitest';
import { foldForSearch, type LibraryRow, legacyLibraryItemSchema, libraryItemFromRow, libraryItemToRow } from '../../src/library/library.codec.js';
import { compareUtf8, foldUnicode, matchesTokens, searchTokens } from '../../src/library/library.search.js';
import type { LibraryItem } from '../../src/library/library.types.js';

const roundTrip = (r: LibraryItem) => libraryItemFromRow(libraryItemToRow(r) as LibraryRow);

const samples: LibraryItem[] = [
  { id: 'mwu9ju2vx4sap4', kind: 'movie', title: 'Heat' },
  {
    id: 'm3x8k2p1q9z4fa',
    kind: 'movie',
    title: 'Heat',
    posterUrl: 'https://images.example.net/heat/poster.jpg',
    backgroundUrl: 'https://images.example.net/heat/bg.jpg',
    year: 1995,
    quality: '1080p',
    source: 'BluRay',
    filePath: '/media/movies/Heat (1995)/Heat.1995.1080p.BluRay.x264.mkv',
    fileSize: 9876543210,
    metadata: { originalFilename: 'Heat.1995.1080p.BluRay.x264.mkv', codec: 'x264', nested: { a: [1, null, 'x'] } },
  },
  { id: 'the-wire', kind: 'series', title: 'The Wire', metadata: { season: 1, episode: 3, episodeTitle: '' } },
  // unknown keys, misfits and explicit nulls
  {
    id: 'odd',
    kind: 'book',
    title: '  spaced  ',
    path: '/x',
    year: '1995' as unknown as number,
    fileSize: 1.5,
    posterUrl: null as unknown as string,
    metadata: [1, 2] as unknown as Record<string, unknown>,
    quality: 7 as unknown as string,
    custom: { deep: true },
  },
  // emoji, NFD and NFC titles, byte for byte
  { id: 'e1', kind: 'music', title: 'Björk 🎵 – Homogenic' },
  { id: 'e2', kind: 'movie', title: 'Ame\u0301lie' },
  { id: 'e3', kind: 'movie', title: 'Am\u00e9lie' },
  { id: 'big', kind: 'movie', title: 'Big year', year: 3_000_000_000, fileSize: Number.MAX_SAFE_INTEGER },
  { id: '', kind: 'movie', title: '' },
];

describe('library codec', () => {
  it.each(samples.map((s) => [s.id || '(empty)', s]))('round-trips %s', (_name, item) => {
    expect(legacyLibraryItemSchema.safeParse(item).success).toBe(true);
    expect(roundTrip(item)).toStrictEqual(item);
  });

  it('keeps a "__proto__" key as an own key', () => {
    const item = JSON.parse('{"id":"p","kind":"movie","title":"P","__proto__":{"x":1}}') as LibraryItem;
    const back = roundTrip(item);
    expect(Object.hasOwn(back, '__proto__')).toBe(true);
    expect(JSON.stringify(back)).toBe(JSON.stringify(item));
  });

  it('maps known keys to columns and misfits to extra', () => {
    const row = libraryItemToRow(samples[3]);
    expect(row.title).toBe('  spaced  ');
    expect(row.title_lower).toBe('  spaced  ');
    expect(row.year).toBeNull();
    expect(row.file_size).toBeNull();
    expect(JSON.parse(row.extra as string)).toEqual({
      path: '/x',
      year: '1995',
      fileSize: 1.5,
      posterUrl: null,
      metadata: [1, 2],
      quality: 7,
      custom: { deep: true },
    });
    expect(libraryItemToRow(samples[0]).extra).toBeNull();
  });

  it('keeps titles byte for byte (NFD and NFC differ) while search text folds both', () => {
    const nfd = libraryItemToRow(samples[5]);
    const nfc = libraryItemToRow(samples[6]);
    expect(Buffer.from(roundTrip(samples[5]).title)).toEqual(Buffer.from('Ame\u0301lie'));
    expect(nfd.title).not.toBe(nfc.title);
    expect(nfd.search_text).toBe('amelie');
    expect(nfc.search_text).toBe('amelie');
  });

  it('rejects records the importer must quarantine', () => {
    expect(legacyLibraryItemSchema.safeParse({ id: 1, kind: 'movie', title: 'x' }).success).toBe(false);
    expect(legacyLibraryItemSchema.safeParse({ id: 'a', kind: 'movies', title: 'x' }).success).toBe(false);
    expect(legacyLibraryItemSchema.safeParse({ id: 'a', kind: 'movie' }).success).toBe(false);
  });
});

describe('search folding', () => {
  it('folds diacritics, case and punctuation into plain tokens', () => {
    expect(foldForSearch('Amélie')).toBe('amelie');
    expect(foldForSearch('Spider-Man: No Way Home (2021)')).toBe('spider man no way home 2021');
    expect(foldForSearch('Łódź Straße Øre İstanbul')).toBe('lodz strasse ore istanbul');
    expect(foldForSearch('🎵🎵')).toBe('');
    expect(foldForSearch('千と千尋の神隠し')).toBe('千と千尋の神隠し');
  });

  it('folds ASCII titles by its shortcut exactly as the Unicode passes do', () => {
    for (let a = 0; a < 128; a++) {
      for (let b = 0; b < 128; b++) {
        const title = `${String.fromCharCode(a)}Ab-9 ${String.fromCharCode(b)}`;
        expect(foldForSearch(title), JSON.stringify(title)).toBe(foldUnicode(title));
      }
    }
    expect(foldForSearch('  The WIRE: S01E02 (2002) ')).toBe('the wire s01e02 2002');
  });

  it('turns a query into prefix tokens and matches like the engines', () => {
    expect(searchTokens('  Ame  "wo*')).toEqual(['ame', 'wo']);
    expect(searchTokens('!!!')).toEqual([]);
    expect(matchesTokens('spider man no way home', ['spi', 'ho'])).toBe(true);
    expect(matchesTokens('spider man no way home', ['pider'])).toBe(false);
  });

  it('compares in UTF-8 byte order', () => {
    const a = '\uffff';
    const b = '\u{1F600}';
    expect(compareUtf8(a, b)).toBeLessThan(0);
    expect(Buffer.compare(Buffer.from(a), Buffer.from(b))).toBeLessThan(0);
    expect(compareUtf8('abc', 'abd')).toBeLessThan(0);
    expect(compareUtf8('ab', 'abc')).toBeLessThan(0);
  });
});

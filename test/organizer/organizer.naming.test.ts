import { describe, expect, it } from 'vitest';
import { cleanName, renderName, renderTemplate } from '../../src/organizer/organizer.naming.js';

describe('organizer naming templates', () => {
  it('pads, scopes and tidies what empty tokens leave behind', () => {
    expect(renderTemplate('{Track:00} - {Title}{Extension}', 'music', { title: 'Money', extension: 'flac' })).toBe('Money.flac');
    expect(renderTemplate('{Track:000} - {Title}{Extension}', 'music', { title: 'Money', track: 6, extension: '.flac' })).toBe('006 - Money.flac');
    expect(renderTemplate('{Movie.CleanTitle} ({Year}){Quality}{Extension}', 'movie', { title: 'Heat', extension: 'mkv' })).toBe('Heat.mkv');
    expect(renderTemplate('{movie.cleantitle} ({YEAR})', 'movie', { title: 'Heat', year: 1995 })).toBe('Heat (1995)');
    expect(renderTemplate('{Unknown.Token}{Title}', 'book', { title: 'Dune' })).toBe('Dune');
    expect(renderTemplate('S{Season:xx}', 'series', { title: 'X', season: 3 })).toBe('S3');
    expect(cleanName(' a/b\\c:d*e?f"g<h>i|j\u0001 ')).toBe('a b c d e f g h i j');
  });

  it('keeps every segment one safe name and falls back to defaults for a broken config', () => {
    const r = renderName('movie', { title: '..', extension: 'mkv' }, { movies: { folderFormat: '{Title}', fileFormat: '' } });
    expect(r.folders).toEqual([]);
    expect(r.filename).toBe('Untitled.mkv');
    const d = renderName('series', { title: 'Show', season: 1, episode: 2 }, 'not an object');
    expect(d).toEqual({ folders: ['Show', 'Season 01'], filename: 'Show - S01E02' });
    const b = renderName('book', { title: 'Dune', author: 'Frank Herbert', extension: 'epub' }, { books: null });
    expect(b).toEqual({ folders: ['Frank Herbert'], filename: 'Dune.epub' });
  });
});

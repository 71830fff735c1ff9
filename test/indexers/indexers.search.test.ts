import { describe, expect, it } from 'vitest';
import type { RawHit } from '../../src/indexer-clients/hits.js';
import { keyMarker, redactIndexerLink, resolveIndexerLink } from '../../src/indexers/indexers.links.js';
import { allowedQualities, detectQuality, filterAndSort, formatSize } from '../../src/indexers/indexers.search.js';

const GB = 1024 ** 3;
const MB = 1024 ** 2;

const hits: RawHit[] = [
  { title: 'A 1080p', size: 1.4 * GB, seeders: 5, link: 'magnet:a', protocol: 'torrent' },
  { title: 'B 2160p', size: 40 * GB, seeders: 50, link: 'magnet:b', protocol: 'torrent' },
  { title: 'C 720p', size: 700 * MB, link: 'http://nzb/c', protocol: 'usenet' },
  { title: 'D 4K remux', size: 60 * GB, seeders: 0, link: 'magnet:d', protocol: 'torrent' },
  { title: 'E nothing', link: 'magnet:e', protocol: 'torrent', seeders: 5, publishDate: 'Tue, 02 Jan 2024 03:04:05 +0000' },
];

describe('search formatting and filters', () => {
  it('formats sizes 1024-based with one decimal', () => {
    expect(formatSize(1.4 * GB)).toBe('1.4GB');
    expect(formatSize(1503238554)).toBe('1.4GB');
    expect(formatSize(700 * MB)).toBe('700.0MB');
    expect(formatSize(512)).toBe('512B');
    expect(formatSize(1024)).toBe('1.0KB');
    expect(formatSize(3 * 1024 ** 4)).toBe('3.0TB');
    expect(formatSize(undefined)).toBe('0B');
    expect(formatSize(0)).toBe('0B');
  });

  it('detects the title quality like legacy', () => {
    expect(detectQuality('Movie.2160p.UHD')).toBe('2160p');
    expect(detectQuality('Movie 4K HDR')).toBe('2160p');
    expect(detectQuality('Movie 4Kids 1080p')).toBe('1080p');
    expect(detectQuality('x 720P y')).toBe('720p');
    expect(detectQuality('x 480p')).toBe('480p');
    expect(detectQuality('plain')).toBeUndefined();
  });

  it('reads the allowed list leniently from the unvalidated map', () => {
    expect(allowedQualities({ movie: { allowed: ['1080P', 3, '720p'] } }, 'movie')).toEqual(new Set(['1080p', '720p']));
    expect(allowedQualities({ movie: { allowed: 'x' } }, 'movie')).toBeUndefined();
    expect(allowedQualities({}, 'movie')).toBeUndefined();
    expect(allowedQualities(['movie'], 'movie')).toBeUndefined();
    expect(allowedQualities({ movie: {} }, undefined)).toBeUndefined();
    expect(allowedQualities({}, 'toString')).toBeUndefined();
  });

  it('sorts by seeders (stable) and shapes results in the legacy key order', () => {
    const r = filterAndSort(hits, { q: 'xx' }, undefined);
    expect(r.map((x) => x.title)).toEqual(['B 2160p', 'A 1080p', 'E nothing', 'C 720p', 'D 4K remux']);
    expect(Object.keys(r[0])).toEqual(['title', 'size', 'seeders', 'link', 'protocol']);
    expect(r[2]).toStrictEqual({ title: 'E nothing', size: '0B', seeders: 5, link: 'magnet:e', protocol: 'torrent', publishDate: '2024-01-02T03:04:05.000Z' });
  });

  it('applies protocol, seeders, size and quality filters', () => {
    const titles = (b: object, map?: unknown) => filterAndSort(hits, { q: 'xx', ...b }, map).map((x) => x.title);
    expect(titles({ protocol: 'usenet' })).toEqual(['C 720p']);
    expect(titles({ protocol: 'any' })).toHaveLength(5);
    expect(titles({ minSeeders: 5 })).toEqual(['B 2160p', 'A 1080p', 'E nothing', 'C 720p']); // usenet passes
    expect(titles({ minSizeMB: 1024 })).toEqual(['B 2160p', 'A 1080p', 'D 4K remux']);
    expect(titles({ maxSizeMB: 1500 })).toEqual(['A 1080p', 'E nothing', 'C 720p']);
    expect(titles({ maxSizeMB: 0 })).toHaveLength(5);
    const map = { movie: { allowed: ['2160p', '720p'], cutoff: '2160p' } };
    expect(titles({ serverFilter: true, kind: 'movie' }, map)).toEqual(['B 2160p', 'C 720p', 'D 4K remux']);
    expect(titles({ serverFilter: false, kind: 'movie' }, map)).toHaveLength(5);
    expect(titles({ serverFilter: true, kind: 'series' }, map)).toHaveLength(5);
  });

  it('redacts source keys in links and restores them server-side', () => {
    const sources = { prowlarr: { apiKey: 'prowlarr-key-1234' }, jackett: { apiKey: 'jk/+key=12345' } };
    const link = 'http://p/3/download?apikey=prowlarr-key-1234&x=jk%2F%2Bkey%3D12345';
    const red = redactIndexerLink(link, sources);
    expect(red).toBe(`http://p/3/download?apikey=${keyMarker('prowlarr')}&x=${keyMarker('jackett')}`);
    expect(resolveIndexerLink(red, sources)).toBe(link);
    expect(redactIndexerLink('magnet:?xt=1', sources)).toBe('magnet:?xt=1');
    expect(redactIndexerLink('http://x/?k=short', { prowlarr: { apiKey: 'short' } })).toBe('http://x/?k=short');
  });
});

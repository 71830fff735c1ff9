import { pbkdf2Sync } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateLegacyDir, TEST_PASSWORD } from '../../bench/generate-legacy.js';

const FILES = [
  'users.json',
  'library.json',
  'wanted.json',
  'grabs.json',
  'verify-results.json',
  'quality.json',
  'quality-profiles.json',
  'downloaders.json',
  'indexers.json',
  'verify.json',
  'settings.json',
  'metadata.json',
  'organizer.json',
  'subtitle-automation.json',
  'monitor.json',
];

interface Item {
  id: string;
  kind: string;
  title: string;
  [k: string]: unknown;
}

let root: string;
let dir: string;
const docs: Record<string, unknown> = {};
const texts: Record<string, string> = {};
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'mediaos-gen-'));
  dir = join(root, 'config');
  await generateLegacyDir({ dir, items: 2000, seed: 1 });
  for (const name of await readdir(dir)) {
    texts[name] = await readFile(join(dir, name), 'utf8');
    docs[name] = JSON.parse(texts[name]!);
  }
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('generateLegacyDir', () => {
  it('writes every legacy file, each valid JSON in the legacy format', () => {
    expect(Object.keys(docs).sort()).toEqual([...FILES].sort());
    for (const name of FILES) expect(JSON.stringify(docs[name], null, 2), name).toBe(texts[name]);
  });

  it('library items: legacy ids, unique ids, unique (kind, lower(title)), known kinds', () => {
    const items = (docs['library.json'] as { items: Item[] }).items;
    expect(items).toHaveLength(2000);
    expect(new Set(items.map((i) => i.id)).size).toBe(2000);
    expect(new Set(items.map((i) => `${i.kind}\u0000${i.title.toLowerCase()}`)).size).toBe(2000);
    for (const i of items) {
      expect(i.id).toMatch(/^(?:[0-9a-z]{8}[0-9a-z]{5,6}|custom-[0-9a-z]+)$/);
      expect(['movie', 'series', 'music', 'book']).toContain(i.kind);
    }
    expect(new Set(items.map((i) => i.kind)).size).toBe(4);
    for (const key of ['year', 'quality', 'source', 'filePath', 'fileSize', 'posterUrl', 'metadata']) {
      const n = items.filter((i) => key in i).length;
      expect(n, key).toBeGreaterThan(0);
      expect(n, key).toBeLessThan(2000);
    }
    expect(items.some((i) => /[éöü]/.test(i.title))).toBe(true);
  });

  it('is deterministic for a seed and differs across seeds', async () => {
    const again = join(root, 'again');
    await generateLegacyDir({ dir: again, items: 2000, seed: 1 });
    expect(await readFile(join(again, 'library.json'), 'utf8')).toBe(texts['library.json']);
    expect(await readFile(join(again, 'grabs.json'), 'utf8')).toBe(texts['grabs.json']);
    const other = join(root, 'other');
    await generateLegacyDir({ dir: other, items: 2000, seed: 2 });
    expect(await readFile(join(other, 'library.json'), 'utf8')).not.toBe(texts['library.json']);
  });

  it('keyed files point at library items, with plural and singular kinds', () => {
    const items = (docs['library.json'] as { items: Item[] }).items;
    const ids = new Set(items.map((i) => i.id));
    const wanted = (docs['wanted.json'] as { items: Item[] }).items;
    // ~5.2% wanted, ~10.9% grabbed, ~7.9% verified (legacy users who grab)
    expect(wanted.length).toBeGreaterThan(70);
    expect(wanted.length).toBeLessThan(140);
    expect(wanted.every((w) => ids.has(w.id))).toBe(true);
    expect(new Set(wanted.map((w) => `${w.kind}:${w.id}`)).size).toBe(wanted.length);
    const kinds = new Set(wanted.map((w) => w.kind));
    expect([...kinds].some((k) => k === 'movies' || k === 'books')).toBe(true);
    for (const name of ['grabs.json', 'verify-results.json']) {
      const keys = Object.keys(docs[name] as object).filter((k) => k !== ':');
      expect(keys.length, name).toBeGreaterThan(name === 'grabs.json' ? 160 : 110);
      expect(keys.length, name).toBeLessThan(name === 'grabs.json' ? 280 : 210);
      for (const key of keys) {
        const [kind, id] = key.split(':');
        expect(ids.has(id!), key).toBe(true);
        expect(['movie', 'movies', 'series', 'music', 'book', 'books']).toContain(kind);
      }
    }
  });

  it('extraGrabs: grabs of items no longer in the library, written as JSON.stringify would', async () => {
    const extra = join(root, 'extra');
    await generateLegacyDir({ dir: extra, items: 10, seed: 1, extraGrabs: 500 });
    const text = await readFile(join(extra, 'grabs.json'), 'utf8');
    const grabs = JSON.parse(text) as Record<string, { id: string; kind: string }>;
    expect(JSON.stringify(grabs, null, 2)).toBe(text);
    const keys = Object.keys(grabs);
    expect(keys.length).toBeGreaterThanOrEqual(501);
    expect(keys.at(-1)).toBe(':');
    const empty = join(root, 'empty');
    await generateLegacyDir({ dir: empty, items: 0, seed: 1 });
    expect(JSON.parse(await readFile(join(empty, 'wanted.json'), 'utf8'))).toEqual({ items: [] });
    expect(await readFile(join(empty, 'verify-results.json'), 'utf8')).toBe('{}');
  });

  it('users carry the FORMATS §2.1 hash of the test password; secrets are plaintext; no TMDB key', () => {
    const users = Object.values(docs['users.json'] as Record<string, { id: string; passwordHash: string; role: string }>);
    expect(users.map((u) => u.role).sort()).toEqual(['admin', 'user']);
    for (const u of users) {
      expect(u.id).toMatch(/^user_\d{13}_[0-9a-z]{9}$/);
      const [salt, hash] = u.passwordHash.split(':');
      expect(pbkdf2Sync(TEST_PASSWORD, salt!, 100_000, 64, 'sha512').toString('hex')).toBe(hash);
    }
    const dl = docs['downloaders.json'] as Record<string, { password?: string; apiKey?: string }>;
    expect(dl.qbittorrent!.password).toBe('adminadmin');
    expect(dl.sabnzbd!.apiKey).toMatch(/^[0-9a-f]{32}$/);
    expect((docs['metadata.json'] as { tmdb: object }).tmdb).not.toHaveProperty('apiKey');
  });
});

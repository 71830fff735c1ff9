import { mkdtempSync, readdirSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LegacyFileError } from '../../src/legacy/file-error.js';
import { streamLegacyMap } from '../../src/legacy/stream-library.js';
import { acceptedBatches } from '../../src/migration/keyed-import.js';
import { type KeyedDecision, keyedDecisions, NeedsWholeFile } from '../../src/migration/keyed-stream.js';
import { specFor } from '../../src/migration/legacy-files.js';
import { readFileSnapshot } from '../../src/migration/snapshot.js';

const dir = mkdtempSync(join(tmpdir(), 'mediaos-keyed-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const grab = (id: string, extra: Record<string, unknown> = {}) => ({
  kind: 'movies',
  id,
  title: `Rel.${id}`,
  link: 'magnet:?xt=urn:btih:0123',
  protocol: 'torrent',
  client: 'qbittorrent',
  ok: true,
  status: 200,
  at: '2024-01-01T00:00:00.000Z',
  ...extra,
});

async function all<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

function write(name: string, text: string): string {
  const sub = mkdtempSync(join(dir, 'd-'));
  writeFileSync(join(sub, name), text);
  return sub;
}

describe('streamLegacyMap', () => {
  it('yields every member with its key, in file order, across small read chunks', async () => {
    const sub = write('grabs.json', `{"movies:a": ${JSON.stringify(grab('a'), null, 2)}, "": 1, "__proto__": {"x": [1, {"y": "}"}]}}`);
    const got = await all(streamLegacyMap(join(sub, 'grabs.json'), { chunkSize: 7 }));
    expect(got.map((e) => [e.index, e.key])).toEqual([
      [0, 'movies:a'],
      [1, ''],
      [2, '__proto__'],
    ]);
    expect(got[2]!.value).toEqual({ x: [1, { y: '}' }] });
    expect(await all(streamLegacyMap(join(write('grabs.json', ' {} '), 'grabs.json')))).toEqual([]);
  });

  it('invalid JSON is a LegacyFileError with its line and column', async () => {
    const sub = write('grabs.json', '{\n  "a": {"x": 1},\n  "b": {"x": }\n}');
    const err = await all(streamLegacyMap(join(sub, 'grabs.json'))).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LegacyFileError);
    expect((err as LegacyFileError).code).toBe('invalid_json');
    expect((err as Error).message).toMatch(/line 3/);
  });
});

describe('keyedDecisions', () => {
  const grabs = specFor('grabs.json')!;
  const wanted = specFor('wanted.json')!;

  it('accepts good grabs by key and quarantines a bad one and a lossy number as its text', async () => {
    const text = `{"movies:a": ${JSON.stringify(grab('a'))}, "movies:b": 5, "movies:c": ${JSON.stringify(grab('c')).replace('200', '1e400')}}`;
    const got = await all(keyedDecisions(grabs, write('grabs.json', text)));
    expect(got.map((d) => d.key ?? d.quarantine!.reason.slice(0, 20))).toEqual(['movies:a', expect.stringMatching(/^invalid record/), 'holds the number 1e4']);
    expect(got[2]!.quarantine!.raw).toContain('1e400');
  });

  it('wanted: a repeated kind + id is quarantined naming the first; read-back mode skips the known locators', async () => {
    const items = [
      { id: 'a', title: 'A', kind: 'movies', addedAt: '2024-01-01T00:00:00.000Z' },
      { id: 'a', title: 'A again', kind: 'movies', addedAt: '2024-01-01T00:00:00.000Z' },
      null,
    ];
    const sub = write('wanted.json', JSON.stringify({ items }));
    const got = await all(keyedDecisions(wanted, sub));
    expect(got[1]!.quarantine!.reason).toBe('duplicate id: the record at /items/0 has the same key');
    expect(got[2]!.quarantine).toBeDefined();
    const again = await all(keyedDecisions(wanted, sub, new Set(['/items/1'])));
    expect(again.map((d: KeyedDecision) => [d.locator, d.key])).toEqual([
      ['/items/0', got[0]!.key],
      ['/items/2', undefined],
    ]);
  });

  it('file-level cases need the whole-file reader: repeated key, other top-level keys, wrong shape, invalid JSON', async () => {
    for (const [spec, text] of [
      [grabs, '{"movies:a": {}, "movies:a": {}}'],
      [wanted, '{"items": [], "extra": 1}'],
      [wanted, '[]'],
      [grabs, '{"a": '],
    ] as const) {
      await expect(all(keyedDecisions(spec, write(spec.file, text)))).rejects.toBeInstanceOf(NeedsWholeFile);
    }
  });

  it('a missing file is an io error, not a fallback', async () => {
    await expect(all(keyedDecisions(grabs, join(dir, 'nowhere')))).rejects.toBeInstanceOf(LegacyFileError);
  });
});

describe('readFileSnapshot of keyed files', () => {
  it('streams a big one (counts and quarantine only) and reads an odd one whole, with the same decisions', async () => {
    const members: Record<string, unknown> = {};
    for (let i = 0; i < 1200; i++) members[`movies:${i}`] = grab(String(i));
    members['movies:bad'] = 'not a grab';
    const sub = write('grabs.json', JSON.stringify(members, null, 2));
    const snap = await readFileSnapshot(specFor('grabs.json')!, { dir: sub, legacyKey: undefined });
    expect(snap.keyed).toEqual({ accepted: 1200 });
    expect(snap.read).toBe(1201);
    expect(snap.accepted).toEqual([]);
    expect(snap.quarantine.map((q) => q.locator)).toEqual(['/movies:bad']);
    const batches = await all(acceptedBatches(specFor('grabs.json')!, sub));
    expect(batches.map((b) => b.length)).toEqual([500, 500, 200]);

    const odd = write('grabs.json', `{"movies:a": 1, "movies:a": ${JSON.stringify(grab('a'))}}`);
    const whole = await readFileSnapshot(specFor('grabs.json')!, { dir: odd, legacyKey: undefined });
    expect(whole.keyed).toBeUndefined();
    expect(whole.accepted.map((u) => u.key)).toEqual(['movies:a']); // JSON.parse: the last value wins
  });
});

describe.skipIf(process.platform !== 'linux')('a pass that stops early closes its file', () => {
  /** This process's open descriptors on `path` (Linux: /proc/self/fd). */
  const openOn = (path: string) =>
    readdirSync('/proc/self/fd').filter((fd) => {
      try {
        return readlinkSync(`/proc/self/fd/${fd}`) === path;
      } catch {
        return false; // closed meanwhile (the directory's own descriptor)
      }
    }).length;

  it('a repeated key stops the pass (NeedsWholeFile) with the file already closed, not left to a collection', async () => {
    const sub = mkdtempSync(join(dir, 'close-'));
    const path = join(sub, 'grabs.json');
    const members = Array.from({ length: 5000 }, (_, i) => `"movies:g${i}": ${JSON.stringify(grab(`g${i}`))}`);
    members.splice(10, 0, `"movies:g3": ${JSON.stringify(grab('g3'))}`); // early, so most of the file is unread
    writeFileSync(path, `{${members.join(',')}}`);
    await expect(all(keyedDecisions(specFor('grabs.json')!, sub))).rejects.toBeInstanceOf(NeedsWholeFile);
    expect(openOn(path)).toBe(0);
  });
});

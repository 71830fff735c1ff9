import fsp, { chmod, mkdir, mkdtemp, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { LegacyFileError } from '../../src/legacy/file-error.js';
import { createJsonFile, unchanged, type WriteChunk } from '../../src/legacy/json-file.js';

interface Lib {
  items: Array<{ id: string; n?: number }>;
  [k: string]: unknown;
}

let root: string;
let dir: string;
let caseNo = 0;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'mediaos-json-file-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});
beforeEach(async () => {
  dir = join(root, `case-${caseNo++}`);
  await mkdir(dir);
});
afterEach(() => {
  vi.restoreAllMocks();
});

const libFile = (name = 'library.json') => createJsonFile<Lib>(join(dir, name), { defaultValue: () => ({ items: [] }) });
const onDisk = async (path: string): Promise<unknown> => JSON.parse(await readFile(path, 'utf8'));
const settle = <T>(p: Promise<T>) =>
  p.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );

describe('createJsonFile', () => {
  it('starts from defaultValue when the file is missing, and writes nothing until updated', async () => {
    const file = libFile();
    expect(await file.read()).toEqual({ items: [] });
    expect(await file.exists()).toBe(false);
    await file.update((d) => void d.items.push({ id: 'a' }));
    expect(await file.exists()).toBe(true);
    expect(await onDisk(file.path)).toEqual({ items: [{ id: 'a' }] });
  });

  it('writes exactly 2-space JSON without a trailing newline, and leaves no temp files', async () => {
    const file = libFile();
    await file.replace({ items: [{ id: 'x', n: 1 }], note: 'Café' });
    expect(await readFile(file.path, 'utf8')).toBe('{\n  "items": [\n    {\n      "id": "x",\n      "n": 1\n    }\n  ],\n  "note": "Café"\n}');
    expect(await readdir(dir)).toEqual(['library.json']);
  });

  it('reads the file once and keeps serving the cached value', async () => {
    const path = join(dir, 'library.json');
    await writeFile(path, '{"items":[{"id":"disk"}]}');
    const file = libFile();
    expect(await file.read()).toEqual({ items: [{ id: 'disk' }] });
    await writeFile(path, '{"items":[]}'); // behind our back: not re-read
    expect(await file.read()).toEqual({ items: [{ id: 'disk' }] });
  });

  it('lands 200 concurrent updates with no lost update, coalesced into few writes', async () => {
    const file = libFile();
    const renames = vi.spyOn(fsp, 'rename');
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        file.update(async (d) => {
          if (i % 7 === 0) await new Promise((r) => setTimeout(r, 1)); // async mutators too
          d.items.push({ id: `i${i}` });
          return d.items.length;
        }),
      ),
    );
    expect(results).toEqual(Array.from({ length: 200 }, (_, i) => i + 1)); // applied in call order
    const disk = (await onDisk(file.path)) as Lib;
    expect(disk.items.map((x) => x.id)).toEqual(Array.from({ length: 200 }, (_, i) => `i${i}`));
    expect(renames.mock.calls.filter(([, to]) => to === file.path).length).toBeLessThan(200);
  });

  it('coalesces updates queued during a write into one write, each resolved after it', async () => {
    const file = libFile();
    await file.update((d) => void d.items.push({ id: 'first' }));
    const renames = vi.spyOn(fsp, 'rename');
    const first = file.update((d) => void d.items.push({ id: 'a' }));
    await new Promise((r) => setImmediate(r)); // the write of 'a' is now in flight
    const queued = Array.from({ length: 20 }, (_, i) => file.update((d) => void d.items.push({ id: `q${i}` })));
    await first;
    await Promise.all(queued);
    expect(renames.mock.calls.filter(([, to]) => to === file.path).length).toBe(2);
    expect(((await onDisk(file.path)) as Lib).items).toHaveLength(22);
  });

  it('keeps the file valid JSON throughout concurrent writes', async () => {
    const file = libFile();
    let stop = false;
    const invalid: string[] = [];
    const watcher = (async () => {
      while (!stop) {
        const text = await readFile(file.path, 'utf8').catch(() => null);
        if (text !== null) {
          try {
            JSON.parse(text);
          } catch {
            invalid.push(text.slice(0, 50));
          }
        }
        await new Promise((r) => setImmediate(r));
      }
    })();
    for (let round = 0; round < 20; round++) {
      await Promise.all(Array.from({ length: 10 }, (_, i) => file.update((d) => void d.items.push({ id: `${round}-${i}`, n: round }))));
    }
    stop = true;
    await watcher;
    expect(invalid).toEqual([]);
    expect(((await onDisk(file.path)) as Lib).items).toHaveLength(200);
  });

  it('rejects a throwing mutator, discards its partial changes and keeps the others', async () => {
    const file = libFile();
    await file.update((d) => void d.items.push({ id: 'base' }));
    const [a, b, c] = await Promise.all([
      settle(file.update((d) => void d.items.push({ id: 'a' }))),
      settle(
        file.update((d) => {
          d.items.push({ id: 'partial' });
          d.items[0]!.n = 99;
          throw new Error('refused');
        }),
      ),
      settle(file.update((d) => (d.items.push({ id: 'c' }), d.items.length))),
    ]);
    expect(a.ok).toBe(true);
    expect(b).toEqual({ ok: false, error: new Error('refused') });
    expect(c).toEqual({ ok: true, value: 3 });
    const expected = { items: [{ id: 'base' }, { id: 'a' }, { id: 'c' }] };
    expect(await onDisk(file.path)).toEqual(expected);
    expect(await file.read()).toEqual(expected);
  });

  it('unchanged(): resolves without a write', async () => {
    const file = libFile();
    await file.update((d) => void d.items.push({ id: 'a' }));
    const renames = vi.spyOn(fsp, 'rename');
    const found = await file.update((d) => unchanged(d.items.find((x) => x.id === 'zzz') ?? null));
    expect(found).toBeNull();
    expect(renames).not.toHaveBeenCalled();
  });

  it('refuses to load invalid JSON and never overwrites it', async () => {
    const path = join(dir, 'library.json');
    await writeFile(path, '{"items": [');
    const file = libFile();
    const err = await settle(file.update((d) => void d.items.push({ id: 'x' })));
    expect(err.ok).toBe(false);
    expect((err as { error: unknown }).error).toBeInstanceOf(LegacyFileError);
    expect((err as { error: LegacyFileError }).error.message).toMatch(/^library\.json: invalid JSON at line 1, column 12/);
    await expect(file.read()).rejects.toBeInstanceOf(LegacyFileError);
    expect(await readFile(path, 'utf8')).toBe('{"items": [');
  });

  it('a failing write rejects every waiting caller, rolls back, and leaves the old file intact', async () => {
    const errors: Error[] = [];
    const path = join(dir, 'sub', 'library.json');
    await mkdir(join(dir, 'sub'));
    const file = createJsonFile<Lib>(path, { defaultValue: () => ({ items: [] }), onError: (e) => errors.push(e) });
    await file.update((d) => void d.items.push({ id: 'kept' }));
    const before = await readFile(path, 'utf8');
    // Make the directory unwritable in a way that also holds for root: swap it for a file.
    await rename(join(dir, 'sub'), join(dir, 'sub-moved'));
    await writeFile(join(dir, 'sub'), 'not a directory');
    const results = await Promise.all([
      settle(file.update((d) => void d.items.push({ id: 'lost1' }))),
      settle(file.update((d) => void d.items.push({ id: 'lost2' }))),
    ]);
    expect(results.every((r) => !r.ok)).toBe(true);
    const error = (results[0] as { error: LegacyFileError }).error;
    expect(error).toBeInstanceOf(LegacyFileError);
    expect(error.code).toBe('io');
    expect(errors.length).toBeGreaterThan(0);
    expect(await readFile(join(dir, 'sub-moved', 'library.json'), 'utf8')).toBe(before);
    // directory back: the next update starts from the durable state, not from the failed one
    await rm(join(dir, 'sub'));
    await rename(join(dir, 'sub-moved'), join(dir, 'sub'));
    await file.update((d) => void d.items.push({ id: 'next' }));
    expect(await onDisk(path)).toEqual({ items: [{ id: 'kept' }, { id: 'next' }] });
  });

  it('a value that cannot be serialized rejects and changes nothing', async () => {
    const file = libFile();
    await file.update((d) => void d.items.push({ id: 'ok' }));
    const before = await readFile(file.path, 'utf8');
    const r = await settle(
      file.update((d) => {
        (d as Record<string, unknown>).big = 10n;
      }),
    );
    expect(r.ok).toBe(false);
    expect((r as { error: unknown }).error).toBeInstanceOf(TypeError);
    expect(await readFile(file.path, 'utf8')).toBe(before);
    expect(await file.read()).toEqual({ items: [{ id: 'ok' }] });
    expect(await readdir(dir)).toEqual(['library.json']);
  });

  it('keeps the permissions of an existing file', async () => {
    const path = join(dir, 'users.json');
    await writeFile(path, '{}');
    await chmod(path, 0o600);
    const file = createJsonFile<Record<string, unknown>>(path, { defaultValue: () => ({}) });
    await file.update((d) => {
      d.u = 1;
    });
    expect((await stat(path)).mode & 0o777).toBe(0o600);
  });

  it('replace() swaps the whole value', async () => {
    const file = libFile();
    await file.update((d) => void d.items.push({ id: 'old' }));
    await file.replace({ items: [{ id: 'new' }] });
    expect(await file.read()).toEqual({ items: [{ id: 'new' }] });
    expect(await onDisk(file.path)).toEqual({ items: [{ id: 'new' }] });
  });
});

describe('createJsonFile on a nearly full disk (injected low-level write)', () => {
  /** The real write, but at most `max` bytes per call: what a kernel may do on a nearly full disk. */
  const shortWrites =
    (max: number): WriteChunk =>
    (h, buf, off, len) =>
      h.write(buf, off, Math.min(len, max));
  /** Real short writes until `budget` bytes are on disk, then what a full disk answers. */
  const fullAfter = (budget: number, how: 'enospc' | 'zero'): WriteChunk => {
    let left = budget;
    return async (h, buf, off, len) => {
      if (left <= 0) {
        if (how === 'zero') return { bytesWritten: 0 };
        throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', syscall: 'write', errno: -28 });
      }
      const r = await h.write(buf, off, Math.min(len, left, 5));
      left -= r.bytesWritten;
      return r;
    };
  };

  it('continues short writes until every byte is written', async () => {
    const path = join(dir, 'library.json');
    const file = createJsonFile<Lib>(path, { defaultValue: () => ({ items: [] }), write: shortWrites(3) });
    await file.replace({
      items: [
        { id: 'é-ü-€', n: 1 },
        { id: 'b', n: 2 },
      ],
    });
    expect(await onDisk(path)).toEqual({
      items: [
        { id: 'é-ü-€', n: 1 },
        { id: 'b', n: 2 },
      ],
    });
    expect(await readdir(dir)).toEqual(['library.json']);
  });

  it.each(['enospc', 'zero'] as const)('a full disk (%s) rejects naming the file, keeps the old file byte-identical and removes the temp file', async (how) => {
    const path = join(dir, 'library.json');
    const old = Buffer.from('{\n  "items": [\n    {\n      "id": "old"\n    }\n  ]\n}');
    await writeFile(path, old);
    const file = createJsonFile<Lib>(path, { defaultValue: () => ({ items: [] }), write: fullAfter(20, how) });
    const r = await settle(file.update((d) => void d.items.push({ id: 'new', n: 12345 })));
    expect(r.ok).toBe(false);
    const err = (r as { error: unknown }).error as LegacyFileError;
    expect(err).toBeInstanceOf(LegacyFileError);
    expect(err.message).toMatch(/^library\.json: cannot read or write file \(ENOSPC: no space left on the device; the previous file is unchanged\)$/);
    expect((await readFile(path)).equals(old)).toBe(true);
    expect(await readdir(dir)).toEqual(['library.json']);
    expect(await file.read()).toEqual({ items: [{ id: 'old' }] }); // back to the durable state
  });
});

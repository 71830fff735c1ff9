import { describe, expect, it } from 'vitest';
import type { StoragePhase } from '../../src/storage/phase-list.js';
import { newFileSyncStatus, phasedStore } from '../../src/storage/phased-store.js';

/** A tiny store with the shape of the real ones: async reads and writes, and an injectable failure. */
class ListStore {
  items: string[] = [];
  fail = false;
  constructor(readonly label: string) {}
  async list() {
    return [...this.items];
  }
  async add(x: string) {
    await new Promise((r) => setTimeout(r, Math.random() * 3));
    if (this.fail) throw new Error(`${this.label} disk full`);
    this.items.push(x);
    return this.items.length;
  }
}

function build(phase: StoragePhase) {
  const sql = new ListStore('sql');
  const json = new ListStore('json');
  const fileSync = newFileSyncStatus();
  const warnings: string[] = [];
  const store = phasedStore({
    name: 'list',
    phase,
    sql,
    json,
    writes: ['add'],
    fileSync,
    log: { warn: (_o, m) => warnings.push(String(m)), info() {}, error() {} },
  });
  return { store, sql, json, fileSync, warnings };
}

describe('phasedStore', () => {
  it('uses one side only in the files and db phases', async () => {
    const f = build('files');
    await f.store.add('a');
    expect([f.json.items, f.sql.items]).toEqual([['a'], []]);
    const d = build('db');
    await d.store.add('a');
    expect([d.json.items, d.sql.items]).toEqual([[], ['a']]);
  });

  it.each(['dual-read-files', 'dual-read-db'] as const)('%s writes both sides in the same order and reads from its side', async (phase) => {
    const b = build(phase);
    await Promise.all(Array.from({ length: 50 }, (_, i) => b.store.add(`x${i}`)));
    expect(b.sql.items).toHaveLength(50);
    expect(b.json.items).toEqual(b.sql.items);
    b.json.items.push('only-in-files');
    const read = await b.store.list();
    expect(read.includes('only-in-files')).toBe(phase === 'dual-read-files');
  });

  it('a failed file write is counted and logged, never fails the request', async () => {
    const b = build('dual-read-db');
    b.json.fail = true;
    await expect(b.store.add('a')).resolves.toBe(1);
    expect(b.sql.items).toEqual(['a']);
    expect(b.fileSync.failures).toBe(1);
    expect(b.fileSync.lastError).toMatchObject({ store: 'list', message: 'json disk full' });
    expect(b.warnings[0]).toMatch(/file write failed/);
  });

  it('a failed database write fails the request and leaves the file alone', async () => {
    const b = build('dual-read-files');
    b.sql.fail = true;
    await expect(b.store.add('a')).rejects.toThrow('sql disk full');
    expect(b.json.items).toEqual([]);
    b.sql.fail = false;
    await expect(b.store.add('b')).resolves.toBe(1);
  });
});

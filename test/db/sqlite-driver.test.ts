import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/connect.js';
import { cachedSqliteDatabase, rowBuilder } from '../../src/db/sqlite-driver.js';

describe('cachedSqliteDatabase (raw rows built per statement)', () => {
  let dir: string;
  let raw: BetterSqlite3.Database;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'mediaos-driver-'));
    raw = new BetterSqlite3(join(dir, 'd.db'));
    raw.exec(`create table t (a integer, b text, "we""ird:name" text); insert into t values (1, 'x', 'q'), (2, null, '"')`);
  });
  afterEach(() => {
    raw.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('returns the same rows as better-sqlite3 objects, quoted names included', () => {
    const db = cachedSqliteDatabase(raw);
    const text = 'select * from t order by a';
    expect(db.prepare(text).all([])).toEqual(raw.prepare(text).all());
    expect(db.prepare(text).all([])).toEqual([
      { a: 1, b: 'x', 'we"ird:name': 'q' },
      { a: 2, b: null, 'we"ird:name': '"' },
    ]);
  });

  it('lets a later duplicate column name win, like better-sqlite3', () => {
    const db = cachedSqliteDatabase(raw);
    const text = 'select a as v, b as v from t where a = 1';
    expect(db.prepare(text).all([])).toEqual(raw.prepare(text).all());
    expect(db.prepare(text).all([])).toEqual([{ v: 'x' }]);
  });

  it('sees new columns of a cached `select *` after DDL', () => {
    const db = cachedSqliteDatabase(raw);
    expect(Object.keys(db.prepare('select * from t').all([])[0] as object)).toEqual(['a', 'b', 'we"ird:name']);
    raw.exec(`alter table t add column c text default 'new'`);
    expect(db.prepare('select * from t').all([])[0]).toEqual({ a: 1, b: 'x', 'we"ird:name': 'q', c: 'new' });
  });

  it('iterates rows as objects, binds booleans as 0/1 and runs writes', () => {
    const db = cachedSqliteDatabase(raw);
    expect(Number(db.prepare('insert into t (a, b) values (?, ?)').run([true, 'y']).changes)).toBe(1);
    expect([...db.prepare('select a, b from t where a = ? order by b').iterate([1])]).toEqual([
      { a: 1, b: 'x' },
      { a: 1, b: 'y' },
    ]);
  });

  it('binds as many parameters as SQLite takes (32,766, passed as arguments), booleans among them', () => {
    const db = cachedSqliteDatabase(raw);
    const rows = 16_383;
    // a: a boolean (every third row true), b: the row's number as text
    const params = Array.from({ length: rows * 2 }, (_, i) => (i % 2 === 0 ? (i / 2) % 3 === 0 : `r${(i - 1) / 2}`));
    const text = `insert into t (a, b) values ${Array(rows).fill('(?, ?)').join(', ')}`;
    expect(Number(db.prepare(text).run(params).changes)).toBe(rows);
    expect(db.prepare(`select count(*) as n, sum(a) as s from t where b like 'r%'`).all([])).toEqual([{ n: rows, s: Math.ceil(rows / 3) }]);
    expect(db.prepare('select a from t where b = ?').all(['r16382'])).toEqual([{ a: 0 }]);
    expect(db.prepare('select a from t where b = ?').all(['r16380'])).toEqual([{ a: 1 }]);
  });

  it('rowBuilder maps positions to names, `__proto__` as an own property', () => {
    expect(rowBuilder(['x', 'y'])([1, 'two'])).toEqual({ x: 1, y: 'two' });
    const row = rowBuilder(['__proto__', 'z'])(['p', 1]);
    expect(Object.getPrototypeOf(row)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(row, '__proto__')?.value).toBe('p');
  });
});

describe('openDatabase (SQLite memory settings)', () => {
  it('maps no memory by default and MEDIAOS_SQLITE_MMAP_MB when set; sizes the page cache', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mediaos-mmap-'));
    try {
      const plain = openDatabase({ engine: 'sqlite', location: join(dir, 'a.db') });
      expect(plain.sqlite!.pragma('mmap_size', { simple: true })).toBe(0);
      expect(plain.sqlite!.pragma('cache_size', { simple: true })).toBe(-32 * 1024);
      await plain.close();
      const mapped = openDatabase({ engine: 'sqlite', location: join(dir, 'b.db'), sqliteMmapMb: 64, sqliteCacheMb: 8 });
      expect(mapped.sqlite!.pragma('mmap_size', { simple: true })).toBe(64 * 1024 * 1024);
      expect(mapped.sqlite!.pragma('cache_size', { simple: true })).toBe(-8 * 1024);
      await mapped.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

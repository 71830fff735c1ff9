/**
 * The library's SQL (every method of createLibrarySql, query() in each shape: sort, kind, text,
 * cursor) and the plans of the hot page queries, checked in as test/sql/library.<engine>.sql and
 * test/sql/library.plans.<engine>.sql. Regenerate with `npm run sql:update` (STYLE.md §8).
 */
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { libraryItemToRow } from '../../src/library/library.codec.js';
import { searchTokens } from '../../src/library/library.search.js';
import { bumpLibraryTotals, createLibrarySql, type LibrarySql } from '../../src/library/library.sql.js';
import { LIBRARY_KINDS, type LibraryCursor, type LibraryQuery, type LibrarySort } from '../../src/library/library.types.js';
import { sqlEngines } from '../helpers/engines.js';
import { openRecorder, type SqlRecorder } from './sql-recorder.js';

/**
 * Enough rows that both planners behave as on a real library (index walks, not a scan of a
 * page-sized table), and that the text filter `title` matches past the index-driven threshold.
 */
const SEED_ITEMS = 5_000;
const WORDS = ['Star', 'Moon', 'River', 'Stone', 'Glass'];
const AT = '2024-06-01T00:00:00.000Z';

function seedRow(i: number) {
  const n = String(i).padStart(5, '0');
  const row = libraryItemToRow({ id: `seed_${n}`, kind: LIBRARY_KINDS[i % LIBRARY_KINDS.length]!, title: `Title ${WORDS[i % WORDS.length]} ${n}` });
  const at = new Date(Date.UTC(2020, 0, 1) + i * 60_000).toISOString();
  return { ...row, created_at: at, updated_at: at };
}

async function seed(rec: SqlRecorder): Promise<void> {
  const rows = Array.from({ length: SEED_ITEMS }, (_, i) => seedRow(i));
  for (let i = 0; i < rows.length; i += 500)
    await rec.db.kysely
      .insertInto('library_items')
      .values(rows.slice(i, i + 500))
      .execute();
  // Statistics as a long-running instance has them. On PostgreSQL, autovacuum (timing-dependent)
  // must not refresh them between here and the EXPLAINs: it is off for this throwaway table.
  if (rec.engine === 'postgres') await sql`alter table library_items set (autovacuum_enabled = false)`.execute(rec.db.kysely);
  await sql`analyze`.execute(rec.db.kysely);
}

const cursor = (sort: LibrarySort, key: string, seq: number): LibraryCursor => ({ sort, key, seq });

/** Named query shapes; `plan` marks the hot ones whose page query is explained. */
const QUERIES: { name: string; q: LibraryQuery; plan?: boolean }[] = [
  { name: 'sort=title', q: { tokens: [], sort: 'title', limit: 20 }, plan: true },
  { name: 'sort=title, cursor', q: { tokens: [], sort: 'title', limit: 20, after: cursor('title', 'title moon 00001', 2) }, plan: true },
  { name: 'sort=-title', q: { tokens: [], sort: '-title', limit: 20 } },
  { name: 'sort=createdAt, cursor', q: { tokens: [], sort: 'createdAt', limit: 20, after: cursor('createdAt', '2020-01-01T00:10:00.000Z', 11) } },
  { name: 'sort=-createdAt', q: { tokens: [], sort: '-createdAt', limit: 20 }, plan: true },
  {
    name: 'sort=-createdAt, cursor',
    q: { tokens: [], sort: '-createdAt', limit: 20, after: cursor('-createdAt', '2020-01-03T00:00:00.000Z', 2881) },
    plan: true,
  },
  { name: 'kind=movie, sort=title', q: { tokens: [], kind: 'movie', sort: 'title', limit: 20 }, plan: true },
  { name: 'kind=movie, sort=title, cursor', q: { tokens: [], kind: 'movie', sort: 'title', limit: 20, after: cursor('title', 'title star 00100', 101) } },
  { name: 'kind=series, sort=-createdAt', q: { tokens: [], kind: 'series', sort: '-createdAt', limit: 20 }, plan: true },
  { name: 'q=star, sort=title', q: { tokens: searchTokens('star'), sort: 'title', limit: 20 }, plan: true },
  {
    name: 'q=star, sort=-createdAt, cursor',
    q: { tokens: searchTokens('star'), sort: '-createdAt', limit: 20, after: cursor('-createdAt', '2020-01-03T00:00:00.000Z', 2881) },
    plan: true,
  },
  { name: 'q="moon 001", kind=book, sort=title', q: { tokens: searchTokens('moon 001'), kind: 'book', sort: 'title', limit: 20 }, plan: true },
  // Matches every seeded item: past INDEX_DRIVEN_MIN_MATCHES, SQLite walks the sort index instead.
  { name: 'q=title (many matches), sort=title', q: { tokens: searchTokens('title'), sort: 'title', limit: 20 }, plan: true },
];

async function exercise(rec: SqlRecorder, lib: LibrarySql): Promise<void> {
  const call = rec.call.bind(rec);
  await rec.quiet(() => seed(rec));

  for (const { name, q, plan } of QUERIES) {
    // Totals are cached per handle for a few seconds: start each query cold so its count shows.
    bumpLibraryTotals(rec.db.kysely);
    await (plan ? rec.explain(`library.query ${name}`, () => lib.query(q)) : call(`library.query ${name}`, () => lib.query(q)));
  }

  await call('library.getById', () => lib.getById('seed_00001'));
  await call('library.findByIdOrTitle', () => lib.findByIdOrTitle('Title Moon 00001'));
  await call('library.findByTitle', () => lib.findByTitle('Title Moon 00001'));
  await call('library.count', () => lib.count());
  await call('library.batchAfter', () => lib.batchAfter(100, 50));

  const created = await call('library.create (created)', () => lib.create({ id: 'lib_new', kind: 'movie', title: 'Brand New' }, AT));
  expect(created.status).toBe('created');
  const exists = await call('library.create (exists: same kind and title)', () => lib.create({ id: 'lib_other', kind: 'movie', title: 'brand new' }, AT));
  expect(exists.status).toBe('exists');
  const dup = await call('library.create (duplicate id)', () => lib.create({ id: 'lib_new', kind: 'book', title: 'Another' }, AT));
  expect(dup.status).toBe('duplicate_id');

  const patched = await call('library.patch (title changed)', () => lib.patch('lib_new', { title: 'Brand Newer', posterUrl: 'https://img.example/p.jpg' }, AT));
  expect(patched.status).toBe('updated');
  const same = await call('library.patch (same title)', () => lib.patch('lib_new', { posterUrl: null }, AT));
  expect(same.status).toBe('updated');
  const clash = await call('library.patch (duplicate title)', () => lib.patch('lib_new', { kind: 'book', title: 'Title Stone 00003' }, AT));
  expect(clash.status).toBe('duplicate_title');
  const missing = await call('library.patch (not found)', () => lib.patch('nope', { title: 'x' }, AT));
  expect(missing.status).toBe('not_found');

  expect(await call('library.remove', () => lib.remove('lib_new'))).toMatchObject({ id: 'lib_new' });
}

describe.each(sqlEngines())('library SQL on %s', (engine) => {
  it('matches test/sql/library.*.sql and the plans of the hot lists', async () => {
    const rec = await openRecorder(engine);
    try {
      await exercise(rec, createLibrarySql(rec.db.kysely, engine));
    } finally {
      await rec.close();
    }
    await expect(rec.text()).toMatchFileSnapshot(`./library.${engine}.sql`);
    await expect(rec.plans()).toMatchFileSnapshot(`./library.plans.${engine}.sql`);
  });
});

/**
 * The baseline for `bench/workers.ts`: a bare Fastify + better-sqlite3 server (one process, no
 * auth, no hooks) answering GET /page with the first keyset page of 100 library items by title,
 * read from the database `mediaos serve` uses: the same query, the JSON columns parsed, the total
 * counted once at start.
 *   node --import tsx bench/lib/bare-sqlite-page.ts <sqlite file> <port>
 */
import Database from 'better-sqlite3';
import Fastify from 'fastify';

const [file, port] = process.argv.slice(2);
const db = new Database(file, { readonly: true });
db.pragma('busy_timeout = 10000');
// The page cache `serve` uses by default (MEDIAOS_SQLITE_CACHE_MB=32).
db.pragma('cache_size = -32768');
const total = (db.prepare('select count(*) as n from library_items').get() as { n: number }).n;
const page = db.prepare(
  `select id, kind, title, poster_url, background_url, year, quality, source, file_path, file_size, metadata, extra, seq, title_lower
   from library_items order by title_lower asc, seq asc limit ?`,
);
type Row = Record<string, unknown> & { metadata: string | null; extra: string | null; title_lower: string; seq: number };
const app = Fastify({ logger: false });
app.get('/page', async () => {
  const rows = page.all(100) as Row[];
  const items = rows.map(({ metadata, extra, title_lower: _t, seq: _s, ...rest }) => ({
    ...rest,
    metadata: metadata ? JSON.parse(metadata) : null,
    ...(extra ? JSON.parse(extra) : {}),
  }));
  const last = rows.at(-1);
  return { items, total, nextCursor: last ? Buffer.from(JSON.stringify([last.title_lower, last.seq])).toString('base64url') : null };
});
await app.listen({ host: '127.0.0.1', port: Number(port), backlog: 4096 });
console.log(`bare server listening on ${port}`);

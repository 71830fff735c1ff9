/**
 * The bare servers the page rows are measured against: Fastify plus the database driver and
 * nothing else (no auth, no hooks, no query builder, no validation library), serving the same
 * keyset page of the library by title as `GET /api/library?sort=title&limit=N[&cursor=]`, with
 * the same answer `{items,total,nextCursor}` read from the database our server uses. The bench
 * checks that both give the same bytes before it compares their rates. `total` is counted once
 * at start (ours caches it too). Run by bench/run.ts as its own process:
 *
 *   BARE_ENGINE=sqlite BARE_DB=/path/mediaos.db PORT=... node --import tsx bench/bare-server.ts
 *   BARE_ENGINE=postgres BARE_DB=postgres://... BARE_PG_SCHEMA=... PORT=... node --import tsx bench/bare-server.ts
 */
import BetterSqlite3 from 'better-sqlite3';
import Fastify from 'fastify';
import pg from 'pg';

type Row = {
  id: string;
  kind: string;
  title: string;
  poster_url: string | null;
  background_url: string | null;
  year: number | null;
  quality: string | null;
  source: string | null;
  file_path: string | null;
  file_size: number | null;
  metadata: string | null;
  extra: string | null;
  seq: number;
  title_lower: string;
};

const COLUMNS = 'id, kind, title, poster_url, background_url, year, quality, source, file_path, file_size, metadata, extra, seq, title_lower';
const KIND_SPELLING_KEY = '$kindSpelling';

function item(r: Row): Record<string, unknown> {
  const o: Record<string, unknown> = { id: r.id, kind: r.kind, title: r.title };
  if (r.poster_url !== null) o.posterUrl = r.poster_url;
  if (r.background_url !== null) o.backgroundUrl = r.background_url;
  if (r.year !== null) o.year = Number(r.year);
  if (r.quality !== null) o.quality = r.quality;
  if (r.source !== null) o.source = r.source;
  if (r.file_path !== null) o.filePath = r.file_path;
  if (r.file_size !== null) o.fileSize = Number(r.file_size);
  if (r.metadata !== null) o.metadata = JSON.parse(r.metadata);
  if (r.extra !== null) {
    const extra = JSON.parse(r.extra) as Record<string, unknown>;
    for (const k of Object.keys(extra)) if (k !== KIND_SPELLING_KEY) o[k] = extra[k];
  }
  return o;
}

interface Engine {
  page(limit: number, after?: [string, number]): Promise<Row[]>;
  count(): Promise<number>;
}

function sqliteEngine(file: string): Engine {
  const db = new BetterSqlite3(file);
  db.pragma('busy_timeout = 10000');
  db.pragma('cache_size = -32768');
  const first = db.prepare(`select ${COLUMNS} from library_items order by title_lower, seq limit ?`);
  const next = db.prepare(`select ${COLUMNS} from library_items where (title_lower, seq) > (?, ?) order by title_lower, seq limit ?`);
  return {
    page: async (limit, after) => (after ? next.all(after[0], after[1], limit) : first.all(limit)) as Row[],
    count: async () => (db.prepare('select count(*) as n from library_items').get() as { n: number }).n,
  };
}

function postgresEngine(url: string, schema: string | undefined): Engine {
  pg.types.setTypeParser(20, (v) => Number(v));
  pg.types.setTypeParser(114, (v) => v);
  pg.types.setTypeParser(3802, (v) => v);
  // The pool of ours: 10 connections, kept 30 s when idle.
  const pool = new pg.Pool({ connectionString: url, max: 10, idleTimeoutMillis: 30_000, options: schema ? `-c search_path=${schema}` : undefined });
  return {
    page: async (limit, after) =>
      (
        await (after
          ? pool.query<Row>(`select ${COLUMNS} from library_items where (title_lower, seq) > ($1, $2) order by title_lower, seq limit $3`, [
              after[0],
              after[1],
              limit,
            ])
          : pool.query<Row>(`select ${COLUMNS} from library_items order by title_lower, seq limit $1`, [limit]))
      ).rows,
    count: async () => Number((await pool.query<{ n: string }>('select count(*) as n from library_items')).rows[0].n),
  };
}

async function main(): Promise<void> {
  const engine =
    process.env.BARE_ENGINE === 'postgres' ? postgresEngine(process.env.BARE_DB ?? '', process.env.BARE_PG_SCHEMA) : sqliteEngine(process.env.BARE_DB ?? '');
  const total = await engine.count();
  const app = Fastify({ logger: false });
  app.get('/api/health', async () => ({ ok: true }));
  app.get<{ Querystring: { limit?: string; cursor?: string } }>('/api/library', async (request) => {
    const limit = Number(request.query.limit ?? 50);
    const after = request.query.cursor ? (JSON.parse(Buffer.from(request.query.cursor, 'base64url').toString('utf8')) as [string, string, number]) : undefined;
    const rows = await engine.page(limit + 1, after ? [after[1], after[2]] : undefined);
    const more = rows.length > limit;
    const page = more ? rows.slice(0, limit) : rows;
    const last = page[page.length - 1];
    const nextCursor = more && last ? Buffer.from(JSON.stringify(['title', last.title_lower, Number(last.seq)]), 'utf8').toString('base64url') : null;
    return { items: page.map(item), total, nextCursor };
  });
  await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT) });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Engine } from '../db/dialect.js';
import { Invalid, missingParams } from '../errors.js';
import { authenticate, type RequestAuthenticator } from '../http/auth.js';
import { parseInput } from '../http/errors.js';
import { sendJsonList } from '../http/json-list.js';
import type { WantedService } from './wanted.service.js';
import { addWantedBody, scanWantedBody, WANTED_PAGE_PARAMS, wantedPageQuery } from './wanted.types.js';

/** A LIMIT no wanted list reaches: the whole list in one batch. */
const WHOLE_LIST = 1_000_000_000;

/** Runs a scan as queued search jobs (the automation's wanted search); see services.ts. */
export interface WantedScanner {
  scan(opts: { enqueue: boolean }): Promise<{ scanned: number; results: { key: string; found: number; grabbed: number }[]; scannedAt: string }>;
}

export interface WantedRoutesDeps {
  wanted: WantedService;
  /** When given, a scan searches the indexers (one job per item); else it only stamps `lastScan`. */
  scanner?: WantedScanner;
  auth: RequestAuthenticator;
  /** The database engine: SQLite streams the list in batches, PostgreSQL reads it in one query. */
  engine: Engine;
}

export async function wantedRoutes(app: FastifyInstance, deps: WantedRoutesDeps): Promise<void> {
  const service = deps.wanted;
  const user = { preHandler: authenticate(deps.auth, 'user') };

  // Every answer but scan is `{ok:true,items:<the full list>}` (legacy). On SQLite it streams in
  // batches read as the socket drains (1,000 connections at 1M items: peak RSS 350 -> 212 MB). On
  // PostgreSQL each batch would be a pool round trip, and under load every request would wait
  // for the pool once per batch while holding its partial answer (measured: 2.3 GB), so the
  // list is read in one query there.
  const batchSize = deps.engine === 'sqlite' ? 500 : WHOLE_LIST;
  // With `limit` and/or `cursor` in the query (GET, and the answers of POST and DELETE): one keyset
  // page `{ok,items,total,nextCursor}` instead; `?limit=0` answers only the total (the cheap write).
  // The paging parameters are checked before a write, so a bad one changes nothing; a write
  // answers the first page (a cursor is for GET).
  const pagingOf = (request: FastifyRequest, write = false) => {
    const query = (request.query ?? {}) as Record<string, unknown>;
    if (!WANTED_PAGE_PARAMS.some((k) => Object.hasOwn(query, k))) return undefined;
    if (write && Object.hasOwn(query, 'cursor')) throw new Invalid('cursor: a write answers the first page; page on with GET /api/wanted');
    return parseInput(wantedPageQuery, Object.fromEntries(WANTED_PAGE_PARAMS.filter((k) => Object.hasOwn(query, k)).map((k) => [k, query[k]])));
  };
  const sendList = (reply: FastifyReply, paging: ReturnType<typeof pagingOf>) =>
    paging ? service.page(paging) : sendJsonList(reply, '{"ok":true,"items":', service.listBatches(batchSize));

  app.get('/api/wanted', user, async (request, reply) => sendList(reply, pagingOf(request)));

  app.post('/api/wanted', user, async (request, reply) => {
    const paging = pagingOf(request, true);
    const parsed = addWantedBody.safeParse(request.body ?? {});
    if (!parsed.success) {
      const fields = [...new Set(parsed.error.issues.map((i) => String(i.path[0] ?? 'body')))];
      const legacy = fields.filter((f) => f === 'id' || f === 'title' || f === 'kind' || f === 'body');
      // the legacy code clients match on, with the fields named; our optional fields say what is wrong
      if (legacy.length > 0) throw missingParams(legacy);
      const issue = parsed.error.issues[0];
      throw new Invalid(`${String(issue.path[0])}: ${issue.message}`);
    }
    await service.add(parsed.data);
    return sendList(reply, paging);
  });

  app.delete<{ Params: { kind: string; id: string } }>('/api/wanted/:kind/:id', user, async (request, reply) => {
    const paging = pagingOf(request, true);
    await service.remove(request.params.kind, request.params.id);
    return sendList(reply, paging);
  });

  // Legacy limit: 10 scans a minute (applies when the global rate limiter is on).
  app.post('/api/wanted/scan', { ...user, config: { rateLimit: { max: 10, timeWindow: 60_000 } } }, async (request) => {
    const body = parseInput(scanWantedBody, request.body ?? undefined);
    if (deps.scanner) return { ok: true, ...(await deps.scanner.scan({ enqueue: body?.enqueue === true })) };
    return { ok: true, ...(await service.scan()) };
  });
}

import type { FastifyInstance } from 'fastify';
import type { GrabOrderCursor, GrabTimeCursor } from '../grabs/grabs.types.js';
import { authenticate, type RequestAuthenticator } from '../http/auth.js';
import { parseInput } from '../http/errors.js';
import { decodeCursor, encodeCursor, pagingOf } from '../http/page-query.js';
import type { ActivityService } from './activity.service.js';
import { activityActionBody } from './activity.types.js';

export interface ActivityRoutesDeps {
  activity: ActivityService;
  auth: RequestAuthenticator;
}

/** A history cursor: `[at or null, key]` of the page's last record. */
const isTimeCursor = (v: unknown): v is [string | null, string] =>
  Array.isArray(v) && v.length === 2 && (typeof v[0] === 'string' || v[0] === null) && typeof v[1] === 'string';
/** A queue cursor: `[position, key]` of the page's last record. */
const isOrderCursor = (v: unknown): v is [number, string] => Array.isArray(v) && v.length === 2 && Number.isSafeInteger(v[0]) && typeof v[1] === 'string';

const timeCursor = (c: string | undefined): GrabTimeCursor | null => {
  if (c === undefined) return null;
  const [at, key] = decodeCursor(c, 'the activity history', isTimeCursor);
  return { at, key };
};
const orderCursor = (c: string | undefined): GrabOrderCursor | null => {
  if (c === undefined) return null;
  const [position, key] = decodeCursor(c, 'the activity queue', isOrderCursor);
  return { position, key };
};

/**
 * The activity page (API.md §6). Legacy had no auth here; every route now needs a user token.
 * `queue` and `history` answer the whole list as legacy did; with `limit` and/or `cursor` they
 * answer one keyset page `{ok, items, total, nextCursor}` of the grab records instead (docs/api.md).
 */
export async function activityRoutes(app: FastifyInstance, deps: ActivityRoutesDeps): Promise<void> {
  const service = deps.activity;
  const user = { preHandler: authenticate(deps.auth, 'user') };

  app.get('/api/activity/queue', user, async (request) => {
    const paging = pagingOf(request.query);
    if (!paging) return { ok: true, items: await service.queue() };
    const page = await service.queuePage(orderCursor(paging.cursor), paging.limit);
    return { ok: true, items: page.items, total: page.total, nextCursor: page.next && encodeCursor([page.next.position, page.next.key]) };
  });
  app.get('/api/activity/history', user, async (request) => {
    const paging = pagingOf(request.query);
    if (!paging) return { ok: true, items: await service.history() };
    const { items, total, next, clientItems } = await service.historyPage(timeCursor(paging.cursor), paging.limit);
    return { ok: true, items, total, nextCursor: next && encodeCursor([next.at, next.key]), ...(clientItems ? { clientItems } : {}) };
  });
  app.get('/api/activity/live', user, async () => ({ ok: true, items: await service.live() }));
  app.post('/api/activity/action', user, async (request) => {
    await service.action(parseInput(activityActionBody, request.body));
    return { ok: true };
  });
}

import type { ServerResponse } from 'node:http';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { type AuthUser, authenticate, type RequestAuthenticator, requireUser } from '../http/auth.js';
import type { BusEvent, EventBus } from './events.bus.js';

/** What the routes need of the auth service. */
export interface StreamAuthenticator extends RequestAuthenticator {
  authenticateStreamTicket(ticket: string, role: 'user' | 'admin'): Promise<AuthUser>;
  issueStreamTicket(user: AuthUser): { ticket: string; expiresIn: number };
}

export interface EventsRoutesDeps {
  events: EventBus;
  auth: StreamAuthenticator;
  /** Comment line sent on an idle stream so proxies keep it open (default 15 s). */
  heartbeatMs?: number;
}

const HEARTBEAT_MS = 15_000;

function frame(e: BusEvent): string {
  return `id: ${e.id}\nevent: ${e.type}\ndata: ${JSON.stringify({ type: e.type, at: e.at, ...e.data })}\n\n`;
}

/**
 * GET /api/events: Server-Sent Events (text/event-stream) of the event bus, for any signed-in user.
 * Authentication: `Authorization: Bearer <access token>`, or, for a browser's EventSource (which
 * cannot set headers), `?ticket=` from POST /api/events/ticket: a 60-second token of the
 * caller's session, checked once at connect, useless as a Bearer token. The ticket is never
 * logged (the request logger cuts credential query values, logging.ts `redactUrl`).
 * A comment line every 15 s keeps proxies from closing an idle stream; every stream ends cleanly
 * when the server closes.
 */
export async function eventsRoutes(app: FastifyInstance, deps: EventsRoutesDeps): Promise<void> {
  const { events, auth } = deps;
  const open = new Set<ServerResponse>();
  const heartbeatMs = deps.heartbeatMs ?? HEARTBEAT_MS;

  app.post('/api/events/ticket', { preHandler: authenticate(auth, 'user') }, async (request) => {
    return { ok: true, ...auth.issueStreamTicket(requireUser(request)) };
  });

  async function caller(request: FastifyRequest): Promise<AuthUser> {
    const ticket = (request.query as Record<string, unknown> | undefined)?.ticket;
    if (request.headers.authorization === undefined && typeof ticket === 'string' && ticket !== '') {
      return auth.authenticateStreamTicket(ticket, 'user');
    }
    return auth.authenticateHeader(request.headers.authorization, 'user');
  }

  app.get('/api/events', async (request, reply) => {
    request.user = await caller(request);
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      // nginx: do not buffer the stream
      'x-accel-buffering': 'no',
      'x-content-type-options': 'nosniff',
    });
    res.write(`retry: 3000\n: connected\n\n`);
    open.add(res);
    const unsubscribe = events.subscribe((e) => {
      res.write(frame(e));
    });
    const heartbeat = setInterval(() => res.write(`: heartbeat ${new Date().toISOString()}\n\n`), heartbeatMs);
    heartbeat.unref();
    const done = () => {
      clearInterval(heartbeat);
      unsubscribe();
      open.delete(res);
    };
    res.once('close', done);
    request.raw.once('close', done);
  });

  // Before the server stops listening: end every stream, so close() does not wait on them.
  app.addHook('preClose', async () => {
    for (const res of open) {
      res.write(': server closing\n\n');
      res.end();
    }
    open.clear();
  });
}

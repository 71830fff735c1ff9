import { request as httpRequest, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import Fastify from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { eventsRoutes } from '../../src/events/events.routes.js';
import { HOUSEKEEPING_JOB_TYPE } from '../../src/housekeeping/housekeeping.service.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { bearer, registerAdmin, registerUser } from '../helpers/auth.js';
import { sqlEngines } from '../helpers/engines.js';

interface Stream {
  res: IncomingMessage;
  /** Everything read so far. */
  text(): string;
  /** Resolves when the text read so far matches. */
  until(re: RegExp): Promise<string>;
  ended: Promise<void>;
  close(): void;
}

/** GET a stream over a real socket on 127.0.0.1 and keep reading it. */
function openStream(port: number, path: string, headers: Record<string, string> = {}): Promise<Stream> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, headers: { accept: 'text/event-stream', ...headers } }, (res) => {
      let buf = '';
      const waiters: { re: RegExp; done: (s: string) => void }[] = [];
      const check = () => {
        for (const w of [...waiters]) {
          if (w.re.test(buf)) {
            waiters.splice(waiters.indexOf(w), 1);
            w.done(buf);
          }
        }
      };
      const ended = new Promise<void>((r) => res.once('end', () => r()));
      res.setEncoding('utf8');
      res.on('data', (d: string) => {
        buf += d;
        check();
      });
      res.on('error', () => {});
      resolve({
        res,
        text: () => buf,
        until: (re) =>
          new Promise((done, fail) => {
            waiters.push({ re, done });
            check();
            res.once('end', () => (re.test(buf) ? done(buf) : fail(new Error(`stream ended before ${re}: ${buf}`))));
          }),
        ended,
        close: () => req.destroy(),
      });
    });
    req.on('error', reject);
    req.end();
  });
}

async function body(s: Stream): Promise<string> {
  await s.ended;
  return s.text();
}

for (const engine of sqlEngines()) {
  describe(`GET /api/events (${engine})`, () => {
    let t: TestApp | undefined;
    afterEach(async () => {
      await t?.close();
      t = undefined;
    });

    async function listening(): Promise<{ t: TestApp; port: number; token: string; userToken: string }> {
      t = await createTestApp({ engine, env: { LOG_LEVEL: 'debug' } });
      const admin = await registerAdmin(t.app);
      const user = await registerUser(t.app, admin.accessToken);
      await t.app.listen({ host: '127.0.0.1', port: 0 });
      return { t, port: (t.app.server.address() as AddressInfo).port, token: admin.accessToken, userToken: user.accessToken };
    }

    it('streams job events to a Bearer client and ends the stream when the server closes', async () => {
      const { t: app, port, userToken } = await listening();
      const refused = await openStream(port, '/api/events');
      expect(refused.res.statusCode).toBe(401);
      expect(JSON.parse(await body(refused))).toEqual({ ok: false, error: 'Authentication required' });

      const s = await openStream(port, '/api/events', bearer(userToken));
      expect(s.res.statusCode).toBe(200);
      expect(s.res.headers['content-type']).toBe('text/event-stream; charset=utf-8');
      await s.until(/: connected\n\n/);

      const ok = await app.ctx.stores.jobs.enqueue(HOUSEKEEPING_JOB_TYPE, null, { id: 'hk-event-test' });
      const broken = await app.ctx.stores.jobs.enqueue('no-such-job-type', { n: 1 });
      await s.until(new RegExp(`event: job.failed\\ndata: [^\\n]*${broken}`));
      await s.until(new RegExp(`event: job.completed\\ndata: [^\\n]*${ok}`));
      const frames = s
        .text()
        .split('\n\n')
        .filter((f) => f.includes('\ndata: '))
        .map((f) => {
          const [, id, type, data] = /^id: (\d+)\nevent: ([a-z.]+)\ndata: (.*)$/.exec(f) ?? [];
          return { id: Number(id), type, data: JSON.parse(data ?? 'null') as { type: string; job: { id: string }; error?: string } };
        });
      const of = (id: string) => frames.filter((f) => f.data.job.id === id).map((f) => f.type);
      expect(of(ok)).toEqual(['job.queued', 'job.started', 'job.completed']);
      expect(of(broken)).toEqual(['job.queued', 'job.started', 'job.failed']);
      expect(frames.find((f) => f.type === 'job.failed')?.data).toMatchObject({
        type: 'job.failed',
        job: { id: broken, type: 'no-such-job-type' },
        error: 'no handler for job type "no-such-job-type"',
        willRetry: false,
      });
      // ids increase
      expect(frames.map((f) => f.id)).toEqual([...frames.map((f) => f.id)].sort((a, b) => a - b));

      // closing the server ends the open stream cleanly (close() would otherwise wait on it)
      await app.app.close();
      expect(await body(s)).toMatch(/: server closing\n\n$/);
      expect(app.ctx.services.events.size).toBe(0);
    });

    it('lets an EventSource in with a short-lived ticket of its session; never logs the ticket', async () => {
      const { t: app, port, token } = await listening();
      const issued = await app.app.inject({ method: 'POST', url: '/api/events/ticket', headers: bearer(token) });
      expect(issued.statusCode).toBe(200);
      const { ticket, expiresIn } = issued.json() as { ticket: string; expiresIn: number };
      expect(expiresIn).toBe(60);
      expect((await app.app.inject({ method: 'POST', url: '/api/events/ticket' })).statusCode).toBe(401);

      const s = await openStream(port, `/api/events?ticket=${encodeURIComponent(ticket)}`);
      expect(s.res.statusCode).toBe(200);
      await s.until(/: connected\n\n/);
      s.close();

      // a ticket is not a Bearer token, an access token is not a ticket, a forged one is refused
      const asBearer = await app.app.inject({ method: 'GET', url: '/api/wanted', headers: bearer(ticket) });
      expect(asBearer.json()).toEqual({ ok: false, error: 'Invalid token' });
      for (const bad of [token, `${ticket}x`]) {
        const r = await openStream(port, `/api/events?ticket=${encodeURIComponent(bad)}`);
        expect(r.res.statusCode).toBe(401);
        expect(JSON.parse(await body(r))).toEqual({ ok: false, error: 'Invalid token' });
      }
      // after logout the session's ticket no longer opens a stream
      await app.app.inject({ method: 'POST', url: '/api/auth/logout', headers: bearer(token), payload: {} });
      const revoked = await openStream(port, `/api/events?ticket=${encodeURIComponent(ticket)}`);
      expect(revoked.res.statusCode).toBe(401);
      expect(JSON.parse(await body(revoked))).toEqual({ ok: false, error: 'Session revoked' });

      const logs = app.logs.join('\n');
      expect(logs).toContain('/api/events?ticket=[redacted]');
      expect(logs).not.toContain(ticket.split('.')[2]);
    });

    it('sends a heartbeat comment on an idle stream', async () => {
      // idle: the upkeep jobs queued at start (housekeeping.schedule.ts) off, so no job event reaches the stream
      const upkeepOff = {
        MEDIAOS_HOUSEKEEPING_HOURS: '0',
        MEDIAOS_DB_OPTIMIZE_HOURS: '0',
        MEDIAOS_WAL_CHECKPOINT_MINUTES: '0',
        MEDIAOS_INTEGRITY_CHECK_HOURS: '0',
      };
      t = await createTestApp({ engine, env: upkeepOff });
      const admin = await registerAdmin(t.app);
      // the same routes with the app's real auth service and bus, on a heartbeat short enough to wait for
      const small = Fastify();
      await small.register(async (i) => eventsRoutes(i, { events: t!.ctx.services.events, auth: t!.ctx.services.auth, heartbeatMs: 50 }));
      await small.listen({ host: '127.0.0.1', port: 0 });
      try {
        const s = await openStream((small.server.address() as AddressInfo).port, '/api/events', bearer(admin.accessToken));
        await s.until(/: heartbeat [0-9TZ:.-]+\n\n[\s\S]*: heartbeat /);
        expect(s.text()).not.toContain('event:');
      } finally {
        await small.close();
      }
    });
  });
}

import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Worker } from 'node:worker_threads';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { sendJsonList } from '../../src/http/json-list.js';
import { createTurns, registerTurns } from '../../src/http/turns.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { bearer, registerAdmin } from '../helpers/auth.js';
import { sqlEngines } from '../helpers/engines.js';

/**
 * The client side of `answeredBeforeAccept`, in a worker thread (its own event loop, so it goes on
 * while the server's thread is held): K keep-alive connections that each got one answer, then
 * one more request on each of them and, after those, one new connection with a request.
 */
const CLIENT = `
const net = require('node:net');
const { workerData, parentPort } = require('node:worker_threads');
const { port, k, head, flag } = workerData;
const held = new Int32Array(flag);
const open = (onAnswer) => new Promise((resolve) => {
  const s = net.connect(port, '127.0.0.1', () => resolve(s));
  let buf = '';
  s.on('data', (d) => { buf += d; let i; while ((i = buf.indexOf('\\r\\n\\r\\n')) >= 0) { const m = /content-length: (\\d+)/i.exec(buf.slice(0, i)); const n = i + 4 + Number(m ? m[1] : 0); if (buf.length < n) break; buf = buf.slice(n); onAnswer(); } });
});
(async () => {
  let answers = 0;
  let want = k;
  let wake = () => {};
  const answered = () => { answers++; if (answers === want) wake(); };
  const until = (n) => new Promise((r) => { want = n; wake = r; if (answers >= n) r(); });
  const sockets = await Promise.all(Array.from({ length: k }, () => open(answered)));
  for (const s of sockets) s.write(head);
  await until(k);
  parentPort.postMessage('ready');
  parentPort.once('message', async () => {
    // The server's thread is held now: everything below waits for its next poll.
    for (const s of sockets) s.write(head);
    const late = await open(answered);
    late.write(head);
    await new Promise((r) => setTimeout(r, 50)); // let loopback deliver the last ACK and bytes
    Atomics.store(held, 0, 1);
    Atomics.notify(held, 0);
    await until(2 * k + 1);
    for (const s of [...sockets, late]) s.destroy();
    parentPort.postMessage('done');
  });
})();
`;

/**
 * How many of K ready requests the server answered before it accepted a connection that
 * arrived after them, all within one poll of its event loop: the server's thread is held (as a
 * long synchronous stretch would hold it) while K kept-alive connections send a request each
 * and then a new client connects.
 */
async function answeredBeforeAccept(app: FastifyInstance, k: number, path: string, headers: Record<string, string> = {}): Promise<number> {
  const port = (app.server.address() as AddressInfo).port;
  const head = `GET ${path} HTTP/1.1\r\nhost: 127.0.0.1\r\n${Object.entries(headers)
    .map(([n, v]) => `${n}: ${v}\r\n`)
    .join('')}\r\n`;
  let connections = 0;
  let answered = 0;
  let atAccept = -1;
  const onConnection = () => {
    connections += 1;
    if (connections === k + 1) atAccept = answered;
  };
  const onRequest = (_req: unknown, res: import('node:http').ServerResponse) => res.once('finish', () => (answered += 1));
  app.server.on('connection', onConnection);
  app.server.on('request', onRequest);
  const flag = new SharedArrayBuffer(4);
  const worker = new Worker(CLIENT, { eval: true, workerData: { port, k, head, flag } });
  try {
    await new Promise<void>((resolve, reject) => {
      worker.once('error', reject);
      worker.on('message', (m) => {
        if (m === 'ready') {
          answered = 0; // the first round's answers
          worker.postMessage('go');
          // Holds this thread until the client has sent everything (bounded: 10 s).
          Atomics.wait(new Int32Array(flag), 0, 0, 10_000);
        }
        if (m === 'done') resolve();
      });
    });
  } finally {
    await worker.terminate();
    app.server.off('connection', onConnection);
    app.server.off('request', onRequest);
  }
  expect(answered).toBe(k + 1);
  expect(connections).toBe(k + 1);
  return atAccept;
}

/** A route that works synchronously for a while, as a better-sqlite3 query does. */
function syncApp(withTurns: boolean): FastifyInstance {
  const app = Fastify();
  if (withTurns) registerTurns(app, createTurns({ sliceMs: 2 }));
  app.get('/work', async () => {
    let x = 0;
    for (let i = 0; i < 200_000; i++) x += i % 7;
    return { x };
  });
  return app;
}

describe('requests take turns so the event loop accepts connections under load', () => {
  let app: FastifyInstance | undefined;
  afterEach(async () => app?.close());

  it('without turns, a new connection waits until every request of that poll has run (libuv accepts one connection per poll)', async () => {
    app = syncApp(false);
    await app.listen({ host: '127.0.0.1', port: 0 });
    expect(await answeredBeforeAccept(app, 30, '/work')).toBe(30);
  });

  it('with turns, the new connection is accepted before those requests run', async () => {
    app = syncApp(true);
    await app.listen({ host: '127.0.0.1', port: 0 });
    expect(await answeredBeforeAccept(app, 30, '/work')).toBe(0);
  });
});

describe('a streamed list takes turns', () => {
  let app: FastifyInstance | undefined;
  afterEach(async () => app?.close());

  it('answers a request that arrives while a list streams before the list ends', async () => {
    app = Fastify();
    registerTurns(app);
    const events: string[] = [];
    async function* batches(): AsyncGenerator<{ n: number }[]> {
      for (let b = 0; b < 8; b++) {
        // Each batch spends more than a slice, synchronously, as a SQLite batch does.
        const until = performance.now() + 3;
        while (performance.now() < until);
        events.push(`batch ${b}`);
        yield [{ n: b }];
      }
    }
    app.get('/list', (_req, reply) => sendJsonList(reply, '{"items":', batches()));
    app.get('/ping', async () => {
      events.push('ping');
      return { ok: true };
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const port = (app.server.address() as AddressInfo).port;
    const get = (path: string, onFirstData?: () => void) =>
      new Promise<string>((resolve, reject) => {
        request({ host: '127.0.0.1', port, path }, (res) => {
          let body = '';
          res.on('data', (d) => {
            if (!body) onFirstData?.();
            body += d;
          });
          res.on('end', () => resolve(body));
        })
          .on('error', reject)
          .end();
      });
    let ping: Promise<string> | undefined;
    const list = await get('/list', () => {
      ping = get('/ping');
    });
    events.push('list end');
    expect(JSON.parse(list).items).toHaveLength(8);
    expect(JSON.parse((await ping) ?? '')).toEqual({ ok: true });
    // The ping ran between two batches of the list, not after its last one.
    expect(events.indexOf('ping')).toBeGreaterThan(-1);
    expect(events.indexOf('ping')).toBeLessThan(events.indexOf('batch 7'));
  });
});

describe('createTurns', () => {
  it('runs in arrival order, at once while the slice has time, and ends a turn when the slice is spent', async () => {
    let clock = 0;
    const turns = createTurns({ sliceMs: 2, now: () => clock });
    const ran: string[] = [];
    const work = (name: string) => () => {
      ran.push(name);
      clock += 1; // each request costs 1 ms
    };
    for (const n of ['a', 'b', 'c', 'd', 'e']) turns.take(work(n));
    // The slice had not started: all wait for the next turn.
    expect(ran).toEqual([]);
    expect(turns.waiting()).toBe(5);
    // A turn runs requests for 2 ms of the clock, then the loop polls (a setImmediate queued
    // between turns runs between them).
    const seen: string[][] = [];
    for (let i = 0; i < 3; i++) {
      await new Promise((r) => setImmediate(r));
      seen.push([...ran]);
    }
    expect(ran).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(seen[0].length).toBeLessThan(5);
    expect(turns.waiting()).toBe(0);
    // Nothing waits and the last slice is spent: the next one waits a turn too, then the slice
    // it starts has time for one that arrives in it.
    turns.take(work('f'));
    expect(ran).toHaveLength(5);
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    expect(ran).toHaveLength(6);
    clock -= 1;
    turns.take(work('g'));
    expect(ran.at(-1)).toBe('g');
  });
});

describe('resumed work', () => {
  it('alternates with requests not yet begun, each in arrival order', async () => {
    const turns = createTurns({ sliceMs: 1000 });
    const ran: string[] = [];
    // A spent slice: everything waits for the next turn.
    for (const n of ['a', 'b', 'c']) turns.take(() => ran.push(n));
    for (const n of ['x', 'y']) turns.resume(() => ran.push(n));
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    expect(ran).toEqual(['x', 'a', 'y', 'b', 'c']);
  });
});

for (const engine of sqlEngines()) {
  describe(`the app takes requests in turns on ${engine}`, () => {
    let t: TestApp | undefined;
    afterEach(async () => t?.close());

    it('a new connection is accepted before the ready requests of the connections already open run', async () => {
      t = await createTestApp({ engine });
      const { accessToken } = await registerAdmin(t.app);
      await t.app.listen({ host: '127.0.0.1', port: 0 });
      expect(await answeredBeforeAccept(t.app, 20, '/api/library?limit=20', bearer(accessToken))).toBe(0);
    });
  });
}

import { Writable } from 'node:stream';
import Fastify, { LogController } from 'fastify';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { loggerOptions, REDACT_PATHS, requestLoggerFactory } from '../../src/logging.js';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split('\n')) if (line) lines.push(JSON.parse(line));
      done();
    },
  });
  return { lines, stream };
}

describe('request.log made on first use', () => {
  it('writes what a request logs with its reqId, redacted, at the server level; makes no child for a request that logs nothing', async () => {
    const { lines, stream } = capture();
    const root = pino({ level: 'info', redact: { paths: REDACT_PATHS, censor: '[redacted]' } }, stream);
    let children = 0;
    const child = root.child.bind(root);
    root.child = ((...args: Parameters<typeof root.child>) => {
      children += 1;
      return child(...args);
    }) as typeof root.child;
    const app = Fastify({ loggerInstance: root, childLoggerFactory: requestLoggerFactory, logController: new LogController({ disableRequestLogging: true }) });
    app.get('/quiet', async (request) => {
      request.log.debug('below the level');
      return { ok: true };
    });
    app.get('/logs', async (request) => {
      request.log.info({ user: { password: 'hunter2' } }, 'something happened');
      request.log.warn('and again');
      return { ok: true, enabled: request.log.level };
    });
    app.get('/verbose', { logLevel: 'debug' }, async (request) => {
      request.log.debug('route at debug');
      return { ok: true };
    });
    await app.ready();
    children = 0;
    expect((await app.inject('/quiet')).statusCode).toBe(200);
    expect(children).toBe(0);
    expect(lines).toEqual([]);
    const res = await app.inject('/logs');
    expect(res.json()).toEqual({ ok: true, enabled: 'info' });
    expect(children).toBe(1);
    expect(lines.map((l) => l.msg)).toEqual(['something happened', 'and again']);
    expect(lines[0]).toMatchObject({ reqId: expect.any(String), user: { password: '[redacted]' } });
    expect(lines[1]?.reqId).toBe(lines[0]?.reqId);
    await app.inject('/verbose');
    expect(lines.at(-1)).toMatchObject({ msg: 'route at debug', level: 20 });
    await app.close();
  });

  it('is what the app uses: a route error is logged with the request id', async () => {
    const { lines, stream } = capture();
    const app = Fastify({ logger: loggerOptions('info', stream), childLoggerFactory: requestLoggerFactory });
    app.get('/boom', async () => {
      throw new Error('boom');
    });
    expect((await app.inject('/boom')).statusCode).toBe(500);
    const error = lines.find((l) => l.level === 50);
    expect(error).toMatchObject({ reqId: expect.any(String), err: { message: 'boom' } });
    await app.close();
  });
});

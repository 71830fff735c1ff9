import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import helmet from 'helmet';

/**
 * Helmet's default security headers on every response (as legacy sent them), computed ONCE.
 *
 * @fastify/helmet built a new helmet middleware on every request (parsing the CSP directives
 * again each time) in two onRequest hooks, one of them async: ~25 µs of the ~0.5 ms a library
 * page costs. Our headers are static (no CSP nonces, no per-route helmet options), so we run
 * helmet's middleware once against a recording response and set the same headers, in the same
 * order, on each response's raw object at onRequest, as helmet itself does.
 */
export function helmetHeaders(): [name: string, value: string][] {
  const headers: [string, string][] = [];
  const recorder = {
    setHeader(name: string, value: string | number | readonly string[]) {
      const i = headers.findIndex(([n]) => n.toLowerCase() === name.toLowerCase());
      const entry: [string, string] = [name, String(value)];
      if (i >= 0) headers[i] = entry;
      else headers.push(entry);
    },
    removeHeader(name: string) {
      const i = headers.findIndex(([n]) => n.toLowerCase() === name.toLowerCase());
      if (i >= 0) headers.splice(i, 1);
    },
  };
  let failure: unknown;
  helmet()({} as IncomingMessage, recorder as unknown as ServerResponse, (err?: unknown) => {
    failure = err;
  });
  if (failure) throw failure instanceof Error ? failure : new Error(String(failure));
  return headers;
}

/** Adds the security headers to every response (404s and errors included). */
export function registerSecurityHeaders(app: FastifyInstance): void {
  const headers = helmetHeaders();
  app.addHook('onRequest', (_request, reply, done) => {
    const res = reply.raw;
    for (let i = 0; i < headers.length; i++) res.setHeader(headers[i][0], headers[i][1]);
    done();
  });
}

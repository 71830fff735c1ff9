import type { FastifyInstance, FastifyReply, FastifyRequest, FastifyServerOptions } from 'fastify';

/**
 * How requests reach the routes, made to fit the clients written for the legacy server
 * (API.md §0.1, NOTES.md §1). Register before any route.
 */

/**
 * TRUST_PROXY (config.trustProxy) as Fastify takes it. Fastify 5 answers a bare hop count by
 * trusting nothing (it cannot check the peer), so a count becomes "the nearest N hops", what
 * proxy-addr did: right only when clients cannot reach the server except through the proxies.
 */
export function trustProxyOption(value: boolean | number | string[]): FastifyServerOptions['trustProxy'] {
  if (typeof value !== 'number') return value;
  return (_address: string, hop: number) => hop < value;
}

/**
 * JSON bodies: Fastify's own parser (prototype-poisoning protection, the legacy 400
 * FST_ERR_CTP_INVALID_JSON_BODY for bad JSON), except that an EMPTY body is "no body". The legacy
 * web UI's `post(url)` sends `Content-Type: application/json` without a body, which legacy
 * answered 400 FST_ERR_CTP_EMPTY_JSON_BODY (e.g. `POST /api/onboarding/scan`); now a route that
 * needs no body just works and one that needs it answers its own 400 `{ok:false,error}`.
 */
export function registerJsonParser(app: FastifyInstance): void {
  // JSON and multipart only (API.md §0.1): Fastify would parse text/plain into a string that each
  // route then refused differently; now it is the documented 415 FST_ERR_CTP_INVALID_MEDIA_TYPE.
  app.removeContentTypeParser('text/plain');
  const parse = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (body.length === 0) return done(null, undefined);
    parse(request, body as string, done);
  });
}

/** Unknown route: JSON 404 in our envelope, keeping legacy Fastify's `message` and `statusCode`. */
export function registerNotFound(app: FastifyInstance, pageFallback?: (request: FastifyRequest, reply: FastifyReply) => boolean): void {
  app.setNotFoundHandler((request: FastifyRequest, reply: FastifyReply) => {
    // A browser asking for a page of the web app gets index.html (its router shows the page).
    if (pageFallback?.(request, reply)) return reply;
    return reply.status(404).send({ ok: false, error: 'not_found', message: `Route ${request.method}:${request.url} not found`, statusCode: 404 });
  });
}

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

/**
 * OPTIONS when CORS is off (with CORS on, @fastify/cors answers preflights): 204 with an `Allow`
 * header listing the methods the path serves, or the JSON 404 for an unknown path. No CORS
 * headers, so a cross-origin browser is still refused.
 */
export function registerOptions(app: FastifyInstance): void {
  app.options('*', { config: { rateLimit: false } }, async (request, reply) => {
    const path = request.url.split('?')[0];
    const allowed = METHODS.filter((method) => app.findRoute({ method, url: path }) !== null);
    if (!allowed.length) return reply.callNotFound();
    return reply
      .status(204)
      .header('allow', [...allowed, 'OPTIONS'].join(', '))
      .send();
  });
}

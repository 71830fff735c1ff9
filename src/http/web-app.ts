import { existsSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/**
 * The web app's CSP: helmet's defaults (what the API sends) with two changes the app needs.
 * `img-src` adds https: for posters hosted by metadata services; `upgrade-insecure-requests` is
 * dropped because the server is usually reached over plain http on a LAN, where it would turn
 * every asset request into an https one that nothing answers. Scripts and styles stay 'self'
 * only: the build has no inline script or style element.
 */
export const WEB_CSP = [
  "default-src 'self'",
  "base-uri 'self'",
  "font-src 'self' data:",
  "form-action 'self'",
  "frame-ancestors 'self'",
  "img-src 'self' data: https:",
  "object-src 'none'",
  "script-src 'self'",
  "script-src-attr 'none'",
  "style-src 'self'",
  "connect-src 'self'",
].join(';');

/** Hashed build outputs (Vite's assets/name-HASH.ext) never change: cache them for a year. */
export const IMMUTABLE = 'public, max-age=31536000, immutable';
/** index.html and the unhashed files are revalidated on every load, so a new build shows at once. */
export const REVALIDATE = 'no-cache';

/** A GET/HEAD for a page of the app (not the API, not metrics) from a browser that accepts HTML. */
export function isAppPageRequest(request: FastifyRequest): boolean {
  if (request.method !== 'GET' && request.method !== 'HEAD') return false;
  const path = request.url.split('?')[0];
  if (path === '/api' || path.startsWith('/api/') || path === '/metrics' || path.startsWith('/metrics/')) return false;
  const accept = request.headers.accept ?? '';
  return accept.includes('text/html');
}

const NOT_BUILT =
  'The MediaOS web app is not built, so there is no page to show here (the API under /api/ works).\n' +
  'Build it with `npm run build:web` (`npm ci` does it too), or point MEDIAOS_WEB_DIR at a built web app folder.\n';

/** Sets the web CSP on a response the app loads (over the API's, set at onRequest). */
function webHeaders(res: { setHeader(name: string, value: string): unknown }, cache: string): void {
  res.setHeader('content-security-policy', WEB_CSP);
  res.setHeader('cache-control', cache);
}

export interface WebApp {
  /** Answers a browser's page request with index.html (the SPA fallback); false when not one. */
  fallback(request: FastifyRequest, reply: FastifyReply): boolean;
  built: boolean;
}

/**
 * Serves the built web app from `dir` at `/`: the files with precompressed .br/.gz variants when
 * the browser accepts them, hashed assets immutable, index.html revalidated. When `dir` holds
 * no index.html, `/` and page requests answer 503 with a plain message saying how to build it.
 */
export async function registerWebApp(app: FastifyInstance, dir: string): Promise<WebApp> {
  const built = existsSync(join(dir, 'index.html'));
  if (!built) {
    const notBuilt = (reply: FastifyReply) => {
      reply.status(503).type('text/plain; charset=utf-8').header('cache-control', REVALIDATE).send(NOT_BUILT);
    };
    app.get('/', (_request, reply) => notBuilt(reply));
    return {
      built,
      fallback(request, reply) {
        if (!isAppPageRequest(request)) return false;
        notBuilt(reply);
        return true;
      },
    };
  }
  await app.register(fastifyStatic, {
    root: dir,
    prefix: '/',
    // One route per built file (read at start): an unknown path falls to the not-found handler,
    // which answers index.html to a browser and the JSON 404 to everything else.
    wildcard: false,
    globIgnore: ['**/*.gz', '**/*.br'],
    preCompressed: true,
    cacheControl: false,
    setHeaders(res, path) {
      webHeaders(res, path.includes('/assets/') ? IMMUTABLE : REVALIDATE);
    },
  });
  return {
    built,
    fallback(request, reply) {
      if (!isAppPageRequest(request)) return false;
      reply.sendFile('index.html');
      return true;
    },
  };
}

import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { authenticate, type RequestAuthenticator } from '../http/auth.js';
import type { Metrics } from './metrics.js';
import { runInRequestScope } from './request-scope.js';

export interface MetricsRoutesDeps {
  metrics: Pick<Metrics, 'render'>;
  auth: RequestAuthenticator;
  /** MEDIAOS_METRICS_TOKEN: a scraper's bearer token; unset, only admins may read. */
  token?: string;
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * GET /metrics: Prometheus text. Readable with `Authorization: Bearer <MEDIAOS_METRICS_TOKEN>`
 * when that is set, else (and also) with an admin's access token. Never open: the route names,
 * job counts and backup age tell an outsider more than they should.
 */
export async function metricsRoutes(app: FastifyInstance, deps: MetricsRoutesDeps): Promise<void> {
  const admin = authenticate(deps.auth, 'admin');
  app.get(
    '/metrics',
    {
      config: { rateLimit: false },
      preHandler: async (request, reply) => {
        const header = request.headers.authorization;
        if (deps.token && typeof header === 'string' && header.startsWith('Bearer ') && sameSecret(header.slice(7), deps.token)) return;
        await admin.call(app, request, reply);
      },
    },
    async (_request, reply) => {
      const { contentType, body } = await deps.metrics.render();
      reply.header('content-type', contentType);
      reply.header('cache-control', 'no-store');
      return body;
    },
  );
}

/**
 * The request hooks behind the HTTP metrics and the slow-query log's route: every request runs
 * in a scope naming its route pattern, and its answer is counted with its latency.
 */
export function registerRequestMetrics(app: FastifyInstance, metrics: Pick<Metrics, 'observeRequest' | 'stop'>): void {
  app.addHook('onClose', async () => metrics.stop());
  app.addHook('onRequest', (request, _reply, done) => {
    runInRequestScope({ method: request.method, route: request.routeOptions.url ?? 'unmatched' }, done);
  });
  app.addHook('onResponse', (request, reply, done) => {
    metrics.observeRequest(request.method, request.routeOptions.url ?? 'unmatched', reply.statusCode, reply.elapsedTime / 1000);
    done();
  });
}

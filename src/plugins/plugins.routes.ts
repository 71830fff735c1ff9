import type { FastifyInstance } from 'fastify';
import { authenticate, type RequestAuthenticator } from '../http/auth.js';

export interface PluginsRoutesDeps {
  auth: RequestAuthenticator;
}

/**
 * Plugins (API.md §16), in the legacy `success` envelope. Legacy listed three hard-coded demo
 * entries that did nothing and toggled them in memory; there are no plugins here, so the list is
 * empty and every toggle answers the legacy 404 `{success:false,message:"Plugin not found"}`.
 */
export async function pluginsRoutes(app: FastifyInstance, deps: PluginsRoutesDeps): Promise<void> {
  const user = { preHandler: authenticate(deps.auth, 'user') };
  app.get('/api/plugins', user, async () => ({ success: true, plugins: [] }));
  app.post<{ Params: { id: string } }>('/api/plugins/:id/toggle', user, async (_request, reply) => {
    return reply.status(404).send({ success: false, message: 'Plugin not found' });
  });
}

import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../app.js';

// ---- each domain adds its import and one register line below ----
// (route imports)

/** Registers every domain's routes, each as an encapsulated plugin. */
export async function registerDomainRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  void ctx;
  // (route registrations)
}

import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../app.js';
import { authenticate } from '../http/auth.js';
import { buildCalendar } from './calendar.service.js';

export async function calendarRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  // Synthetic events (see buildCalendar). Legacy answered `{events:[]}` on any error; so do we,
  // but the error is logged.
  app.get('/api/calendar', { preHandler: authenticate(ctx, 'user') }, async (request) => {
    try {
      return buildCalendar(await ctx.stores.wanted.list(), ctx.now());
    } catch (err) {
      request.log.error({ err }, 'calendar: reading the wanted list failed');
      return { events: [] };
    }
  });
}

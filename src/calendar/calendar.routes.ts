import type { FastifyInstance } from 'fastify';
import { authenticate, type RequestAuthenticator } from '../http/auth.js';
import type { WantedStore } from '../wanted/wanted.store.js';
import { buildCalendar } from './calendar.service.js';

export interface CalendarRoutesDeps {
  wanted: Pick<WantedStore, 'list'>;
  now: () => Date;
  auth: RequestAuthenticator;
}

export async function calendarRoutes(app: FastifyInstance, deps: CalendarRoutesDeps): Promise<void> {
  // Synthetic events (see buildCalendar). Legacy answered `{events:[]}` on any error; so do we,
  // but the error is logged.
  app.get('/api/calendar', { preHandler: authenticate(deps.auth, 'user') }, async (request) => {
    try {
      return buildCalendar(await deps.wanted.list(), deps.now());
    } catch (err) {
      request.log.error({ err }, 'calendar: reading the wanted list failed');
      return { events: [] };
    }
  });
}

import { AsyncLocalStorage } from 'node:async_hooks';

/** What a statement knows about the request it runs for (the slow-query log names the route). */
export interface RequestScope {
  method: string;
  /** The route pattern (`/api/users/:id`), never the URL with its ids and query. */
  route: string;
}

const scope = new AsyncLocalStorage<RequestScope>();

/** Runs `fn` (Fastify's `done`: the rest of the request) inside the request's scope. */
export function runInRequestScope(s: RequestScope, fn: () => void): void {
  scope.run(s, fn);
}

/** The scope of the request this code runs for, if any (jobs and startup run outside one). */
export function currentRequestScope(): RequestScope | undefined {
  return scope.getStore();
}

/**
 * One statement for every request that asks the same thing while it runs (the caches of counts
 * and pages: when an entry expires under load, every waiting request would otherwise run it at once).
 */
export function shareFlight<R>(pending: Map<string, Promise<R>>, key: string, run: () => Promise<R>): Promise<R> {
  const inFlight = pending.get(key);
  if (inFlight) return inFlight;
  const running = run().finally(() => pending.delete(key));
  pending.set(key, running);
  return running;
}

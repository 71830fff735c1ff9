/**
 * The download clients' own history as the paged activity history carries it (`clientItems` of the
 * first page), remembered so a page of grab records does not wait on an outside system.
 *
 * Why: the first page used to ask every active client on every request. A client that is set up
 * but unreachable then costs each page its lookup or connect: a host name the resolver cannot
 * answer stalls for the resolver's 5 s retry (measured: 1 to 10 of 200 pages at 5.0 s), a host
 * that drops packets for the client's whole timeout (8 s by default). Now:
 * - an answer younger than `freshMs` is served as it is;
 * - an older one (up to `maxAgeMs`) is served too, and one refresh starts behind it;
 * - none, one too old, or one for other client settings (`key`): the request waits for the
 *   clients, as before. Requests that arrive meanwhile share that one call.
 * The whole history (v0.3, no paging params) still asks the clients every time; its answer is
 * remembered here as well, so a page after it is fresh.
 */

/** A remembered answer is served without asking the clients for this long. */
export const CLIENT_HISTORY_FRESH_MS = 15_000;
/** Older than this it is not served: the request waits for the clients. */
export const CLIENT_HISTORY_MAX_AGE_MS = 10 * 60_000;

export interface ClientHistoryMemo<T> {
  /** The answer for `key` (the client settings it depends on), asking `load` only when needed. */
  get(key: string, load: () => Promise<T>): Promise<T>;
  /** An answer fetched elsewhere (the whole history), asked for at `at`. */
  remember(key: string, value: T, at: number): void;
}

export function createClientHistoryMemo<T>(opts: { now: () => number; freshMs?: number; maxAgeMs?: number }): ClientHistoryMemo<T> {
  const freshMs = opts.freshMs ?? CLIENT_HISTORY_FRESH_MS;
  const maxAgeMs = opts.maxAgeMs ?? CLIENT_HISTORY_MAX_AGE_MS;
  let kept: { key: string; value: T; at: number } | undefined;
  let flight: { key: string; promise: Promise<T> } | undefined;

  function remember(key: string, value: T, at: number): void {
    // A slower, older call must not replace a newer answer for the same settings.
    if (kept && kept.key === key && kept.at > at) return;
    kept = { key, value, at };
  }

  function refresh(key: string, load: () => Promise<T>): Promise<T> {
    if (flight?.key === key) return flight.promise;
    const at = opts.now();
    const promise = load()
      .then((value) => {
        remember(key, value, at);
        return value;
      })
      .finally(() => {
        if (flight?.promise === promise) flight = undefined;
      });
    flight = { key, promise };
    return promise;
  }

  return {
    get(key, load) {
      const age = kept?.key === key ? opts.now() - kept.at : Number.POSITIVE_INFINITY;
      if (kept && age < freshMs) return Promise.resolve(kept.value);
      if (kept && age < maxAgeMs) {
        // Served as it is; a failed refresh leaves it in place (the next request tries again). The
        // service's `load` reports its own failures (logged once per streak: activity.service.ts).
        refresh(key, load).catch(() => undefined);
        return Promise.resolve(kept.value);
      }
      return refresh(key, load);
    },
    remember,
  };
}

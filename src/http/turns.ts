import type { FastifyInstance } from 'fastify';

/**
 * Requests take turns in slices of the event loop, so the loop comes back to the listening
 * socket between slices.
 *
 * Why: libuv (1.45 on, so Node 20) accepts ONE connection each time the event loop polls, and a
 * poll hands over every socket that has a request waiting. On SQLite a request runs to its end
 * synchronously (better-sqlite3), so under 1,000 busy connections one turn of the loop ran the
 * requests of all the connections it had already accepted (~450 requests, 0.3-8 s) before it
 * accepted one more: the other ~550 connections sat in the kernel's accept queue for the whole
 * run (measured: accept queue 555, the server took one connection every 5-8 s).
 *
 * How: a request that arrives while its slice of the loop is spent (or while others wait) waits
 * in one FIFO queue; each turn of the loop runs waiting requests until `sliceMs` has passed,
 * then lets the loop poll again (one more accept, and the requests of the sockets that became
 * readable). A request that arrives while nothing waits and the slice has time left runs at once.
 * Nothing else changes: the same requests run the same code in the same order they arrived.
 * Work runs as microtasks after each setImmediate callback, so each turn has `slots` callbacks
 * queued for it (immediates queued during a turn run in the next one); the number follows how
 * many requests the last turn ran.
 */
export interface Turns {
  /** Calls `run` now or in a later turn of the loop, in arrival order. */
  take(run: () => void): void;
  /**
   * For work already under way (the next batch of a streamed answer): runs in a later turn, in
   * its own FIFO that alternates with the requests not yet begun (a list of 100 batches does not
   * wait behind a thousand requests 100 times); the loop still polls between turns.
   */
  resume(run: () => void): void;
  /** Requests and resumed work waiting for a turn. */
  waiting(): number;
}

export const DEFAULT_SLICE_MS = 2;

// Taken once: a test that fakes the timers later must not stop every request.
const later = globalThis.setImmediate;

export function createTurns(opts: { sliceMs?: number; now?: () => number } = {}): Turns {
  const sliceMs = opts.sliceMs ?? DEFAULT_SLICE_MS;
  const now = opts.now ?? (() => performance.now());
  const fresh = fifo();
  const resumed = fifo();
  let sliceEnds = Number.NEGATIVE_INFINITY;
  let slots = 0;
  let ranThisTurn = 0;
  let ranLastTurn = 0;
  let lastWasResumed = false;

  const waiting = () => fresh.size() + resumed.size();

  const startTurn = () => {
    sliceEnds = now() + sliceMs;
    ranThisTurn = 0;
  };

  const slot = () => {
    slots -= 1;
    // The first slot of a turn always runs one: every turn moves the queue.
    if (waiting() > 0 && (ranThisTurn === 0 || now() < sliceEnds)) {
      // While both wait, they alternate: an answer begun moves on without waiting behind every
      // request that has not started, and those still get every other run.
      const fromResumed = resumed.size() > 0 && (fresh.size() === 0 || !lastWasResumed);
      lastWasResumed = fromResumed;
      const run = (fromResumed ? resumed : fresh).shift();
      ranThisTurn += 1;
      run();
    }
    if (slots === 0) {
      ranLastTurn = ranThisTurn;
      schedule();
    }
  };

  /** Queues the next turn: its start, then one slot per request it may run. */
  const schedule = () => {
    if (slots > 0 || waiting() === 0) return;
    later(startTurn);
    const n = Math.min(waiting(), Math.max(8, ranLastTurn * 2));
    slots += n;
    for (let i = 0; i < n; i++) later(slot);
  };

  return {
    take(run) {
      if (waiting() === 0 && now() < sliceEnds) return run();
      // Not bound to the caller's async context (AsyncResource.bind cost ~50 us a request with
      // AsyncLocalStorage in use): the hook comes before the ones that open a request's scope
      // (metrics, read replicas), and those set it for everything after them.
      fresh.push(run);
      schedule();
    },
    resume(run) {
      resumed.push(run);
      schedule();
    },
    waiting,
  };
}

function noop(): void {}

/** A FIFO without Array#shift's O(n): `head` is the index of the next item. */
function fifo() {
  let items: (() => void)[] = [];
  let head = 0;
  return {
    size: () => items.length - head,
    push: (run: () => void) => items.push(run),
    shift(): () => void {
      const run = items[head];
      items[head] = noop;
      head += 1;
      if (head === items.length) {
        items = [];
        head = 0;
      }
      return run;
    },
  };
}

/** The turns of this thread's event loop: every app and streamed answer of the process shares them. */
export const loopTurns: Turns = createTurns();

/** Resolves in a later turn, ahead of requests not yet begun: for the further batches of a streamed answer. */
export function nextTurn(turns: Turns = loopTurns): Promise<void> {
  return new Promise((resolve) => turns.resume(resolve));
}

/**
 * Every request waits for its turn before anything else runs for it. Register it before any
 * hook that opens an AsyncLocalStorage scope: the request goes on in the context of the turn.
 */
export function registerTurns(app: FastifyInstance, turns: Turns = loopTurns): Turns {
  // Callback style: the request goes on inside the turn that runs it.
  app.addHook('onRequest', (_request, _reply, done) => turns.take(() => done()));
  return turns;
}

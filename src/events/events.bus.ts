/**
 * The event bus: services publish what happened (jobs queued/started/progress/
 * completed/failed; imports), GET /api/events streams it to clients. `mediaos serve` relays it
 * between the server processes of one database (cluster-relay.ts), so a stream on any process
 * sees the events of all of them. Nothing is kept: a client
 * that was not connected misses the event and reads the state from the API. Listeners run
 * synchronously and must not throw (a throwing listener is dropped from that event only).
 */
export type EventType =
  | 'job.queued'
  | 'job.started'
  | 'job.progress'
  | 'job.completed'
  | 'job.failed'
  | 'import.started'
  | 'import.progress'
  | 'import.completed'
  | 'import.failed'
  | 'queue.progress';

export interface BusEvent {
  /** Increases by one per event of this process (the SSE `id:`). */
  id: number;
  type: EventType;
  /** ISO-8601 UTC. */
  at: string;
  data: Record<string, unknown>;
}

export type EventListener = (event: BusEvent) => void;

export interface EventBus {
  publish(type: EventType, data: Record<string, unknown>): void;
  /** Delivers an event another server process published to this process's listeners (not relayed again). */
  receive(type: EventType, at: string, data: Record<string, unknown>): void;
  /** Calls `fn` with each event published in this process (not received ones); returns the unsubscribe. */
  onLocalPublish(fn: EventListener): () => void;
  /** Returns the unsubscribe function. */
  subscribe(listener: EventListener): () => void;
  /** Listeners now subscribed (open streams, mostly). */
  readonly size: number;
}

export function createEventBus(deps: { now?: () => Date } = {}): EventBus {
  const now = deps.now ?? (() => new Date());
  const listeners = new Set<EventListener>();
  const relays = new Set<EventListener>();
  let seq = 0;
  const deliver = (event: BusEvent, to: ReadonlySet<EventListener>) => {
    for (const l of to) {
      try {
        l(event);
      } catch {
        // a broken stream must not stop the publisher or the other listeners
      }
    }
  };
  return {
    publish(type, data) {
      seq += 1;
      const event: BusEvent = { id: seq, type, at: now().toISOString(), data };
      deliver(event, listeners);
      deliver(event, relays);
    },
    receive(type, at, data) {
      seq += 1;
      deliver({ id: seq, type, at, data }, listeners);
    },
    onLocalPublish(fn) {
      relays.add(fn);
      return () => {
        relays.delete(fn);
      };
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    get size() {
      return listeners.size;
    },
  };
}

import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import pg from 'pg';
import type { Database } from './connect.js';

/**
 * Messages between the server processes of one database (issue 19): events for the SSE streams
 * of every process, and cache invalidations. PostgreSQL: NOTIFY on a channel named after the
 * schema (so instances in other schemas of the database never hear them), LISTEN on one
 * dedicated connection that reconnects by itself. SQLite: rows in `event_outbox`, polled, only
 * while another server process uses the file (`peers`): a lone server, the usual SQLite install,
 * neither writes a row per event on the one writer connection nor polls.
 * A message is never delivered back to the process that sent it.
 */
export type SignalListener = (topic: string, payload: unknown) => void;

export interface ClusterSignals {
  /** This process's id in messages. */
  readonly origin: string;
  publish(topic: string, payload: unknown): void;
  subscribe(listener: SignalListener): () => void;
  /** Resolves once this process listens (PostgreSQL: LISTEN answered; SQLite: at once). */
  ready(): Promise<void>;
  /**
   * Whether this process hears the others now. PostgreSQL: false before the LISTEN is answered and
   * while the LISTEN connection is lost (what is published meanwhile never reaches us).
   */
  listening(): boolean;
  /** Told every change of `listening()`; returns the unsubscribe. */
  onListening(listener: (up: boolean) => void): () => void;
  close(): Promise<void>;
}

export interface SignalOptions {
  /** SQLite: poll period of the outbox (default 250 ms). */
  pollMs?: number;
  /**
   * SQLite: whether another server process uses this database now (`mediaos serve` asks its
   * server-presence rows). While it answers no, published messages are dropped (nobody would read
   * them) and the outbox is not polled. Without it, another process is always assumed.
   */
  peers?: () => Promise<boolean>;
  /** SQLite: how often `peers` is asked (default 1 s): the longest a new process waits for the messages of this one. */
  peersMs?: number;
  /** PostgreSQL: wait before reconnecting a lost LISTEN connection (default 1 s). */
  reconnectMs?: number;
  onError?: (err: unknown) => void;
}

/** NOTIFY payloads must stay under 8000 bytes. */
export const MAX_PAYLOAD_BYTES = 7_900;
const OUTBOX_KEEP_MS = 60_000;

interface Envelope {
  o: string;
  t: string;
  p: unknown;
}

/** A payload too large for one message is replaced by this marker (receivers reload from the API). */
export function encodeSignal(origin: string, topic: string, payload: unknown): string {
  const text = JSON.stringify({ o: origin, t: topic, p: payload } satisfies Envelope);
  if (Buffer.byteLength(text) <= MAX_PAYLOAD_BYTES) return text;
  return JSON.stringify({ o: origin, t: topic, p: { truncated: true } } satisfies Envelope);
}

export function channelName(schema: string | undefined): string {
  return `mediaos_signals_${schema ?? 'public'}`;
}

export function startClusterSignals(db: Database, opts: SignalOptions = {}): ClusterSignals {
  const origin = randomBytes(8).toString('hex');
  const listeners = new Set<SignalListener>();
  const onError = opts.onError ?? (() => {});
  const deliver = (text: string) => {
    let env: Envelope;
    try {
      env = JSON.parse(text) as Envelope;
    } catch {
      return;
    }
    if (env.o === origin || typeof env.t !== 'string') return;
    for (const l of listeners) {
      try {
        l(env.t, env.p);
      } catch (err) {
        onError(err);
      }
    }
  };
  const state = listeningState(onError);
  const transport =
    db.engine === 'postgres' ? postgresTransport(db, deliver, state.set, opts, onError) : sqliteTransport(db, origin, deliver, state.set, opts, onError);
  return {
    origin,
    publish(topic, payload) {
      transport.send(encodeSignal(origin, topic, payload)).catch(onError);
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    ready: transport.ready,
    listening: () => state.up,
    onListening: state.subscribe,
    close: transport.close,
  };
}

/**
 * Publishes one message without listening (a CLI command that ends sessions tells the running
 * servers). PostgreSQL only: on SQLite nothing is sent, no process there keeps a cache that needs it.
 */
export async function publishSignalOnce(db: Database, topic: string, payload: unknown): Promise<void> {
  if (db.engine !== 'postgres') return;
  const text = encodeSignal(randomBytes(8).toString('hex'), topic, payload);
  await sql`select pg_notify(${channelName(db.target.pgSchema)}, ${text})`.execute(db.kysely);
}

function listeningState(onError: (err: unknown) => void) {
  const listeners = new Set<(up: boolean) => void>();
  const state = {
    up: false,
    set(up: boolean) {
      if (state.up === up) return;
      state.up = up;
      for (const l of listeners) {
        try {
          l(up);
        } catch (err) {
          onError(err);
        }
      }
    },
    subscribe(listener: (up: boolean) => void) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
  };
  return state;
}

interface Transport {
  send(text: string): Promise<void>;
  ready(): Promise<void>;
  close(): Promise<void>;
}

function postgresTransport(
  db: Database,
  deliver: (text: string) => void,
  setListening: (up: boolean) => void,
  opts: SignalOptions,
  onError: (err: unknown) => void,
): Transport {
  const channel = channelName(db.target.pgSchema);
  let closed = false;
  let client: pg.Client | undefined;
  let timer: NodeJS.Timeout | undefined;
  let markReady: () => void = () => {};
  const readyPromise = new Promise<void>((r) => {
    markReady = r;
  });
  const connect = async () => {
    if (closed) return;
    const c = new pg.Client({ connectionString: db.target.location });
    client = c;
    const retry = (err?: unknown) => {
      if (client === c) setListening(false);
      if (err) onError(err);
      c.removeAllListeners();
      c.on('error', () => {});
      c.end().catch(() => {});
      if (closed || client !== c) return;
      client = undefined;
      timer = setTimeout(() => void connect(), opts.reconnectMs ?? 1000);
      timer.unref();
    };
    c.on('notification', (n) => {
      if (n.channel === channel && n.payload) deliver(n.payload);
    });
    c.on('error', retry);
    c.on('end', () => retry());
    try {
      await c.connect();
      await c.query(`LISTEN "${channel}"`);
      if (client !== c) return;
      setListening(true);
      markReady();
    } catch (err) {
      retry(err);
    }
  };
  void connect();
  // One notice at a time: two pg_notify on two pool connections can commit (and be delivered) in
  // either order, and receivers read a process's signals in the order it published them.
  let tail: Promise<unknown> = Promise.resolve();
  return {
    send(text) {
      const sent = tail.then(() => sql`select pg_notify(${channel}, ${text})`.execute(db.kysely)).then(() => {});
      tail = sent.catch(() => {});
      return sent;
    },
    ready: () => readyPromise,
    async close() {
      closed = true;
      setListening(false);
      if (timer) clearTimeout(timer);
      const c = client;
      client = undefined;
      if (c) {
        c.removeAllListeners();
        c.on('error', () => {});
        await c.end().catch(() => {});
      }
    },
  };
}

function sqliteTransport(
  db: Database,
  origin: string,
  deliver: (text: string) => void,
  setListening: (up: boolean) => void,
  opts: SignalOptions,
  onError: (err: unknown) => void,
): Transport {
  const k = db.kysely;
  const pollMs = opts.pollMs ?? 250;
  const peersMs = opts.peersMs ?? 1000;
  let last: number | undefined;
  /** Rows older than this are skipped (not delivered): written before a peer arrived, by a peer gone since. */
  let deliverFrom = 0;
  let busy = false;
  let polls = 0;
  let peers = !opts.peers;
  /** When the last `peers` that answered no was asked: a peer that was not there then wrote its rows after. */
  let aloneAt = Date.now();
  let closed = false;
  let pollTimer: NodeJS.Timeout | undefined;
  const poll = async () => {
    if (busy || last === undefined) return;
    busy = true;
    try {
      const rows = await k
        .selectFrom('event_outbox')
        .select(['seq', 'origin', 'payload', 'created_ms'])
        .where('seq', '>', last)
        .orderBy('seq')
        .limit(500)
        .execute();
      for (const r of rows) {
        last = Number(r.seq);
        if (r.origin !== origin && Number(r.created_ms) >= deliverFrom) deliver(r.payload);
      }
      if (++polls % 240 === 0) await purge();
    } catch (err) {
      onError(err);
    } finally {
      busy = false;
    }
  };
  const purge = () =>
    k
      .deleteFrom('event_outbox')
      .where('created_ms', '<', Date.now() - OUTBOX_KEEP_MS)
      .execute();
  const setPeers = (present: boolean, askedAt: number) => {
    if (closed) return;
    if (present && !peers) {
      // Catch up on what the newcomer wrote before we saw it (at most one presence period), nothing older.
      deliverFrom = aloneAt;
      pollTimer = setInterval(() => void poll(), pollMs);
      pollTimer.unref();
      void poll();
    } else if (!present && peers) {
      clearInterval(pollTimer);
      pollTimer = undefined;
      purge().catch(onError);
    }
    if (!present) aloneAt = askedAt;
    peers = present;
  };
  let checking = false;
  const check = async () => {
    if (checking || !opts.peers) return;
    checking = true;
    try {
      const askedAt = Date.now();
      setPeers(await opts.peers(), askedAt);
    } catch (err) {
      onError(err);
    } finally {
      checking = false;
    }
  };
  const start = k
    .selectFrom('event_outbox')
    .select((eb) => eb.fn.max('seq').as('seq'))
    .executeTakeFirst()
    .then(async (r) => {
      last = Number(r?.seq ?? 0);
      if (!closed) setListening(true);
      if (opts.peers) await check();
      else if (!closed) {
        pollTimer = setInterval(() => void poll(), pollMs);
        pollTimer.unref();
      }
    });
  const peersTimer = opts.peers ? setInterval(() => void check(), peersMs) : undefined;
  peersTimer?.unref();
  return {
    async send(text) {
      await start;
      if (!peers) return;
      await k.insertInto('event_outbox').values({ origin, topic: 'signal', payload: text, created_ms: Date.now() }).execute();
    },
    ready: () => start,
    async close() {
      closed = true;
      setListening(false);
      clearInterval(peersTimer);
      await start.catch(() => {});
      clearInterval(pollTimer);
    },
  };
}

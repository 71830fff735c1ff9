/**
 * The session check of every request, kept in this process (issue 18: on PostgreSQL that read was
 * a round trip per request, beside the page itself). PostgreSQL only; SQLite reads the row, a
 * local call.
 *
 * What is kept: the answer of sessions.getWithUser (the user's id, email and role, and the
 * session row) for a live session, by session id, at most SESSION_CACHE_MAX of them (least
 * recently used goes first), each for `ttlMs` (MEDIAOS_SESSION_CACHE_MS). The auth service still
 * checks the session's own expiresAt and revocation on every request, as for a database read.
 *
 * When it is used: only while this process hears the other processes of the database
 * (db/cluster-signals.ts, the LISTEN connection is up). Before that, and while that connection is
 * lost, every request reads the database, and the cache is emptied (what was published meanwhile
 * never reached us).
 *
 * What drops an entry: every change that can end a session's access goes through the stores this
 * module wraps (withSessionDrops): a revoked session (logout, refresh reuse, admin), every session
 * of a user whose sessions are revoked, whose record changed (role, email, disabled, password,
 * last login) or who was removed. The change is written first, then the entry is dropped here at
 * once and a SESSION_DROP_TOPIC message tells every other process to drop it too. A read that was
 * under way while any drop happened is not kept (it may have seen the row before the change), and
 * a read that may be kept goes to the primary, never to a read replica (DATABASE_READ_URLS) that
 * may not have replayed a revocation yet.
 * A change made outside a server (the `mediaos user` commands) publishes the same message.
 * Rotation of a refresh token changes nothing a request checks, so it drops nothing.
 */
import type { ClusterSignals } from '../db/cluster-signals.js';
import { onPrimary } from '../db/read-replicas.js';
import type { SessionsStore, SessionWithUser } from '../sessions/sessions.types.js';
import type { UsersStore } from '../users/users.types.js';

export const SESSION_DROP_TOPIC = 'session.drop';
/** Most sessions kept at once (an entry is well under 1 kB). */
export const SESSION_CACHE_MAX = 10_000;

/** What a change that ends a session's access announces: one session, or every session of a user. */
export interface SessionDrops {
  session(sid: string): void;
  user(userId: string): void;
}

export interface SessionCache extends SessionDrops {
  /**
   * `load` (the database read) unless a kept answer for this session and user is still good.
   * `load(true)`: the answer may be kept, so it must come from the primary (not a lagging replica).
   */
  read(sid: string, userId: string, load: (toKeep: boolean) => Promise<SessionWithUser | undefined>): Promise<SessionWithUser | undefined>;
  /** Uses `signals`: hears the others' drops, announces ours, and is used only while it listens. Returns the detach. */
  attach(signals: ClusterSignals): () => void;
  /** Sessions kept now. */
  size(): number;
}

interface Entry {
  found: SessionWithUser;
  until: number;
}

type Drop = { sid: string } | { userId: string };

export function createSessionCache(opts: { ttlMs: number; max?: number; now?: () => number }): SessionCache {
  const max = opts.max ?? SESSION_CACHE_MAX;
  const now = opts.now ?? (() => performance.now());
  const entries = new Map<string, Entry>();
  let listening = false;
  /** Moves on every drop and every change of `listening`: a read started before keeps nothing. */
  let generation = 0;
  let announce: ((drop: Drop) => void) | undefined;

  const dropHere = (drop: Drop | 'all') => {
    generation++;
    if (drop === 'all') entries.clear();
    else if ('sid' in drop) entries.delete(drop.sid);
    else for (const [sid, e] of entries) if (e.found.user.id === drop.userId) entries.delete(sid);
  };
  const drop = (d: Drop) => {
    dropHere(d);
    announce?.(d);
  };
  const keepable = (found: SessionWithUser | undefined): found is SessionWithUser & { session: object } =>
    !!found?.session && found.session.revokedAt === undefined && found.session.userId === found.user.id;

  return {
    async read(sid, userId, load) {
      if (!listening || opts.ttlMs <= 0) return load(false);
      const hit = entries.get(sid);
      if (hit) {
        entries.delete(sid);
        if (hit.until > now() && hit.found.user.id === userId) {
          entries.set(sid, hit); // most recently used last
          return hit.found;
        }
      }
      const started = generation;
      const found = await load(true);
      if (keepable(found) && started === generation) {
        entries.set(sid, { found, until: now() + opts.ttlMs });
        if (entries.size > max) entries.delete(entries.keys().next().value as string);
      }
      return found;
    },
    session: (sid) => drop({ sid }),
    user: (userId) => drop({ userId }),
    attach(signals) {
      announce = (d) => signals.publish(SESSION_DROP_TOPIC, d);
      const offMessages = signals.subscribe((topic, payload) => {
        if (topic !== SESSION_DROP_TOPIC) return;
        const p = payload as { sid?: unknown; userId?: unknown } | null;
        if (typeof p?.sid === 'string') dropHere({ sid: p.sid });
        else if (typeof p?.userId === 'string') dropHere({ userId: p.userId });
        else dropHere('all'); // not understood: forget everything rather than keep what it meant
      });
      const setListening = (up: boolean) => {
        listening = up;
        dropHere('all');
      };
      const offListening = signals.onListening(setListening);
      setListening(signals.listening());
      return () => {
        offMessages();
        offListening();
        announce = undefined;
        setListening(false);
      };
    },
    size: () => entries.size,
  };
}

/** Drops announced by a process that keeps no cache (a CLI command): sent to the servers only. */
export function announcedDrops(
  publish: (topic: string, payload: Drop) => Promise<void>,
  onError: (err: unknown) => void,
): SessionDrops & { flush(): Promise<void> } {
  const sent: Promise<void>[] = [];
  const send = (d: Drop) => sent.push(publish(SESSION_DROP_TOPIC, d).catch(onError));
  return {
    session: (sid) => send({ sid }),
    user: (userId) => send({ userId }),
    async flush() {
      await Promise.all(sent);
    },
  };
}

/**
 * The users and sessions stores with every change that can end a session's access announced to
 * `drops` after it is written; with `cache`, the per-request session check reads through it.
 */
export function withSessionDrops<S extends { users: UsersStore; sessions: SessionsStore }>(stores: S, drops: SessionDrops, cache?: SessionCache): S {
  const { users, sessions } = stores;
  const getWithUser = sessions.getWithUser?.bind(sessions);
  return {
    ...stores,
    users: {
      ...users,
      async update(user) {
        await users.update(user);
        drops.user(user.id);
      },
      async remove(id) {
        const removed = await users.remove(id);
        drops.user(id);
        return removed;
      },
    },
    sessions: {
      ...sessions,
      ...(getWithUser
        ? {
            getWithUser: cache
              ? (sid: string, userId: string) =>
                  cache.read(sid, userId, (toKeep) => (toKeep ? onPrimary(() => getWithUser(sid, userId)) : getWithUser(sid, userId)))
              : getWithUser,
          }
        : {}),
      async revoke(id, reason, at) {
        const changed = await sessions.revoke(id, reason, at);
        if (changed) drops.session(id);
        return changed;
      },
      async revokeForUser(userId, reason, at) {
        const n = await sessions.revokeForUser(userId, reason, at);
        if (n > 0) drops.user(userId);
        return n;
      },
    },
  };
}

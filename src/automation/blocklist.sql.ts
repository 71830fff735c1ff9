import { randomBytes } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import type { DB } from '../db/schema.js';

/**
 * The release blocklist (table `blocklist`, migration 0005), the same on both engines. A release
 * is blocklisted when its guid, its download link or its exact title was blocklisted.
 */
export interface BlocklistEntry {
  id: string;
  title: string;
  guid?: string;
  link?: string;
  indexer?: string;
  protocol?: string;
  reason?: string;
  createdAt: string;
}

export type NewBlocklistEntry = Omit<BlocklistEntry, 'id' | 'createdAt'>;

type Db = Kysely<DB> | Transaction<DB>;
const CHUNK = 400;

export function createBlocklistSql(db: Db) {
  return {
    /** `id`: a new 32-hex id unless given (tests, imports). */
    async add(entry: NewBlocklistEntry, id: string = randomBytes(16).toString('hex')): Promise<BlocklistEntry> {
      const row = await db
        .insertInto('blocklist')
        .values({
          id,
          title: entry.title,
          guid: entry.guid ?? null,
          link: entry.link ?? null,
          indexer: entry.indexer ?? null,
          protocol: entry.protocol ?? null,
          reason: entry.reason ?? null,
        })
        .returning('created_at')
        .executeTakeFirstOrThrow();
      return { ...entry, id, createdAt: row.created_at };
    },

    async list(): Promise<BlocklistEntry[]> {
      const rows = await db.selectFrom('blocklist').selectAll().orderBy('created_at').orderBy('id').execute();
      return rows.map((r) => {
        const e: BlocklistEntry = { id: r.id, title: r.title, createdAt: r.created_at };
        for (const k of ['guid', 'link', 'indexer', 'protocol', 'reason'] as const) if (r[k] !== null) e[k] = r[k];
        return e;
      });
    },

    async remove(id: string): Promise<boolean> {
      const r = await db.deleteFrom('blocklist').where('id', '=', id).executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },

    /** A check for these candidates: one lookup (per chunk) instead of one per release. */
    async matcher(
      candidates: readonly { title: string; guid?: string; link?: string }[],
    ): Promise<(c: { title: string; guid?: string; link?: string }) => boolean> {
      const titles = new Set<string>();
      const guids = new Set<string>();
      const links = new Set<string>();
      const want = {
        titles: [...new Set(candidates.map((c) => c.title))],
        guids: [...new Set(candidates.flatMap((c) => (c.guid ? [c.guid] : [])))],
        links: [...new Set(candidates.flatMap((c) => (c.link ? [c.link] : [])))],
      };
      for (const [column, values, into] of [
        ['title', want.titles, titles],
        ['guid', want.guids, guids],
        ['link', want.links, links],
      ] as const) {
        for (let i = 0; i < values.length; i += CHUNK) {
          const rows = await db
            .selectFrom('blocklist')
            .select(column)
            .where(column, 'in', values.slice(i, i + CHUNK))
            .execute();
          for (const r of rows) if (r[column] !== null) into.add(r[column] as string);
        }
      }
      return (c) => titles.has(c.title) || (c.guid !== undefined && guids.has(c.guid)) || (c.link !== undefined && links.has(c.link));
    },
  };
}

export type BlocklistSql = ReturnType<typeof createBlocklistSql>;

import type { Logger } from '../storage/phased-store.js';
import { redactSecrets } from './audit.redact.js';
import type { AuditSql } from './audit.sql.js';
import type { AuditEntry, AuditEvent, AuditQuery, AuditRecorder } from './audit.types.js';

export interface AuditServiceDeps {
  audit: AuditSql;
  log: Pick<Logger, 'error'>;
  now: () => Date;
}

export interface AuditPage {
  items: AuditEntry[];
  /** Pass back as `cursor` for the next (older) page; absent on the last page. */
  nextCursor?: string;
}

export function encodeCursor(e: { at: string; id: number }): string {
  return Buffer.from(`${e.at}|${e.id}`, 'utf8').toString('base64url');
}

/** The (at, id) of a cursor, or undefined when it is not one of ours. */
export function decodeCursor(cursor: string): { at: string; id: number } | undefined {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)\|(\d{1,15})$/.exec(text);
  return m ? { at: m[1], id: Number(m[2]) } : undefined;
}

/**
 * The one writer of audit rows: services call `record` after a change succeeded (narrow
 * dependency `AuditRecorder`). Secrets are redacted here, before the row is written, so no caller
 * can forget it. A failed audit write is logged (entity, action, error; never the state) and does
 * not undo the change it describes.
 */
export function createAuditService(deps: AuditServiceDeps) {
  return {
    async record(e: AuditEvent): Promise<void> {
      const event: AuditEvent = { ...e, before: redactSecrets(e.before), after: redactSecrets(e.after) };
      try {
        await deps.audit.insert(event, deps.now().toISOString());
      } catch (err) {
        deps.log.error({ entity: e.entity, action: e.action, err: err instanceof Error ? err.message : String(err) }, 'audit row not written');
      }
    },

    async page(q: AuditQuery): Promise<AuditPage> {
      const items = await deps.audit.list({ ...q, limit: q.limit + 1 });
      if (items.length <= q.limit) return { items };
      const page = items.slice(0, q.limit);
      return { items: page, nextCursor: encodeCursor(page[page.length - 1]) };
    },

    /** Housekeeping: drops rows older than `days` (0 keeps everything). */
    async purge(days: number): Promise<number> {
      if (days <= 0) return 0;
      return deps.audit.deleteBefore(new Date(deps.now().getTime() - days * 86_400_000).toISOString());
    },
  } satisfies AuditRecorder & Record<string, unknown>;
}

export type AuditService = ReturnType<typeof createAuditService>;

/** A recorder that writes nothing (stores and tools that run without the app). */
export const NO_AUDIT: AuditRecorder = { record: async () => undefined };

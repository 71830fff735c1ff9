/**
 * The small targets' part of an import's transaction: make a table's rows, and import_quarantine,
 * equal to what the legacy files hold, counting what changed (import.ts runs these).
 */
import type { SecretBox } from '../security/secret-box.js';
import { randomHexId } from '../security/tokens.js';
import { jsonEqual } from './compare.js';
import type { ImportSql } from './import.sql.js';
import type { Target } from './legacy-files.js';
import { type AcceptedUnit, keptAsText, type QuarantineEntry } from './snapshot.js';

/** What one sync changed, as a file's report counts it. */
export interface Counts {
  inserted: number;
  updated: number;
  deleted: number;
  unchanged: number;
}

const WITH_CREATED_AT = new Set(['users', 'downloaders', 'indexers', 'quality_profiles', 'settings']);

/** Makes one small target's rows equal to its accepted records (rewritten rows keep created_at). */
export async function syncTarget(sql: ImportSql, target: Target, units: AcceptedUnit[], box: SecretBox): Promise<Counts> {
  const rows = await sql.selectRows(target.table, [...new Set([target.keyColumn, ...target.columns])], target.scope);
  const existing = new Map<string, unknown>();
  for (const row of rows) existing.set(String(row[target.keyColumn]), target.fromRow(row, box).record);
  const write: AcceptedUnit[] = [];
  let inserted = 0;
  let updated = 0;
  let unchanged = 0;
  for (const u of units) {
    if (!existing.has(u.key)) {
      inserted++;
      write.push(u);
    } else {
      if (jsonEqual(u.record, existing.get(u.key))) unchanged++;
      else {
        updated++;
        write.push(u);
      }
      existing.delete(u.key);
    }
  }
  const gone = [...existing.keys()];
  const rewritten = write.map((u) => u.key).filter((k) => !gone.includes(k));
  const created = WITH_CREATED_AT.has(target.table) ? await sql.createdAt(target.table, target.keyColumn, rewritten) : new Map<string, string>();
  await sql.deleteKeys(target.table, target.keyColumn, [...gone, ...rewritten]);
  const newRows = write.map((u) => {
    const row = target.toRow(u.ref, u.record, box);
    const c = created.get(u.key);
    if (c !== undefined && row.created_at === undefined) row.created_at = c;
    return row;
  });
  await sql.insertRows(target.table, newRows);
  return { inserted, updated, deleted: gone.length, unchanged };
}

/** Makes import_quarantine equal to `entries`; returns how many rows changed. */
export async function syncQuarantine(sql: ImportSql, entries: QuarantineEntry[], importId: string | null): Promise<number> {
  const existing = new Map((await sql.selectQuarantine()).map((q) => [`${q.file}\u0000${q.locator}`, q]));
  const insert: Record<string, unknown>[] = [];
  const remove: string[] = [];
  for (const e of entries) {
    const k = `${e.file}\u0000${e.locator}`;
    const old = existing.get(k);
    existing.delete(k);
    if (
      old &&
      old.raw_encoding === e.encoding &&
      old.reason === e.reason &&
      (old.raw === e.raw || (e.encoding === 'json' && !keptAsText(old.raw) && !keptAsText(e.raw) && jsonEqual(JSON.parse(old.raw), JSON.parse(e.raw))))
    )
      continue;
    if (old) remove.push(old.id);
    insert.push({ id: randomHexId(), import_id: importId, file: e.file, locator: e.locator, reason: e.reason, raw: e.raw, raw_encoding: e.encoding });
  }
  for (const old of existing.values()) remove.push(old.id);
  await sql.deleteQuarantine(remove);
  await sql.insertQuarantine(insert);
  return insert.length + remove.length - Math.min(insert.length, remove.length);
}

/**
 * Quarantine review (`mediaos quarantine ...`, /api/system/quarantine): read the records an import
 * set aside, fix one and admit it, or drop it on purpose. An admit sends the fixed record through
 * the import's own checks (kind spelling, schema, storability, markers, index limits, identity,
 * secrets, uniqueness, the library codec's round trip), then in one transaction inserts its row
 * and removes it from import_quarantine; any failure is a 400 naming the field and changes nothing.
 * Both are audited. Export writes an admitted record back as a normal record; a dropped one is gone.
 */

import { dropCounts } from '../db/cached-counts.js';
import type { Database } from '../db/connect.js';
import { isObject } from '../db/json.js';
import { createLocksSql, describeHolder, MAINTENANCE_LOCK } from '../db/locks.sql.js';
import { Invalid, NotFound } from '../errors.js';
import { type LibraryRow, legacyLibraryItemFromRow, titleKey } from '../library/library.codec.js';
import { bumpLibraryTotals, isUniqueViolation } from '../library/library.sql.js';
import type { SecretBox } from '../security/secret-box.js';
import { redactSecrets } from '../system/audit.redact.js';
import type { AuditRecorder } from '../system/audit.types.js';
import { jsonEqual } from './compare.js';
import { createImportSql } from './import.sql.js';
import { parsePointer, specFor, type Target, type UnitRef } from './legacy-files.js';
import { createdAtFromId } from './library-batches.js';
import { createQuarantineSql, type QuarantineRow } from './quarantine.sql.js';
import { keptAsText } from './quarantine-reasons.js';
import { checkRecord, openRecordSecrets } from './snapshot.js';

export interface QuarantineReviewDeps {
  db: Database;
  /** Our secret box (secrets are sealed with it, as the import does). */
  secretBox: SecretBox;
  /** The legacy ENCRYPTION_KEY that opens the legacy ciphertexts of a record. */
  legacyKey: string | undefined;
  audit: AuditRecorder;
  now?: () => Date;
  lockWaitMs?: number;
}

export interface QuarantineSummary {
  id: string;
  file: string;
  /** JSON Pointer of the record in its file ('' = the whole file). */
  locator: string;
  reason: string;
  rawEncoding: 'json' | 'base64';
  importId?: string;
  createdAt: string;
}

export interface QuarantineDetail extends QuarantineSummary {
  /** The record as found (secrets shown as "[redacted]"); null when it cannot be shown without a secret. */
  raw: string | null;
  /** Whether admit can take it, and why not. */
  admissible: boolean;
  notAdmissible?: string;
}

/** What an admit or a drop does (the preview answer, and the result). */
export interface QuarantineAction {
  action: 'admit' | 'drop';
  id: string;
  file: string;
  locator: string;
  /** The table and key an admitted record goes into. */
  table?: string;
  key?: string;
  /** The record as it will be stored (secrets redacted). */
  record?: unknown;
  /** One sentence: what it will do (preview) or did. */
  summary: string;
  done: boolean;
}

/** One `--set field=value` / `{set:{field:value}}` entry: a dotted path into the record. */
export type FieldSet = Record<string, unknown>;

const CURSOR = /^[A-Za-z0-9_-]{1,2000}$/;

export function encodeQuarantineCursor(r: { file: string; locator: string }): string {
  return Buffer.from(JSON.stringify([r.file, r.locator]), 'utf8').toString('base64url');
}

export function decodeQuarantineCursor(cursor: string): { file: string; locator: string } | undefined {
  if (!CURSOR.test(cursor)) return undefined;
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(v) && v.length === 2 && typeof v[0] === 'string' && typeof v[1] === 'string') return { file: v[0], locator: v[1] };
  } catch {
    /* not ours */
  }
  return undefined;
}

function summary(r: Omit<QuarantineRow, 'raw'>): QuarantineSummary {
  return {
    id: r.id,
    file: r.file,
    locator: r.locator,
    reason: r.reason,
    rawEncoding: r.raw_encoding,
    ...(r.import_id ? { importId: r.import_id } : {}),
    createdAt: r.created_at,
  };
}

/** Where a quarantined record goes when admitted, or why it cannot be. */
export function placeOf(r: Pick<QuarantineRow, 'file' | 'locator' | 'raw' | 'raw_encoding'>): { target: Target; ref: UnitRef } | { why: string } {
  const spec = specFor(r.file);
  if (!spec) return { why: `${r.file} is not a legacy file this server imports` };
  if (r.raw_encoding === 'base64') return { why: 'it is a whole file kept as its bytes (fix the file and import it again, or drop it)' };
  if (keptAsText(r.raw)) return { why: 'its text holds a number or nesting the database cannot store exactly (fix the file and import it again, or drop it)' };
  const path = parsePointer(r.locator);
  const shape = spec.shape;
  const stray = `it is the top-level key ${JSON.stringify(path[0] ?? '')} of ${r.file}, not a record (export writes it back; drop it to remove it)`;
  switch (shape.kind) {
    case 'document':
      return path.length === 0 ? { target: spec.target, ref: { key: spec.target.scope ?? '', index: 0 } } : { why: stray };
    case 'array':
      if (path.length === 2 && path[0] === shape.arrayKey && /^\d+$/.test(path[1]!)) return { target: spec.target, ref: { key: '', index: Number(path[1]) } };
      return { why: stray };
    case 'sections':
      return path.length === 1 && shape.sections.includes(path[0]!) ? { target: spec.target, ref: { key: path[0]!, index: 0 } } : { why: stray };
    case 'map':
      return path.length === 1 ? { target: spec.target, ref: { key: path[0]!, index: 0 } } : { why: stray };
  }
}

/** A copy of `record` with `path` set to `value` (missing objects on the way are created). */
export function withField(record: unknown, path: readonly string[], value: unknown): unknown {
  if (path.length === 0) return value;
  const obj = isObject(record) ? record : {};
  const copy: Record<string, unknown> = {};
  const put = (k: string, v: unknown) => Object.defineProperty(copy, k, { value: v, writable: true, enumerable: true, configurable: true });
  for (const k of Object.keys(obj)) put(k, obj[k]);
  put(path[0]!, withField(obj[path[0]!], path.slice(1), value));
  return copy;
}

/** The record with every `set` entry applied; a field path must name a member (`a.b` for nested ones). */
export function applySet(record: unknown, set: FieldSet): unknown {
  let out = record;
  for (const [field, value] of Object.entries(set)) {
    const path = field.split('.');
    if (path.some((p) => p === '')) throw new Invalid(`set: "${field}" is not a field name (use names like kind or metadata.tmdbId)`);
    if (!isObject(out)) throw new Invalid(`set ${field}: the record is not a JSON object, so it has no fields to set`);
    out = withField(out, path, value);
  }
  return out;
}

/** `field=value` of the command line: the value as JSON when it parses (1999, true, null, "x"), else the text itself. */
export function parseSetArgument(arg: string): [string, unknown] {
  const eq = arg.indexOf('=');
  if (eq <= 0) throw new Invalid(`--set ${arg}: expected field=value (e.g. kind=movie)`);
  const text = arg.slice(eq + 1);
  let value: unknown = text;
  try {
    value = JSON.parse(text);
  } catch {
    /* plain text */
  }
  return [arg.slice(0, eq), value];
}

function shown(r: QuarantineRow, target: Target | undefined): string | null {
  const secrets = (target?.secretPaths.length ?? 0) > 0 || r.file === 'downloaders.json' || r.file === 'users.json';
  if (r.raw_encoding === 'base64') return secrets ? null : Buffer.from(r.raw, 'base64').toString('utf8');
  if (keptAsText(r.raw)) return secrets ? null : r.raw;
  return JSON.stringify(redactSecrets(JSON.parse(r.raw)), null, 2);
}

export function createQuarantineReview(deps: QuarantineReviewDeps) {
  const sql = createQuarantineSql(deps.db.kysely);
  const now = deps.now ?? (() => new Date());

  async function load(id: string): Promise<QuarantineRow> {
    const row = await sql.get(id);
    if (!row) throw new NotFound('not_found', { message: `no quarantined record with id ${id}` });
    return row;
  }

  /** The checks of the import on the fixed record; throws Invalid naming the field. */
  async function prepare(row: QuarantineRow, set: FieldSet) {
    const place = placeOf(row);
    if ('why' in place) throw new Invalid(`cannot admit this record: ${place.why}`);
    const { target, ref } = place;
    const record = applySet(JSON.parse(row.raw), set);
    const check = checkRecord(target, ref, record);
    if (!check.ok) throw new Invalid(check.reason!);
    const opened = await openRecordSecrets(target, record, deps.legacyKey, new Map());
    if (opened.failures.length > 0) throw new Invalid(opened.failures.map((f) => `field ${f.path.join('.')}: ${f.reason}`).join('; '));
    const key = check.key!;
    if (await sql.taken(target.table, target.keyColumn, key, target.scope))
      throw new Invalid(`${target.keyColumn === 'key' ? 'key' : 'id'}: a record with the key "${key}" is already in ${target.table}`);
    if (target.unique && target.table === 'users' && (await sql.taken('users', 'email_lower', target.unique.of(opened.record))))
      throw new Invalid('email: another user has this email (ignoring case)');
    const row2 = target.toRow({ ...ref, index: ref.index }, opened.record, deps.secretBox);
    if (target.table === 'library_items') {
      const item = opened.record as { title: string };
      const holder = await sql.libraryTitleHolder(String(row2.kind), titleKey(item.title));
      if (holder !== undefined) throw new Invalid(`title: the library item "${holder}" has the same kind and title (ignoring case)`);
      if (!jsonEqual(legacyLibraryItemFromRow(row2 as unknown as LibraryRow), record))
        throw new Invalid('record: it would not come back from the database unchanged (library codec round trip)');
      row2.created_at = createdAtFromId(key, now().toISOString());
    }
    return { target, key, row: row2, record: opened.record };
  }

  return {
    async list(q: { limit: number; cursor?: string }): Promise<{ items: QuarantineSummary[]; total: number; nextCursor?: string }> {
      const after = q.cursor === undefined ? undefined : decodeQuarantineCursor(q.cursor);
      if (q.cursor !== undefined && !after) throw new Invalid('cursor: not a cursor from this endpoint');
      const rows = await sql.page(q.limit + 1, after);
      const page = rows.slice(0, q.limit);
      const total = await sql.count();
      const last = page[page.length - 1];
      return { items: page.map(summary), total, ...(rows.length > q.limit && last ? { nextCursor: encodeQuarantineCursor(last) } : {}) };
    },

    async show(id: string): Promise<QuarantineDetail> {
      const row = await load(id);
      const place = placeOf(row);
      const target = 'target' in place ? place.target : specFor(row.file)?.target;
      return { ...summary(row), raw: shown(row, target), admissible: !('why' in place), ...('why' in place ? { notAdmissible: place.why } : {}) };
    },

    /** Fix and admit (or, with `preview`, only check and say what it would do). */
    async admit(id: string, set: FieldSet, actor: string, opts: { preview?: boolean } = {}): Promise<QuarantineAction> {
      const row = await load(id);
      const p = await prepare(row, set);
      const base = { action: 'admit' as const, id, file: row.file, locator: row.locator, table: p.target.table, key: p.key, record: redactSecrets(p.record) };
      const what = `${row.file} ${row.locator || '(document)'} into ${p.target.table} as "${p.key}" and remove it from the quarantine`;
      if (opts.preview) return { ...base, summary: `will insert ${what}`, done: false };
      const locks = createLocksSql(deps.db.kysely);
      const lock = await locks.acquire(MAINTENANCE_LOCK, describeHolder('quarantine admit'), { waitMs: deps.lockWaitMs ?? 10_000 });
      try {
        await deps.db.kysely.transaction().execute(async (trx) => {
          const tsql = createQuarantineSql(trx);
          if (!(await tsql.remove(id))) throw new NotFound('not_found', { message: `no quarantined record with id ${id}` });
          await tsql.insert(p.target.table, p.row).catch((err: unknown) => {
            if (isUniqueViolation(err)) throw new Invalid('record: it clashes with a row already in the database (a unique id, key, email or title)');
            throw err;
          });
          await createImportSql(trx, deps.db.engine).relink();
        });
      } finally {
        await lock.release();
      }
      if (p.target.table === 'library_items') bumpLibraryTotals(deps.db.kysely);
      else dropCounts(deps.db.kysely, [p.target.table]);
      await deps.audit.record({
        actor,
        entity: 'quarantine',
        entityId: id,
        action: 'admit',
        before: { file: row.file, locator: row.locator, reason: row.reason, raw: row.raw_encoding === 'json' ? JSON.parse(row.raw) : '(bytes)' },
        after: { table: p.target.table, key: p.key, record: p.record },
      });
      return { ...base, summary: `inserted ${what}`, done: true };
    },

    /** Delete on purpose (export will no longer write it back), or with `preview` say so. */
    async drop(id: string, actor: string, opts: { preview?: boolean } = {}): Promise<QuarantineAction> {
      const row = await load(id);
      const where = `${row.file} ${row.locator || '(whole file)'}`;
      const base = { action: 'drop' as const, id, file: row.file, locator: row.locator };
      if (opts.preview) return { ...base, summary: `will delete the quarantined record ${where}; export will no longer write it back`, done: false };
      if (!(await sql.remove(id))) throw new NotFound('not_found', { message: `no quarantined record with id ${id}` });
      await deps.audit.record({
        actor,
        entity: 'quarantine',
        entityId: id,
        action: 'drop',
        before: {
          file: row.file,
          locator: row.locator,
          reason: row.reason,
          raw: row.raw_encoding === 'json' && !keptAsText(row.raw) ? JSON.parse(row.raw) : '(kept as text)',
        },
      });
      return { ...base, summary: `deleted the quarantined record ${where}`, done: true };
    },
  };
}

export type QuarantineReview = ReturnType<typeof createQuarantineReview>;

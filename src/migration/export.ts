/**
 * `mediaos export --to DIR`: the database written back as the legacy files the original MediaOS
 * reads: its shapes and key names (the codecs' fromRow), 2-space JSON without a trailing newline,
 * secrets in its encryption scheme with the given legacy key, and every quarantined record back
 * at its locator (array index, map key, or the whole file's original bytes). A file the database
 * does not hold is not written. library.json is streamed page by page.
 *
 * A target that is not empty is refused unless `force`. The whole set is written into a staging
 * directory first (a sibling when the target does not exist yet, else a hidden one inside it, so
 * the swap never crosses file systems, e.g. a mounted volume); only when every file is complete
 * are they renamed into place, and legacy files the database does not hold are removed. If a
 * rename fails, the previous files are put back. Other files in the target are left alone.
 */
import { randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, statSync } from 'node:fs';
import { copyFile, link, mkdir, readdir, rename, rm, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { createAppStateSql } from '../db/app-state.sql.js';
import type { Database } from '../db/connect.js';
import { isObject } from '../db/json.js';
import { serializeLegacyJson } from '../legacy/serialize-json.js';
import { legacyEncryptAsync } from '../security/legacy-crypto.js';
import type { SecretBox } from '../security/secret-box.js';
import { LEGACY_FILES_KEY } from './import.js';
import { createImportSql, type ImportSql } from './import.sql.js';
import { LEGACY_FILES, type LegacyFileSpec, parsePointer, type Target } from './legacy-files.js';
import { keptAsText, setPath } from './snapshot.js';

export interface ExportOptions {
  db: Database;
  to: string;
  legacyKey: string;
  secretBox: SecretBox;
  /** Replace the legacy files of a target directory that is not empty (default: refuse). */
  force?: boolean;
  onLibrary?: (items: number) => void;
}

export interface ExportResult {
  written: { file: string; records: number; quarantined: number }[];
  /** Legacy files the database does not hold (not written). */
  absent: string[];
  /** Legacy files of those that were in the target before and were removed. */
  removed: string[];
}

/** The export refused to write (nothing was changed). */
export class ExportRefusedError extends Error {
  override name = 'ExportRefusedError';
}

const STAGE_PREFIX = '.mediaos-export-';

type QRow = { file: string; locator: string; raw: string; raw_encoding: 'json' | 'base64' };

/**
 * Quarantined values whose JSON text holds a number JSON.parse cannot give back exactly (1e400,
 * 20-digit integers, -0), or nests deeper than JSON.stringify goes, are written as that text: a placeholder string goes
 * into the document and is replaced by the text once the document is serialized.
 */
class Verbatim {
  private readonly nonce = randomBytes(8).toString('hex');
  private readonly texts = new Map<string, string>();
  /** The value to put in the document for a quarantined raw JSON text. */
  value(raw: string): unknown {
    if (!keptAsText(raw)) return JSON.parse(raw);
    const token = `mediaos-verbatim-${this.nonce}-${this.texts.size}`;
    this.texts.set(JSON.stringify(token), raw);
    return token;
  }
  /** Serialized JSON (`JSON.stringify` of such values) with the placeholders replaced by their texts. */
  splice(json: string): string {
    let out = json;
    for (const [token, raw] of this.texts) out = out.split(token).join(raw);
    return out;
  }
}

function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
}

async function encryptSecrets(target: Target, record: unknown, key: string): Promise<unknown> {
  let out = record;
  for (const path of target.secretPaths) {
    let cur: unknown = out;
    for (const p of path) cur = isObject(cur) && Object.hasOwn(cur, p) ? cur[p] : undefined;
    if (typeof cur === 'string' && cur !== '') out = setPath(out, path, await legacyEncryptAsync(cur, key));
  }
  return out;
}

async function records(sql: ImportSql, target: Target, opts: ExportOptions): Promise<{ key: string; record: unknown }[]> {
  const rows = await sql.selectRows(target.table, [...new Set([target.keyColumn, ...target.columns])], target.scope, target.orderBy);
  const out: { key: string; record: unknown }[] = [];
  for (const row of rows) {
    const r = target.fromRow(row, opts.secretBox);
    out.push({ key: r.key, record: await encryptSecrets(target, r.record, opts.legacyKey) });
  }
  return out;
}

/** Array elements from rows, with quarantined elements put back at their original indexes. */
function mergeElements(rows: unknown[], quarantined: Map<number, unknown>): unknown[] {
  const out: unknown[] = [];
  let r = 0;
  const total = rows.length + quarantined.size;
  for (let i = 0; out.length < total; i++) {
    if (quarantined.has(i)) out.push(quarantined.get(i));
    else if (r < rows.length) out.push(rows[r++]);
    else if ([...quarantined.keys()].some((k) => k > i)) continue; // a gap left by a removed row
  }
  return out;
}

async function writeAtomic(path: string, text: string): Promise<void> {
  const temp = `${path}.export-tmp`;
  await writeFile(temp, text);
  await rename(temp, path);
}

export async function exportDatabase(opts: ExportOptions): Promise<ExportResult> {
  const existed = existsSync(opts.to);
  if (existed) {
    const entries = await readdir(opts.to);
    // a staging directory left by a killed export is debris of ours
    for (const e of entries.filter((n) => n.startsWith(STAGE_PREFIX))) await rm(join(opts.to, e), { recursive: true, force: true });
    const other = entries.filter((n) => !n.startsWith(STAGE_PREFIX));
    if (other.length > 0 && !opts.force) {
      throw new ExportRefusedError(
        `${opts.to} is not empty (${other.length} entries: ${other.slice(0, 5).join(', ')}${other.length > 5 ? ', ...' : ''}); pass --force to replace its legacy files with the export (other files are left alone), or choose an empty directory`,
      );
    }
  }
  const nonce = randomBytes(6).toString('hex');
  const stage = existed ? join(opts.to, `${STAGE_PREFIX}${nonce}`) : join(dirname(opts.to), `.${basename(opts.to)}${STAGE_PREFIX}${nonce}`);
  await mkdir(stage, { recursive: true });
  try {
    const result = await writeSet({ ...opts, to: stage });
    if (existed) result.removed = await swapIn(stage, opts.to, result);
    else await rename(stage, opts.to);
    return result;
  } finally {
    await rm(stage, { recursive: true, force: true });
  }
}

/**
 * Moves the complete set from `stage` into `to`, file by file (each rename is atomic), and removes
 * the legacy files the set does not hold. The previous files are linked into `stage` first and
 * put back if anything fails.
 */
async function swapIn(stage: string, to: string, result: ExportResult): Promise<string[]> {
  const previous = join(stage, '.previous');
  await mkdir(previous);
  const had = LEGACY_FILES.map((s) => s.file).filter((f) => existsSync(join(to, f)) && statSync(join(to, f)).isFile());
  for (const f of had) await link(join(to, f), join(previous, f)).catch(() => copyFile(join(to, f), join(previous, f)));
  const touched: string[] = [];
  try {
    for (const { file } of result.written) {
      touched.push(file);
      await rename(join(stage, file), join(to, file));
    }
    const removed: string[] = [];
    for (const file of result.absent.filter((f) => had.includes(f))) {
      touched.push(file);
      await unlink(join(to, file));
      removed.push(file);
    }
    return removed;
  } catch (err) {
    for (const f of touched) {
      if (had.includes(f)) await rename(join(previous, f), join(to, f)).catch(() => {});
      else await unlink(join(to, f)).catch(() => {});
    }
    throw err;
  }
}

async function writeSet(opts: ExportOptions): Promise<ExportResult> {
  const sql = createImportSql(opts.db.kysely, opts.db.engine);
  const presentAtImport = (await createAppStateSql(opts.db.kysely).get<Record<string, boolean>>(LEGACY_FILES_KEY)) ?? {};
  const allQ = (await sql.selectQuarantine()) as QRow[];
  const result: ExportResult = { written: [], absent: [], removed: [] };
  for (const spec of LEGACY_FILES) {
    const q = allQ.filter((r) => r.file === spec.file);
    const path = join(opts.to, spec.file);
    const whole = q.find((r) => r.locator === '');
    if (whole) {
      const verbatim = new Verbatim();
      await writeFile(
        path,
        whole.raw_encoding === 'base64' ? Buffer.from(whole.raw, 'base64') : verbatim.splice(serializeLegacyJson(verbatim.value(whole.raw))),
      );
      result.written.push({ file: spec.file, records: 0, quarantined: 1 });
      continue;
    }
    const written = spec.streamed
      ? await exportLibrary(sql, spec, q, opts, presentAtImport[spec.file] === true)
      : await exportFile(sql, spec, q, opts, presentAtImport[spec.file] === true);
    if (written) result.written.push({ file: spec.file, ...written });
    else result.absent.push(spec.file);
  }
  return result;
}

async function exportFile(sql: ImportSql, spec: LegacyFileSpec, q: QRow[], opts: ExportOptions, wasPresent: boolean) {
  const main = await records(sql, spec.target, opts);
  const shape = spec.shape;
  const verbatim = new Verbatim();
  const qValue = new Map(q.map((r) => [parsePointer(r.locator), verbatim.value(r.raw)] as const).map(([p, v]) => [p.join('\u0000'), { p, v }]));
  let value: unknown;
  let present = wasPresent || main.length > 0 || q.length > 0;
  switch (shape.kind) {
    case 'document':
      present = main.length > 0;
      value = main[0]?.record;
      break;
    case 'map':
    case 'sections': {
      const obj: Record<string, unknown> = {};
      const order = shape.kind === 'sections' ? [...main].sort((a, b) => shape.sections.indexOf(a.key) - shape.sections.indexOf(b.key)) : main;
      for (const m of order) setOwn(obj, m.key, m.record);
      for (const { p, v } of qValue.values()) if (p.length === 1) setOwn(obj, p[0]!, v);
      value = obj;
      break;
    }
    case 'array': {
      const quarantined = new Map<number, unknown>();
      const strays: [string, unknown][] = [];
      for (const { p, v } of qValue.values()) {
        if (p.length === 2 && p[0] === shape.arrayKey && /^\d+$/.test(p[1]!)) quarantined.set(Number(p[1]), v);
        else if (p.length === 1) strays.push([p[0]!, v]);
      }
      const elements = mergeElements(
        main.map((m) => m.record),
        quarantined,
      );
      let rest: Record<string, unknown> | undefined;
      if (shape.rest) {
        const r = await records(sql, shape.rest, opts);
        if (r.length > 0) {
          present = true;
          rest = r[0]!.record as Record<string, unknown>;
        }
      }
      if (shape.join) {
        value = shape.join(rest ?? {}, elements);
        if (isObject(value)) for (const [k, v] of strays) setOwn(value, k, v);
      } else {
        const obj: Record<string, unknown> = {};
        if (rest) for (const [k, v] of Object.entries(rest)) setOwn(obj, k, v);
        for (const [k, v] of strays) setOwn(obj, k, v);
        setOwn(obj, shape.arrayKey, elements);
        value = obj;
      }
      break;
    }
  }
  if (!present || value === undefined) return undefined;
  await writeAtomic(join(opts.to, spec.file), verbatim.splice(serializeLegacyJson(value)));
  return { records: main.length, quarantined: q.length };
}

/** library.json written item by item, exactly as JSON.stringify({items, ...}, null, 2) would. */
async function exportLibrary(sql: ImportSql, spec: LegacyFileSpec, q: QRow[], opts: ExportOptions, wasPresent: boolean) {
  const count = await sql.countRows('library_items');
  if (!wasPresent && count === 0 && q.length === 0) return undefined;
  const quarantined = new Map<number, unknown>();
  const strays: [string, unknown][] = [];
  const verbatim = new Verbatim();
  for (const r of q) {
    const p = parsePointer(r.locator);
    if (p.length === 2 && p[0] === 'items' && /^\d+$/.test(p[1]!)) quarantined.set(Number(p[1]), verbatim.value(r.raw));
    else if (p.length === 1) strays.push([p[0]!, verbatim.value(r.raw)]);
  }
  const path = join(opts.to, spec.file);
  const temp = `${path}.export-tmp`;
  const out = createWriteStream(temp);
  const done = new Promise<void>((resolve, reject) => {
    out.on('finish', resolve);
    out.on('error', reject);
  });
  let buf = '{\n  "items": [';
  let index = 0;
  let rows = 0;
  const emit = async (item: unknown) => {
    buf += (index === 0 ? '\n    ' : ',\n    ') + verbatim.splice(JSON.stringify(item, null, 2).replace(/\n/g, '\n    '));
    index++;
    if (buf.length >= 1 << 20) {
      const ok = out.write(buf);
      buf = '';
      if (!ok) await new Promise<void>((r) => out.once('drain', () => r()));
    }
  };
  const drainQuarantined = async () => {
    while (quarantined.has(index)) {
      const v = quarantined.get(index);
      quarantined.delete(index);
      await emit(v);
    }
  };
  try {
    let after = 0;
    for (;;) {
      const page = await sql.libraryPage(spec.target.columns, after, 1000);
      if (page.length === 0) break;
      for (const row of page) {
        await drainQuarantined();
        await emit(spec.target.fromRow(row, opts.secretBox).record);
        rows++;
      }
      after = Number(page[page.length - 1]!.seq);
      opts.onLibrary?.(rows);
    }
    await drainQuarantined();
    for (const k of [...quarantined.keys()].sort((a, b) => a - b)) await emit(quarantined.get(k));
    buf += index === 0 ? ']' : '\n  ]';
    for (const [k, v] of strays) buf += `,\n  ${JSON.stringify(k)}: ${verbatim.splice(JSON.stringify(v, null, 2).replace(/\n/g, '\n  '))}`;
    out.end(`${buf}\n}`);
    await done;
    await rename(temp, path);
  } catch (err) {
    out.destroy();
    await unlink(temp).catch(() => {});
    throw err;
  }
  return { records: rows, quarantined: q.length };
}

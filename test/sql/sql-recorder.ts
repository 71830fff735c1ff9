/**
 * Records the SQL that store methods send (Kysely's `log` hook) and renders it as readable,
 * stable text for the checked-in snapshots in test/sql/ (STYLE.md §8). Only SQL text is kept:
 * parameter values (times, random ids, sealed secrets) never reach the files.
 */
import { CompiledQuery, type LogEvent } from 'kysely';
import { type Database, openDatabase } from '../../src/db/connect.js';
import { migrateToLatest } from '../../src/db/migrator.js';
import { createTestTarget, type TestEngine } from '../helpers/engines.js';

interface Captured {
  sql: string;
  parameters: readonly unknown[];
}

export interface CallOptions {
  /** The method runs its statements concurrently (Promise.all): show them sorted, say so. */
  unordered?: boolean;
}

export interface SqlRecorder {
  db: Database;
  engine: TestEngine;
  /** Runs `fn`, recording every statement it sends under the header `-- <name>`. */
  call<T>(name: string, fn: () => Promise<T>, opts?: CallOptions): Promise<T>;
  /** Runs `fn` without recording (fixture set-up). */
  quiet<T>(fn: () => Promise<T>): Promise<T>;
  /** Runs `fn` like `call`, then records the engine's plan of its LAST statement in `plans()`. */
  explain<T>(name: string, fn: () => Promise<T>): Promise<T>;
  /** The recorded blocks, one statement per block. */
  text(): string;
  /** The recorded plans (SQL, then the plan as `--` lines). */
  plans(): string;
  close(): Promise<void>;
}

/** A fresh, migrated database of `engine` whose statements can be recorded. */
export async function openRecorder(engine: TestEngine): Promise<SqlRecorder> {
  const { target, drop } = await createTestTarget(engine);
  let sink: Captured[] | null = null;
  const log = (event: LogEvent) => {
    if (sink) sink.push({ sql: event.query.sql, parameters: event.query.parameters });
  };
  const db = openDatabase(target, { log });
  const { error } = await migrateToLatest(db);
  if (error) throw new Error(error);

  const blocks: string[] = [];
  const planBlocks: string[] = [];

  async function capture<T>(fn: () => Promise<T>): Promise<{ value: T; statements: Captured[] }> {
    if (sink) throw new Error('recorder calls must not overlap');
    const statements: Captured[] = [];
    sink = statements;
    try {
      return { value: await fn(), statements };
    } finally {
      sink = null;
    }
  }

  function record(name: string, statements: Captured[], opts: CallOptions): void {
    if (statements.length === 0) {
      blocks.push(`-- ${name}\n-- (no statement)`);
      return;
    }
    const texts = statements.map((s) => formatSql(s.sql));
    if (opts.unordered) texts.sort();
    texts.forEach((t, i) => {
      const n = texts.length > 1 ? ` [${i + 1}/${texts.length}${opts.unordered ? ', concurrent' : ''}]` : '';
      blocks.push(`-- ${name}${n}\n${t};`);
    });
  }

  async function planOf(statement: Captured): Promise<string[]> {
    if (engine === 'sqlite') {
      const r = await db.kysely.executeQuery<{ id: number; parent: number; detail: string }>(
        CompiledQuery.raw(`EXPLAIN QUERY PLAN ${statement.sql}`, [...statement.parameters]),
      );
      // Render the tree by nesting; the numeric ids themselves are not stable, so they are dropped.
      const depth = new Map<number, number>([[0, -1]]);
      return r.rows.map((row) => {
        const d = (depth.get(row.parent) ?? -1) + 1;
        depth.set(row.id, d);
        return `${'  '.repeat(d)}${row.detail}`;
      });
    }
    const r = await db.kysely.executeQuery<Record<string, string>>(CompiledQuery.raw(`EXPLAIN (COSTS OFF) ${statement.sql}`, [...statement.parameters]));
    return r.rows.map((row) => String(row['QUERY PLAN']).replace(/\s+$/, ''));
  }

  return {
    db,
    engine,
    async call(name, fn, opts = {}) {
      const { value, statements } = await capture(fn);
      record(name, statements, opts);
      return value;
    },
    async quiet(fn) {
      return fn();
    },
    async explain(name, fn) {
      const { value, statements } = await capture(fn);
      record(name, statements, {});
      const last = statements[statements.length - 1];
      if (!last) throw new Error(`${name}: no statement to explain`);
      const plan = await planOf(last);
      planBlocks.push(`-- ${name}\n${formatSql(last.sql)};\n${plan.map((l) => `-- ${l}`).join('\n')}`);
      return value;
    },
    text: () => `${blocks.join('\n\n')}\n`,
    plans: () => `${planBlocks.join('\n\n')}\n`,
    async close() {
      await db.close();
      await drop();
    },
  };
}

// ---- formatting ----

/** Clauses that start a new line (at the statement's own level, never inside a string). */
const CLAUSES = [
  'on conflict',
  'order by',
  'group by',
  'inner join',
  'left join',
  'for update',
  'union all',
  'select',
  'from',
  'where',
  'having',
  'limit',
  'offset',
  'returning',
  'values',
  'set',
  'union',
];
const WRAP_AT = 100;
const SUBQUERY_INLINE_MAX = 80;

/** Whitespace outside quotes collapsed to one space; control characters shown as <U+XXXX>. */
export function normalizeSql(raw: string): string {
  let out = '';
  const sql = raw.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, (ch) => `<U+${ch.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}>`);
  for (let i = 0; i < sql.length; ) {
    const c = sql[i]!;
    if (c === "'" || c === '"') {
      const j = endOfQuoted(sql, i);
      out += sql.slice(i, j);
      i = j;
    } else if (/\s/.test(c)) {
      if (!out.endsWith(' ') && !out.endsWith('(')) out += ' ';
      while (i < sql.length && /\s/.test(sql[i]!)) i++;
    } else {
      if (c === ')' && out.endsWith(' ')) out = out.slice(0, -1);
      out += c;
      i++;
    }
  }
  return out.trim();
}

/** One clause a line; long sub-selects indented on lines of their own; long lists wrapped. */
export function formatSql(sql: string): string {
  return layout(normalizeSql(sql), '');
}

function layout(s: string, indent: string): string {
  let out = '';
  let depth = 0;
  const newline = (extra = '') => {
    out = `${out.trimEnd()}\n${indent}${extra}`;
  };
  for (let i = 0; i < s.length; ) {
    const c = s[i]!;
    if (c === "'" || c === '"') {
      const j = endOfQuoted(s, i);
      out += s.slice(i, j);
      i = j;
      continue;
    }
    if (c === '(') {
      const j = matchingParen(s, i);
      const inner = s.slice(i + 1, j);
      if (/^select\b/i.test(inner) && inner.length > SUBQUERY_INLINE_MAX) {
        out += `(\n${indent}  ${layout(inner, `${indent}  `)}\n${indent})`;
        i = j + 1;
        continue;
      }
      depth++;
    } else if (c === ')') {
      depth--;
    } else if (depth === 0 && i > 0 && s[i - 1] === ' ') {
      const clause = clauseAt(s, i);
      // `delete from`: the keyword continues the clause before it.
      if (clause && !(clause === 'from' && /\bdelete $/i.test(s.slice(Math.max(0, i - 7), i)))) newline();
    }
    const op = c === ' ' ? /^(and|or) /i.exec(s.slice(i + 1, i + 5)) : null;
    if (op && out.length - out.lastIndexOf('\n') + op[0].length + nextItemLength(s, i + 1 + op[0].length) > WRAP_AT) {
      newline('  ');
      i++;
      continue;
    }
    out += c;
    i++;
    // Wrap a list before the item that would run past WRAP_AT.
    if (c === ',' && out.length - out.lastIndexOf('\n') + nextItemLength(s, i) > WRAP_AT) {
      newline('  ');
      if (s[i] === ' ') i++;
    }
  }
  return out;
}

function clauseAt(s: string, i: number): string | undefined {
  const clause = CLAUSES.find((k) => s.slice(i, i + k.length).toLowerCase() === k && !/\w/.test(s[i + k.length] ?? ''));
  // `is distinct from` is an operator, not a FROM clause.
  if (clause === 'from' && /\bdistinct $/i.test(s.slice(Math.max(0, i - 9), i))) return undefined;
  return clause;
}

/** Length of the list item starting at `from` (up to the next comma or closing paren at its level). */
function nextItemLength(s: string, from: number): number {
  let depth = 0;
  for (let i = from; i < s.length; ) {
    const c = s[i]!;
    if (c === "'" || c === '"') {
      i = endOfQuoted(s, i);
      continue;
    }
    if (c === '(') depth++;
    else if (c === ')' && depth-- === 0) return i - from;
    else if (c === ',' && depth === 0) return i - from + 1;
    else if (c === ' ' && depth === 0 && (clauseAt(s, i + 1) || /^(and|or) /i.test(s.slice(i + 1, i + 5)))) return i - from;
    i++;
  }
  return s.length - from;
}

function endOfQuoted(s: string, start: number): number {
  const q = s[start];
  let i = start + 1;
  while (i < s.length) {
    if (s[i] === q) {
      if (s[i + 1] === q) i += 2;
      else return i + 1;
    } else i++;
  }
  return s.length;
}

function matchingParen(s: string, open: number): number {
  let depth = 0;
  for (let i = open; i < s.length; ) {
    const c = s[i]!;
    if (c === "'" || c === '"') {
      i = endOfQuoted(s, i);
      continue;
    }
    if (c === '(') depth++;
    else if (c === ')' && --depth === 0) return i;
    i++;
  }
  return s.length - 1;
}

import type { FastifyInstance } from 'fastify';
import { Invalid } from '../errors.js';

/**
 * Input no store can hold alike, refused once at the edge (400 `{ok:false,error}`) instead of
 * reaching a store:
 * - NUL characters: PostgreSQL text and jsonb cannot hold U+0000 (the query fails), SQLite and
 *   the JSON files would keep it, so the engines would disagree; no id, title or path needs one.
 * - Unpaired UTF-16 surrogates: not encodable as UTF-8 (PostgreSQL rejects the jsonb escape,
 *   text columns silently turn them into U+FFFD).
 * - Nesting deeper than MAX_INPUT_DEPTH: SQLite's JSON functions stop at 1000 levels and
 *   JSON.stringify overflows the stack a few thousand levels down; real bodies are < 10 deep.
 * Object keys are checked as well as values.
 */
export const MAX_INPUT_DEPTH = 64;

// A high surrogate not followed by a low one, or a low one not preceded by a high one.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function textProblem(s: string): string | undefined {
  if (s.includes('\u0000')) return 'must not contain NUL characters';
  if (LONE_SURROGATE.test(s)) return 'must not contain unpaired surrogates';
  return undefined;
}

/** Describes the first unsafe spot as `path: problem` (zod's style), or undefined when clean. */
export function findUnsafeInput(value: unknown, root: string): string | undefined {
  // Iterative on purpose: a recursive walk is what a deep body is meant to break.
  const stack: { v: unknown; path: string; depth: number }[] = [{ v: value, path: root, depth: 0 }];
  while (stack.length) {
    const { v, path, depth } = stack.pop()!;
    if (typeof v === 'string') {
      const p = textProblem(v);
      if (p) return `${path}: ${p}`;
      continue;
    }
    if (v === null || typeof v !== 'object') continue;
    if (depth >= MAX_INPUT_DEPTH) return `${path.split('.').slice(0, 4).join('.')}: nested deeper than ${MAX_INPUT_DEPTH} levels`;
    for (const [k, child] of Object.entries(v)) {
      const childPath = path ? `${path}.${k}` : k;
      const p = textProblem(k);
      if (p) return `${path || 'body'}: key ${p}`;
      stack.push({ v: child, path: childPath, depth: depth + 1 });
    }
  }
  return undefined;
}

/** Throws Invalid (400) for input findUnsafeInput rejects; for parts parsed by hand (multipart). */
export function assertSafeInput(value: unknown, root = ''): void {
  const problem = findUnsafeInput(value, root);
  if (problem) throw new Invalid(problem);
}

/**
 * Checks path params, query and JSON body of every route before validation (so before the
 * route's auth preHandler too, like Fastify's own body-parse errors). Register before the routes.
 */
export function registerInputGuard(app: FastifyInstance): void {
  // Callback style, not async: no promise per request for a check that never waits.
  app.addHook('preValidation', (request, _reply, done) => {
    const problem = findUnsafeInput(request.params, 'params') ?? findUnsafeInput(request.query, 'query') ?? findUnsafeInput(request.body, '');
    done(problem ? new Invalid(problem) : undefined);
  });
}

import { STATUS_CODES } from 'node:http';
import type { FastifyError, FastifyInstance } from 'fastify';
import { ZodError } from 'zod';
import { AppError, Invalid } from '../errors.js';
import { LegacyFileError } from '../legacy/file-error.js';

/** Turns zod issues into one readable sentence naming the fields, e.g. "title: Required". */
export function describeZodError(err: ZodError): string {
  return err.issues.map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message)).join('; ');
}

/** Parse a request part with zod; bad input is a 400 `{ok:false,error}` naming the field. */
export function parseInput<T>(schema: { safeParse(v: unknown): { success: true; data: T } | { success: false; error: ZodError } }, value: unknown): T {
  const r = schema.safeParse(value ?? {});
  if (!r.success) throw new Invalid(describeZodError(r.error));
  return r.data;
}

/**
 * For routes that REPLACE a whole document (downloader settings, verify settings): a request
 * without a body (or `null`) is refused instead of read as `{}`, which would wipe the document
 * and its stored secrets. An explicit `{}` still means "all defaults", as in legacy.
 */
export function parseDocumentInput<T>(schema: { safeParse(v: unknown): { success: true; data: T } | { success: false; error: ZodError } }, value: unknown): T {
  if (value === undefined || value === null) throw new Invalid('request body is required (a JSON object); send {} to reset');
  return parseInput(schema, value);
}

/**
 * One mapping from thrown errors to responses, registered before any route (Fastify 5 binds the
 * handler at route registration; legacy registered it last and never used it: API.md §0.2).
 * - AppError: its status and `{ok:false,error,...extra}` (the legacy body shape).
 * - Fastify's own 4xx (bad JSON, bad content type, body too large, rate limit): Fastify's
 *   default body as legacy clients saw it (`statusCode`, `code`, `error` = the HTTP reason,
 *   `message`), plus `ok:false` like every other error.
 * - A legacy JSON file that cannot be read or written (phase `files`): logged, answered 507
 *   (no space left) or 500 `{ok:false,error:"storage_error",message}`; the message names the
 *   file by its base name and the errno code, never its content or directory.
 * - Anything else: logged with its cause, answered 500 `{ok:false,error:"internal_error"}`.
 */
export function registerErrorHandler(app: FastifyInstance, opts: { onLegacyFileError?: (err: LegacyFileError) => void } = {}): void {
  app.setErrorHandler((err: FastifyError | AppError | Error, request, reply) => {
    if (err instanceof AppError) {
      if (err.status >= 500) request.log.error({ err: (err as { causeError?: unknown }).causeError ?? err }, 'request failed');
      return reply.status(err.status).send({ ok: false, error: err.code, ...err.extra });
    }
    if (err instanceof LegacyFileError) {
      request.log.error({ err }, 'request failed: legacy file');
      opts.onLegacyFileError?.(err);
      const cause = (err.cause as NodeJS.ErrnoException | undefined)?.code;
      const status = cause === 'ENOSPC' || cause === 'EDQUOT' ? 507 : 500;
      return reply.status(status).send({ ok: false, error: 'storage_error', message: err.message });
    }
    if (err instanceof ZodError) {
      return reply.status(400).send({ ok: false, error: describeZodError(err) });
    }
    const fe = err as FastifyError;
    const status = typeof fe.statusCode === 'number' ? fe.statusCode : 500;
    if (status >= 400 && status < 500) {
      if (fe.validation) return reply.status(400).send({ ok: false, error: fe.message });
      // Rate-limit builders throw plain objects, hence the reads with fallbacks.
      const reason = (err as { error?: unknown }).error;
      return reply.status(status).send({
        ok: false,
        statusCode: status,
        ...(typeof fe.code === 'string' ? { code: fe.code } : {}),
        error: typeof reason === 'string' ? reason : (STATUS_CODES[status] ?? 'Error'),
        message: typeof fe.message === 'string' ? fe.message : '',
      });
    }
    request.log.error({ err }, 'unhandled error');
    return reply.status(500).send({ ok: false, error: 'internal_error' });
  });
}

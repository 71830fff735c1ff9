import type { FastifyBaseLogger, FastifyServerOptions } from 'fastify';
import type { Bindings, ChildLoggerOptions, LogFn } from 'pino';

/**
 * Log configuration shared by server and CLI. Credentials never reach a log line: request
 * headers that carry them and body fields that may hold them are censored.
 */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  '*.password',
  '*.apiKey',
  '*.accessToken',
  '*.refreshToken',
  '*.token',
  '*.passwordHash',
];

/** Query parameters that carry credentials (the SSE stream ticket, API keys): their values are cut from logged URLs. */
const SECRET_QUERY = /([?&](?:ticket|token|apikey|api_key|access_token)=)[^&#]*/gi;

export function redactUrl(url: string): string {
  return url.replace(SECRET_QUERY, '$1[redacted]');
}

export function loggerOptions(level: string, stream?: NodeJS.WritableStream): FastifyServerOptions['logger'] {
  if (level === 'silent' && !stream) return false;
  return {
    level,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    // Fastify's request line, with credentials in the query string cut out.
    serializers: {
      req: (req: { method?: string; url?: string; hostname?: string; ip?: string; socket?: { remotePort?: number } }) => ({
        method: req.method,
        url: redactUrl(req.url ?? ''),
        host: req.hostname,
        remoteAddress: req.ip,
        remotePort: req.socket?.remotePort,
      }),
    },
    ...(stream ? { stream } : {}),
  };
}

type Level = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';
type ChildOptions = ChildLoggerOptions | undefined;
type LevelCheck = { isLevelEnabled?: (level: string) => boolean };

/** pino's isLevelEnabled; true for a logger without one (its methods decide). */
function enabled(logger: FastifyBaseLogger, level: string): boolean {
  const check = (logger as LevelCheck).isLevelEnabled;
  return typeof check !== 'function' || check.call(logger, level);
}

/**
 * `request.log`, made when the request first logs at an enabled level. Fastify's default makes
 * a pino child for every request, and with redaction on, pino runs the child's bindings through
 * it: ~1% of a page request's CPU (profile under 50 connections), for a logger that at the
 * default level almost no request uses. A route with its own log level gets a real child at once.
 */
class RequestLogger implements FastifyBaseLogger {
  readonly #parent: FastifyBaseLogger;
  readonly #bindings: Bindings;
  readonly #opts: ChildOptions;
  #real: FastifyBaseLogger | undefined;

  constructor(parent: FastifyBaseLogger, bindings: Bindings, opts: ChildOptions) {
    this.#parent = parent;
    this.#bindings = bindings;
    this.#opts = opts;
  }

  #logger(): FastifyBaseLogger {
    this.#real ??= this.#parent.child(this.#bindings, this.#opts);
    return this.#real;
  }

  #call(level: Level, args: unknown[]): void {
    // Below the level nothing is written: no child is made for it.
    if (this.#real === undefined && !enabled(this.#parent, level)) return;
    (this.#logger()[level] as (...a: unknown[]) => void)(...args);
  }

  get level(): string {
    return (this.#real ?? this.#parent).level;
  }

  set level(level: string) {
    this.#logger().level = level;
  }

  isLevelEnabled(level: string): boolean {
    return enabled(this.#real ?? this.#parent, level);
  }

  fatal: LogFn = (...args: unknown[]) => this.#call('fatal', args);
  error: LogFn = (...args: unknown[]) => this.#call('error', args);
  warn: LogFn = (...args: unknown[]) => this.#call('warn', args);
  info: LogFn = (...args: unknown[]) => this.#call('info', args);
  debug: LogFn = (...args: unknown[]) => this.#call('debug', args);
  trace: LogFn = (...args: unknown[]) => this.#call('trace', args);
  silent: LogFn = () => {};

  child(bindings: Bindings, opts?: ChildOptions): FastifyBaseLogger {
    return this.#logger().child(bindings, opts);
  }
}

/** Fastify's childLoggerFactory: the request's logger is made when first used (RequestLogger). */
export const requestLoggerFactory: NonNullable<FastifyServerOptions['childLoggerFactory']> = (logger, bindings, opts) =>
  opts.level !== undefined ? logger.child(bindings, opts) : new RequestLogger(logger, bindings, opts);

/** The part of a logger a background task needs (pino's, or the CLI's small one). */
export interface StreakLogger {
  warn(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
}

/** What a background task reports of its outcomes (failureStreak). */
export interface TaskOutcomes {
  failed(err: unknown): void;
  succeeded(): void;
}

/**
 * Logs a background task's failures once per streak: the first failure as a warning, then nothing
 * until it succeeds again (one info line with how many failed), so a task that runs every few
 * seconds against a database or a client that is down writes two lines, not one per attempt.
 * `describe` turns an error into the fields logged: it must leave out credentials (an error's
 * message or properties may hold a URL with a password or an API key), so a raw error is never logged.
 */
export function failureStreak(log: StreakLogger | undefined, task: string, describe: (err: unknown) => object): TaskOutcomes {
  let failures = 0;
  return {
    failed(err) {
      failures += 1;
      if (failures === 1) log?.warn({ task, ...describe(err) }, `${task} failed (logged once until it works again)`);
    },
    succeeded() {
      if (failures > 0) log?.info({ task, failures }, `${task} works again after ${failures} failed attempt(s)`);
      failures = 0;
    },
  };
}

import type { FastifyServerOptions } from 'fastify';

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

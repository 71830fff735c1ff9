import { Agent, request } from 'node:http';

export interface LoadRequest {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  path: string;
  body?: unknown;
}

export interface LoadResult {
  requests: number;
  rps: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  /** Age of the oldest request still in flight when the run ended (autocannon rows; those count in the percentiles at their age then). */
  oldestUnanswered?: number;
  /** autocannon rows: p99 without each connection's first answer (which waits for the server to accept the connection). */
  p99Warm?: number;
  /** autocannon rows: the slowest first answer on a connection. */
  slowestFirst?: number;
  /** Network errors and timeouts. */
  errors: number;
  /** Responses with a status >= 400, by status. */
  failures: Record<string, number>;
  /** Bodies of the first few failures, to explain them. */
  samples: string[];
}

/**
 * A closed-loop load generator: `connections` keep-alive sockets, each sending its next request
 * when the previous answer arrives, until `durationMs` passes or `amount` requests were sent.
 * Latencies are kept exactly (no histogram buckets), so p50/p95/p99 are exact.
 */
export async function runLoad(opts: {
  url: string;
  connections: number;
  durationMs?: number;
  amount?: number;
  token?: string;
  next: (i: number) => LoadRequest;
  timeoutMs?: number;
}): Promise<LoadResult> {
  const base = new URL(opts.url);
  const agent = new Agent({ keepAlive: true, maxSockets: opts.connections, maxFreeSockets: opts.connections });
  const latencies: number[] = [];
  const failures: Record<string, number> = {};
  const samples: string[] = [];
  let errors = 0;
  let sent = 0;
  const started = performance.now();
  const deadline = opts.durationMs ? started + opts.durationMs : Infinity;
  const limit = opts.amount ?? Infinity;

  const one = (r: LoadRequest) =>
    new Promise<void>((resolve) => {
      const payload = r.body === undefined ? undefined : Buffer.from(JSON.stringify(r.body));
      const t0 = performance.now();
      const req = request(
        {
          agent,
          host: base.hostname,
          port: base.port,
          method: r.method,
          path: r.path,
          timeout: opts.timeoutMs ?? 60_000,
          headers: {
            ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
            ...(payload ? { 'content-type': 'application/json', 'content-length': payload.length } : {}),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => {
            if ((res.statusCode ?? 0) >= 400) chunks.push(c);
          });
          res.on('end', () => {
            latencies.push(performance.now() - t0);
            const status = res.statusCode ?? 0;
            if (status >= 400) {
              failures[status] = (failures[status] ?? 0) + 1;
              if (samples.length < 3) samples.push(`${r.method} ${r.path} -> ${status} ${Buffer.concat(chunks).toString().slice(0, 200)}`);
            }
            resolve();
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', (e) => {
        errors += 1;
        if (samples.length < 3) samples.push(`${r.method} ${r.path} -> ${e.message}`);
        resolve();
      });
      req.end(payload);
    });

  const worker = async () => {
    while (performance.now() < deadline && sent < limit) {
      const i = sent++;
      await one(opts.next(i));
    }
  };
  await Promise.all(Array.from({ length: opts.connections }, worker));
  const elapsed = (performance.now() - started) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => (latencies.length ? latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] : NaN);
  return {
    requests: latencies.length,
    rps: latencies.length / elapsed,
    p50: pct(50),
    p95: pct(95),
    p99: pct(99),
    max: latencies.length ? latencies[latencies.length - 1] : NaN,
    errors,
    failures,
    samples,
  };
}

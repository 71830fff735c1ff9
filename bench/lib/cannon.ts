import autocannon from 'autocannon';
import type { LoadRequest, LoadResult } from './load.js';

/**
 * The rows under many connections (50, 1,000) are driven by autocannon, a maintained load
 * generator: its own HTTP/1.1 client over raw sockets, keep-alive, one request in flight per
 * connection (closed loop). `next(i)` gives the i-th request (method, path, JSON body), in the
 * order they are sent. Latencies are taken exactly from every response (autocannon's own
 * histogram rounds to whole milliseconds), so p50/p95/p99 are exact; req/s is responses over
 * the run's wall time. The requests still unanswered when the run ends (one per connection in
 * a closed loop) count in the percentiles at their age then (a lower bound), and the oldest one
 * is reported: under 1,000 connections a connection the server starves would otherwise never
 * show in p99, however long it waited.
 */
export async function runCannon(opts: {
  url: string;
  connections: number;
  durationMs?: number;
  amount?: number;
  token?: string;
  next: (i: number) => LoadRequest;
  timeoutMs?: number;
}): Promise<LoadResult> {
  const latencies: number[] = [];
  // The answers after each connection's first: the first waits for the server to accept the connection.
  const warm: number[] = [];
  const answeredOn = new Set<unknown>();
  let firstMax = 0;
  // autocannon hands each request a fresh context object, the same one to its setup and its
  // response: the requests in flight are the contexts set up and not yet answered.
  const inFlight = new Map<object, number>();
  const failures: Record<string, number> = {};
  const samples: string[] = [];
  let sent = 0;
  const started = performance.now();
  let done: (r: autocannon.Result) => void = () => {};
  let failed: (e: unknown) => void = () => {};
  const finished = new Promise<autocannon.Result>((resolve, reject) => {
    done = resolve;
    failed = reject;
  });
  const instance = autocannon(
    {
      url: opts.url,
      connections: opts.connections,
      ...(opts.amount !== undefined ? { amount: opts.amount } : { duration: (opts.durationMs ?? 5000) / 1000 }),
      timeout: Math.ceil((opts.timeoutMs ?? 60_000) / 1000),
      headers: opts.token ? { authorization: `Bearer ${opts.token}` } : {},
      requests: [
        {
          setupRequest: (req, context) => {
            inFlight.set(context, performance.now());
            const r = opts.next(sent++);
            const body = r.body === undefined ? undefined : JSON.stringify(r.body);
            return {
              ...req,
              method: r.method,
              path: r.path,
              headers: { ...req.headers, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
              ...(body !== undefined ? { body } : {}),
            };
          },
          onResponse: (_status, _body, context) => {
            inFlight.delete(context);
          },
        },
      ],
    },
    (err, result) => (err ? failed(err) : done(result)),
  );
  instance.on('response', (client: unknown, status: number, _bytes: number, ms: number) => {
    latencies.push(ms);
    if (answeredOn.has(client)) warm.push(ms);
    else {
      answeredOn.add(client);
      if (ms > firstMax) firstMax = ms;
    }
    if (status >= 400) {
      failures[status] = (failures[status] ?? 0) + 1;
      if (samples.length < 3) samples.push(`status ${status}`);
    }
  });
  instance.on('reqError', (err: Error) => {
    if (samples.length < 3) samples.push(err.message);
  });
  const result = await finished;
  const ended = performance.now();
  const elapsed = (ended - started) / 1000;
  const answered = latencies.length;
  for (const at of inFlight.values()) latencies.push(ended - at);
  for (const at of inFlight.values()) warm.push(ended - at);
  latencies.sort((a, b) => a - b);
  warm.sort((a, b) => a - b);
  const pctOf = (xs: number[], p: number) => (xs.length ? xs[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))] : Number.NaN);
  const pct = (p: number) => pctOf(latencies, p);
  return {
    requests: answered,
    rps: answered / elapsed,
    oldestUnanswered: Math.max(0, ...[...inFlight.values()].map((at) => ended - at)),
    p50: pct(50),
    p95: pct(95),
    p99: pct(99),
    p99Warm: pctOf(warm, 99),
    slowestFirst: firstMax,
    max: latencies.length ? latencies[latencies.length - 1] : Number.NaN,
    errors: result.errors,
    failures,
    samples,
  };
}

import { Counter, Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { SeriesHistogram } from '../../src/system/metric-series.js';

const BUCKETS = [0.001, 0.01, 0.1, 1];

describe('SeriesHistogram', () => {
  it("exports the text and JSON of prom-client's own counter and histogram for the same observations", async () => {
    const theirs = new Registry();
    const ours = new Registry();
    const labelNames = ['method', 'route', 'status'];
    const counter = new Counter({ name: 'x_requests_total', help: 'requests', labelNames, registers: [theirs] });
    const histogram = new Histogram({ name: 'x_duration_seconds', help: 'latency', labelNames, buckets: BUCKETS, registers: [theirs] });
    const series = new SeriesHistogram({
      name: 'x_duration_seconds',
      help: 'latency',
      buckets: BUCKETS,
      registers: [ours],
      counter: { name: 'x_requests_total', help: 'requests' },
    });
    const observations: [string, string, number, number][] = [
      ['GET', '/api/library/:id', 200, 0.0004],
      ['GET', '/api/library/:id', 200, 0.02],
      ['GET', '/api/library', 200, 0.001],
      ['POST', '/api/library', 409, 3],
      ['GET', '/api/library/:id', 404, 0.5],
      ['GET', '/api/library/:id', 200, 0.0099],
    ];
    for (const [method, route, status, seconds] of observations) {
      const labels = { method, route, status: String(status) };
      counter.inc(labels);
      histogram.observe(labels, seconds);
      series.at(`${method} ${status} ${route}`, () => labels).observe(seconds);
    }
    expect(await ours.metrics()).toBe(await theirs.metrics());
    expect(await ours.getMetricsAsJSON()).toEqual(await theirs.getMetricsAsJSON());
    expect(await ours.metrics()).toContain('x_duration_seconds_bucket{le="0.01",method="GET",route="/api/library/:id",status="200"} 2\n');
  });

  it('keeps one series per key, its labels built once', () => {
    const series = new SeriesHistogram({ name: 'y', help: 'y', buckets: BUCKETS, registers: [new Registry()] });
    const a = series.at('select', () => ({ kind: 'select' }));
    a.observe(0.005);
    series.at('select', () => ({ kind: 'never built' })).observe(2);
    expect(a).toMatchObject({ labels: { kind: 'select' }, count: 2, sum: 2.005, counts: [0, 1, 0, 0] });
  });
});

/**
 * Histograms updated on every request and every statement without prom-client's per-call work.
 *
 * prom-client's `observe(labels, value)` checks the label names, sorts and joins them into a hash
 * and looks the series up on every call: with two metrics per request and one per statement that
 * was ~10% of the CPU of a `GET /api/library/:id` (issue 18 profile). Here a caller finds its
 * series once by a key string it builds cheaply (the label values joined) and counts into plain
 * arrays; the registry reads the series only when /metrics is scraped, in prom-client's own
 * format (same names, buckets, label order and text).
 */
import type { Metric, Registry } from 'prom-client';

type Labels = Record<string, string>;

/** One labelled series: counts per bucket (not cumulative), sum and count. */
export class HistogramSeries {
  readonly counts: number[];
  sum = 0;
  count = 0;

  constructor(
    readonly labels: Readonly<Labels>,
    private readonly bounds: readonly number[],
  ) {
    this.counts = new Array<number>(bounds.length).fill(0);
  }

  observe(value: number): void {
    const bounds = this.bounds;
    for (let i = 0; i < bounds.length; i++) {
      if (value <= bounds[i]) {
        this.counts[i] += 1;
        break;
      }
    }
    this.sum += value;
    this.count += 1;
  }
}

/** prom-client's value shape: `labels` first on the line, then `sharedLabels` (the series' own). */
interface ValuePair {
  labels: Labels;
  sharedLabels: Labels;
  value: number;
  metricName?: string;
  /** null on buckets, as prom-client without exemplars. */
  exemplar?: null;
}

interface Exported {
  name: string;
  help: string;
  type: 'histogram' | 'counter';
  values: ValuePair[];
  aggregator: 'sum';
}

/** `sharedLabels` folded into `labels`, as prom-client's own `get()` answers (getMetricsAsJSON). */
function splay(e: Exported) {
  return { ...e, values: e.values.map(({ labels, sharedLabels, ...rest }) => ({ ...rest, labels: { ...labels, ...sharedLabels } })) };
}

/** A histogram keyed by a caller-built string; `counter` also exports each series' count as a counter. */
export class SeriesHistogram {
  private readonly series = new Map<string, HistogramSeries>();

  constructor(
    private readonly opts: { name: string; help: string; buckets: readonly number[]; registers: Registry[]; counter?: { name: string; help: string } },
  ) {
    const histogram = {
      name: opts.name,
      help: opts.help,
      type: 'histogram' as const,
      aggregator: 'sum' as const,
      getForPromString: async () => this.exportHistogram(),
      get: async () => splay(this.exportHistogram()),
      reset: () => this.series.clear(),
    };
    const counter = opts.counter && {
      name: opts.counter.name,
      help: opts.counter.help,
      type: 'counter' as const,
      aggregator: 'sum' as const,
      getForPromString: async () => this.exportCounter(),
      get: async () => splay(this.exportCounter()),
      reset: () => this.series.clear(),
    };
    for (const r of opts.registers) {
      // A registry takes any object with prom-client's metric shape (name, help, type, get).
      if (counter) r.registerMetric(counter as unknown as Metric);
      r.registerMetric(histogram as unknown as Metric);
    }
  }

  /** The series of `key`; `labels` builds its labels the first time only. */
  at(key: string, labels: () => Labels): HistogramSeries {
    let s = this.series.get(key);
    if (!s) {
      s = new HistogramSeries(labels(), this.opts.buckets);
      this.series.set(key, s);
    }
    return s;
  }

  private exportHistogram(): Exported {
    const { name, help, buckets } = this.opts;
    const values: ValuePair[] = [];
    for (const s of this.series.values()) {
      let acc = 0;
      for (let i = 0; i < buckets.length; i++) {
        acc += s.counts[i];
        values.push({ labels: { le: buckets[i] as unknown as string }, sharedLabels: s.labels, value: acc, metricName: `${name}_bucket`, exemplar: null });
      }
      values.push({ labels: { le: '+Inf' }, sharedLabels: s.labels, value: s.count, metricName: `${name}_bucket`, exemplar: null });
      values.push({ labels: {}, sharedLabels: s.labels, value: s.sum, metricName: `${name}_sum` });
      values.push({ labels: {}, sharedLabels: s.labels, value: s.count, metricName: `${name}_count` });
    }
    return { name, help, type: 'histogram', values, aggregator: 'sum' };
  }

  private exportCounter(): Exported {
    const { name, help } = this.opts.counter!;
    const values = [...this.series.values()].map((s) => ({ labels: { ...s.labels }, sharedLabels: {}, value: s.count }));
    return { name, help, type: 'counter', values, aggregator: 'sum' };
  }
}

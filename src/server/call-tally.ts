// Per-call counts in plain numbers, exposed to a prom-client registry as a counter (calls
// by method and code) and a histogram (duration by method) read on scrape. A call costs
// one Map lookup by method, one by code and a bucket search over a dozen bounds; nothing
// is hashed or allocated once a method and code were seen. The values a scrape reads are
// the shapes prom-client's own Counter and Histogram give (test/server/call-tally.test.ts
// compares the two expositions).

/** Distinct methods and codes kept: the services have a few dozen methods and gRPC 17
 * codes; anything past the bound is counted under METHOD_OVERFLOW. */
export const TALLY_METHODS_MAX = 256;
export const TALLY_CODES_PER_METHOD_MAX = 32;
export const METHOD_OVERFLOW = 'other';

interface MethodTally {
  readonly method: string;
  readonly codes: Map<string, number>;
  /** Observations per bucket (not cumulative); the last one is +Inf. */
  readonly buckets: number[];
  sum_s: number;
  count: number;
}

interface MetricValue {
  readonly value: number;
  readonly labels: Record<string, string | number>;
  readonly metricName?: string;
}

interface MetricData {
  readonly name: string;
  readonly help: string;
  readonly type: 'counter' | 'histogram';
  readonly values: MetricValue[];
  readonly aggregator: 'sum';
}

export class CallTally {
  private readonly methods = new Map<string, MethodTally>();

  constructor(readonly bounds_s: readonly number[]) {
    for (let i = 0; i < bounds_s.length; i++) {
      const b = bounds_s[i]!;
      if (!Number.isFinite(b) || (i > 0 && b <= bounds_s[i - 1]!)) throw new Error(`call tally: bucket bounds must be finite and increasing, got ${bounds_s.join(',')}`);
    }
  }

  observe(method: string, code: string, seconds: number): void {
    if (!Number.isFinite(seconds)) throw new Error(`call tally: duration of ${method} must be a finite number of seconds, got ${seconds}`);
    const m = this.methodOf(method);
    const codes = m.codes;
    const n = codes.get(code);
    if (n !== undefined) codes.set(code, n + 1);
    else if (codes.size < TALLY_CODES_PER_METHOD_MAX) codes.set(code, 1);
    else codes.set(METHOD_OVERFLOW, (codes.get(METHOD_OVERFLOW) ?? 0) + 1);
    const bounds = this.bounds_s;
    let i = 0;
    while (i < bounds.length && seconds > bounds[i]!) i++;
    m.buckets[i]! += 1;
    m.sum_s += seconds;
    m.count += 1;
  }

  reset(): void {
    this.methods.clear();
  }

  /** stockraft_grpc_calls_total's values: one per method and code. */
  counterValues(): MetricValue[] {
    const out: MetricValue[] = [];
    for (const m of this.methods.values()) for (const [code, value] of m.codes) out.push({ value, labels: { method: m.method, code } });
    return out;
  }

  /** The duration histogram's values per method: cumulative buckets, +Inf, sum, count. */
  histogramValues(name: string): MetricValue[] {
    const out: MetricValue[] = [];
    for (const m of this.methods.values()) {
      let acc = 0;
      for (let i = 0; i < this.bounds_s.length; i++) {
        acc += m.buckets[i]!;
        out.push({ value: acc, labels: { le: this.bounds_s[i]!, method: m.method }, metricName: `${name}_bucket` });
      }
      out.push({ value: m.count, labels: { le: '+Inf', method: m.method }, metricName: `${name}_bucket` });
      out.push({ value: m.sum_s, labels: { method: m.method }, metricName: `${name}_sum` });
      out.push({ value: m.count, labels: { method: m.method }, metricName: `${name}_count` });
    }
    return out;
  }

  private methodOf(method: string): MethodTally {
    const known = this.methods.get(method);
    if (known !== undefined) return known;
    const name = this.methods.size < TALLY_METHODS_MAX ? method : METHOD_OVERFLOW;
    const existing = this.methods.get(name);
    if (existing !== undefined) return existing;
    const m: MethodTally = { method: name, codes: new Map(), buckets: new Array<number>(this.bounds_s.length + 1).fill(0), sum_s: 0, count: 0 };
    this.methods.set(name, m);
    return m;
  }
}

/** The calls counter as a prom-client metric (the registry calls get() on scrape). */
export class TallyCounter {
  readonly type = 'counter';
  readonly aggregator = 'sum';
  constructor(
    readonly name: string,
    readonly help: string,
    private readonly tally: CallTally,
  ) {}

  get(): Promise<MetricData> {
    return Promise.resolve({ name: this.name, help: this.help, type: 'counter', values: this.tally.counterValues(), aggregator: 'sum' });
  }

  reset(): void {
    this.tally.reset();
  }
}

/** The duration histogram as a prom-client metric. */
export class TallyHistogram {
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  constructor(
    readonly name: string,
    readonly help: string,
    private readonly tally: CallTally,
  ) {}

  get(): Promise<MetricData> {
    return Promise.resolve({ name: this.name, help: this.help, type: 'histogram', values: this.tally.histogramValues(this.name), aggregator: 'sum' });
  }

  reset(): void {
    this.tally.reset();
  }
}

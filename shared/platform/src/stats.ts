// In-process latency histograms and counters. Powertools metrics carry the same figures to CloudWatch on AWS;
// these let the local runtime and benchmarks read percentiles without parsing EMF.

/** Keeps the last `capacity` samples of one figure; percentiles are computed on demand. */
export class Histogram {
  private readonly samples: Float64Array;
  private next = 0;
  private filled = 0;
  count = 0;
  max = 0;

  constructor(private readonly capacity = 100_000) {
    this.samples = new Float64Array(capacity);
  }

  record(value: number): void {
    this.samples[this.next] = value;
    this.next = (this.next + 1) % this.capacity;
    this.filled = Math.min(this.filled + 1, this.capacity);
    this.count++;
    if (value > this.max) this.max = value;
  }

  percentile(p: number): number | null {
    return pick(this.sorted(), p);
  }

  summary(): { count: number; p50: number | null; p95: number | null; p99: number | null; max: number | null } {
    const sorted = this.sorted();
    return {
      count: this.count,
      p50: pick(sorted, 50),
      p95: pick(sorted, 95),
      p99: pick(sorted, 99),
      max: this.filled ? this.max : null,
    };
  }

  private sorted(): Float64Array {
    return this.samples.slice(0, this.filled).sort();
  }

  reset(): void {
    this.next = 0;
    this.filled = 0;
    this.count = 0;
    this.max = 0;
  }
}

/** Nearest-rank percentile of sorted samples. */
function pick(sorted: Float64Array, p: number): number | null {
  if (sorted.length === 0) return null;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] ?? null;
}

export class StatsRegistry {
  private readonly histograms = new Map<string, Histogram>();
  private readonly counters = new Map<string, number>();

  histogram(name: string): Histogram {
    let h = this.histograms.get(name);
    if (!h) {
      h = new Histogram();
      this.histograms.set(name, h);
    }
    return h;
  }

  increment(name: string, by = 1): void {
    this.counters.set(name, (this.counters.get(name) ?? 0) + by);
  }

  counter(name: string): number {
    return this.counters.get(name) ?? 0;
  }

  snapshot(): { histograms: Record<string, ReturnType<Histogram['summary']>>; counters: Record<string, number> } {
    return {
      histograms: Object.fromEntries([...this.histograms].map(([k, h]) => [k, h.summary()])),
      counters: Object.fromEntries(this.counters),
    };
  }

  reset(): void {
    for (const h of this.histograms.values()) h.reset();
    this.counters.clear();
  }
}

/** One registry per process: in the local runtime every service's handlers share it. */
export const stats = new StatsRegistry();

// In-process latency histograms and counters. Powertools metrics carry the same figures to CloudWatch on AWS;
// these let the local runtime and benchmarks read percentiles without parsing EMF.

/** Keeps the last `capacity` samples of one figure; percentiles are computed on demand. */
export class Histogram {
  private readonly samples: Float64Array;
  private next = 0;
  private filled = 0;
  count = 0;
  max = 0;

  constructor(
    private readonly capacity = 100_000,
    private readonly onRecord?: (value: number) => void,
  ) {
    this.samples = new Float64Array(capacity);
  }

  record(value: number): void {
    this.onRecord?.(value);
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

/** What a registry recorded since its changes were last taken: samples per histogram, increments per counter. */
export interface StatsChanges {
  samples: Record<string, number[]>;
  counters: Record<string, number>;
}

/** Samples kept per histogram between two `takeChanges()` calls; older ones are dropped from the changes. */
const MAX_PENDING_SAMPLES = 10_000;

export class StatsRegistry {
  private readonly histograms = new Map<string, Histogram>();
  private readonly counters = new Map<string, number>();
  private changes: StatsChanges | undefined;

  histogram(name: string): Histogram {
    let h = this.histograms.get(name);
    if (!h) {
      h = new Histogram(undefined, (value) => {
        if (!this.changes) return;
        const samples = this.changes.samples[name] ?? [];
        if (samples.length >= MAX_PENDING_SAMPLES) samples.shift();
        samples.push(value);
        this.changes.samples[name] = samples;
      });
      this.histograms.set(name, h);
    }
    return h;
  }

  increment(name: string, by = 1): void {
    this.counters.set(name, (this.counters.get(name) ?? 0) + by);
    if (this.changes) this.changes.counters[name] = (this.changes.counters[name] ?? 0) + by;
  }

  /**
   * From now on, also keeps what is recorded for `takeChanges()`: a registry in another thread (a local Lambda
   * execution environment) hands its figures to the one the runtime reports.
   */
  trackChanges(): void {
    this.changes ??= { samples: {}, counters: {} };
  }

  /** What was recorded since the last call (undefined when nothing was, or changes are not tracked). */
  takeChanges(): StatsChanges | undefined {
    const changes = this.changes;
    if (!changes || (Object.keys(changes.samples).length === 0 && Object.keys(changes.counters).length === 0)) {
      return undefined;
    }
    this.changes = { samples: {}, counters: {} };
    return changes;
  }

  /** Records another registry's changes here, as if they had been recorded here. */
  merge(changes: StatsChanges): void {
    for (const [name, samples] of Object.entries(changes.samples)) {
      const h = this.histogram(name);
      for (const value of samples) h.record(value);
    }
    for (const [name, by] of Object.entries(changes.counters)) this.increment(name, by);
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
    if (this.changes) this.changes = { samples: {}, counters: {} };
  }
}

/**
 * One registry per module graph: on Lambda one per execution environment. The local runtime's is what
 * `/internal/stats` reports; its Lambda execution environments (worker threads, each with its own) send theirs
 * with every reply, merged into it.
 */
export const stats = new StatsRegistry();

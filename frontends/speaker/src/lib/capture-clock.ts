// Maps the audio thread's clock (AudioContext time) to this device's epoch clock (Date.now), so every frame
// carries the time its first sample was captured, whenever the main thread happens to receive it.

export interface CaptureClockOptions {
  /** How long an observation keeps counting: short enough to follow drift between the two clocks. Default 10 s. */
  windowMs?: number;
  /** Granularity of the sliding minimum. Default 1 s. */
  bucketMs?: number;
  /**
   * A pause between render callbacks longer than this means the context was suspended or starved (audio was
   * lost, so context time fell behind): forget what was learnt before. Default 1 s.
   */
  gapMs?: number;
}

interface Bucket {
  id: number;
  min: number;
}

/**
 * When the audio thread renders a quantum, every sample in it already exists, so `now - contextEnd` bounds the
 * offset between the clocks from above; rendering late only makes it larger. The smallest recent value is the
 * best estimate (render callbacks come in bursts, up to a device buffer late). A sample's capture time is then
 * its context time plus that offset: the moment it reached the audio graph, which is later than the moment
 * the microphone took it by the input latency (subtracted by the caller when the browser reports it).
 */
export class CaptureClock {
  private readonly windowMs: number;
  private readonly bucketMs: number;
  private readonly gapMs: number;
  private buckets: Bucket[] = [];
  private lastNow: number | undefined;

  constructor(options: CaptureClockOptions = {}) {
    this.windowMs = options.windowMs ?? 10_000;
    this.bucketMs = options.bucketMs ?? 1_000;
    this.gapMs = options.gapMs ?? 1_000;
  }

  /** Records one render callback: samples up to context time `contextEndSec` existed at epoch `nowMs`. */
  observe(contextEndSec: number, nowMs: number): void {
    if (this.lastNow !== undefined && (nowMs - this.lastNow > this.gapMs || nowMs < this.lastNow)) this.buckets = [];
    this.lastNow = nowMs;
    const offset = nowMs - contextEndSec * 1000;
    const id = Math.floor(nowMs / this.bucketMs);
    const last = this.buckets[this.buckets.length - 1];
    if (last && last.id === id) {
      if (offset < last.min) last.min = offset;
    } else {
      this.buckets.push({ id, min: offset });
    }
    const oldest = id - Math.ceil(this.windowMs / this.bucketMs);
    while (this.buckets.length > 1 && this.buckets[0]!.id <= oldest) this.buckets.shift();
  }

  /** Whether at least one render callback was observed. */
  get ready(): boolean {
    return this.buckets.length > 0;
  }

  /** Epoch ms for context time `contextSec` (NaN before the first observation). */
  epochAt(contextSec: number): number {
    if (this.buckets.length === 0) return Number.NaN;
    let min = Number.POSITIVE_INFINITY;
    for (const bucket of this.buckets) if (bucket.min < min) min = bucket.min;
    return contextSec * 1000 + min;
  }
}

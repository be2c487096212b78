// What to play next, and how fast: the listener's audio queue and catch-up policy as pure logic (no Web Audio,
// no clock of its own), so every rule can be tested in Node. The player (audio-player.svelte.ts) loads clips and
// asks `next()` whenever it can schedule another one.

export interface Clip {
  segmentId: string;
  segmentIndex: number;
  /** Capture time (speaker's clock) of the end of the sentence the clip speaks. */
  captureEnd: number;
}

export type ClipState = 'loading' | 'ready' | 'failed';

export interface CatchUpPolicy {
  /** A clip that would start more than this long after its sentence ended is skipped. */
  staleAfterMs: number;
  /** playbackRate used while the listener is behind. */
  speedUpRate: number;
  /** Behind means at least this many clips still waiting after the one about to start… */
  speedUpBacklog: number;
  /** …or the one about to start is this late. */
  speedUpLateMs: number;
  /** How long a clip waits for the audio of an earlier sentence we know exists (from its captions). */
  holdForEarlierMs: number;
}

export const DEFAULT_POLICY: CatchUpPolicy = {
  staleAfterMs: 8000,
  speedUpRate: 1.25,
  speedUpBacklog: 1,
  speedUpLateMs: 4000,
  holdForEarlierMs: 1500,
};

export type QueueDecision<T extends Clip> =
  /** Start `clip` now (or at the time asked about) at `rate`. */
  | { kind: 'play'; clip: T; rate: number; lateMs: number; skipped: T[] }
  /** The next clip is not ready: ask again when it is, or at `retryAt` (listener clock) at the latest. */
  | { kind: 'wait'; retryAt: number | undefined; skipped: T[] }
  | { kind: 'empty'; skipped: T[] };

interface Entry<T extends Clip> {
  clip: T;
  state: ClipState;
  addedAt: number;
}

/**
 * Clips in segmentIndex order whatever order they arrive in, each at most once. Once a clip has been played or
 * skipped, nothing at or before its index is accepted any more (a late arrival would play out of order).
 *
 * Lateness is measured without trusting the two clocks to agree: every `captureEnd` seen is compared with its
 * arrival time, and the smallest difference (clock skew plus the pipeline's fastest delivery) is taken as "on
 * time". A clip is `lateMs` late when it would start that much later than that.
 */
export class AudioQueue<T extends Clip = Clip> {
  readonly policy: CatchUpPolicy;
  private readonly entries = new Map<string, Entry<T>>();
  /** Segment indices known to exist (from captions) that may still get audio. */
  private readonly known = new Set<number>();
  /** Highest index played, skipped or given up on; -1 before the first. */
  private floor = -1;
  private onTimeOffset = Number.POSITIVE_INFINITY;

  constructor(policy: Partial<CatchUpPolicy> = {}) {
    this.policy = { ...DEFAULT_POLICY, ...policy };
  }

  /** Clips waiting (loading or ready), oldest first. */
  get waiting(): T[] {
    return [...this.entries.values()].sort((a, b) => a.clip.segmentIndex - b.clip.segmentIndex).map((e) => e.clip);
  }

  get size(): number {
    return this.entries.size;
  }

  /** Index of the last clip played or skipped (-1 before the first). */
  get lastIndex(): number {
    return this.floor;
  }

  /** Records when something stamped `captureEnd` arrived, to learn what "on time" is. */
  observe(captureEnd: number, receivedAt: number): void {
    this.onTimeOffset = Math.min(this.onTimeOffset, receivedAt - captureEnd);
  }

  /** How late `captureEnd` is at listener time `at` (0 when nothing has been observed yet). */
  lateness(captureEnd: number, at: number): number {
    const offset = Number.isFinite(this.onTimeOffset) ? this.onTimeOffset : at - captureEnd;
    return Math.max(0, at - captureEnd - offset);
  }

  /** A caption told us segment `segmentIndex` exists: its audio, if any, should play before later clips. */
  noteSegment(segmentIndex: number): void {
    if (segmentIndex > this.floor) this.known.add(segmentIndex);
  }

  /**
   * Queues a clip that arrived at `now`. Returns false (and keeps nothing) for a duplicate or a clip whose turn
   * has passed; the caller then does not load it.
   */
  add(clip: T, now: number): boolean {
    this.observe(clip.captureEnd, now);
    if (clip.segmentIndex <= this.floor || this.entries.has(clip.segmentId)) return false;
    for (const entry of this.entries.values()) if (entry.clip.segmentIndex === clip.segmentIndex) return false;
    this.entries.set(clip.segmentId, { clip, state: 'loading', addedAt: now });
    this.known.add(clip.segmentIndex);
    return true;
  }

  has(segmentId: string): boolean {
    return this.entries.has(segmentId);
  }

  /** The clip finished loading (`ready`) or could not be loaded (`failed`: it will be skipped in its turn). */
  mark(segmentId: string, state: Exclude<ClipState, 'loading'>): void {
    const entry = this.entries.get(segmentId);
    if (entry) entry.state = state;
  }

  /**
   * Takes the next clip to start at listener time `startsAt` (default `now`: when the player has clips scheduled
   * it asks about the moment the last one ends). Skips failed and stale clips on the way; holds a clip back while
   * an earlier sentence's audio is still due, for at most `holdForEarlierMs` after the clip arrived.
   */
  next(now: number, startsAt = now): QueueDecision<T> {
    const skipped: T[] = [];
    for (;;) {
      const head = this.head();
      if (!head) return { kind: 'empty', skipped };
      const lateMs = this.lateness(head.clip.captureEnd, startsAt);
      if (head.state === 'failed' || lateMs > this.policy.staleAfterMs) {
        this.take(head);
        skipped.push(head.clip);
        continue;
      }
      if (head.state === 'loading') return { kind: 'wait', retryAt: undefined, skipped };
      const holdUntil = head.addedAt + this.policy.holdForEarlierMs;
      if (now < holdUntil && this.missingBefore(head.clip.segmentIndex)) {
        return { kind: 'wait', retryAt: holdUntil, skipped };
      }
      this.take(head);
      const behind = this.entries.size >= this.policy.speedUpBacklog || lateMs > this.policy.speedUpLateMs;
      return { kind: 'play', clip: head.clip, rate: behind ? this.policy.speedUpRate : 1, lateMs, skipped };
    }
  }

  /**
   * Forgets clips already too late to play at listener time `at`, without waiting for their turn: while the
   * player cannot play (audio suspended), decoded clips would otherwise pile up in memory.
   */
  dropStale(at: number): T[] {
    const dropped: T[] = [];
    for (const entry of [...this.entries.values()].sort((a, b) => a.clip.segmentIndex - b.clip.segmentIndex)) {
      if (this.lateness(entry.clip.captureEnd, at) <= this.policy.staleAfterMs) break;
      this.take(entry);
      dropped.push(entry.clip);
    }
    return dropped;
  }

  /**
   * "Jump to live": drops every waiting clip but the newest, which plays next without waiting for anything
   * earlier. Returns the dropped clips (empty when at most one was waiting).
   */
  jumpToLive(): T[] {
    const waiting = this.waiting;
    const newest = waiting.pop();
    if (!newest) return [];
    for (const clip of waiting) this.entries.delete(clip.segmentId);
    this.setFloor(newest.segmentIndex - 1);
    return waiting;
  }

  /**
   * Forgets every waiting clip and accepts only clips after `floor` from now on (audio turned off and on again:
   * clips announced while it was off are not coming).
   */
  reset(floor: number): T[] {
    const dropped = this.waiting;
    this.entries.clear();
    this.known.clear();
    this.floor = -1;
    this.setFloor(floor);
    return dropped;
  }

  private head(): Entry<T> | undefined {
    let head: Entry<T> | undefined;
    for (const entry of this.entries.values()) {
      if (!head || entry.clip.segmentIndex < head.clip.segmentIndex) head = entry;
    }
    return head;
  }

  private take(entry: Entry<T>): void {
    this.entries.delete(entry.clip.segmentId);
    this.setFloor(entry.clip.segmentIndex);
  }

  private setFloor(index: number): void {
    this.floor = Math.max(this.floor, index);
    for (const k of this.known) if (k <= this.floor) this.known.delete(k);
  }

  private missingBefore(segmentIndex: number): boolean {
    for (const k of this.known) {
      if (k < segmentIndex && k > this.floor) {
        let present = false;
        for (const entry of this.entries.values()) if (entry.clip.segmentIndex === k) present = true;
        if (!present) return true;
      }
    }
    return false;
  }
}

// What to play next, and how fast: the listener's audio queue and catch-up policy as pure logic (no Web Audio,
// no clock of its own), so every rule can be tested in Node. The player (audio-player.svelte.ts) loads clips and
// asks `next()` whenever it can schedule another one. A sentence's speech may come in several clips (parts: its
// clauses while the speaker goes on, then the rest), played one after the other in part order.

export interface Clip {
  segmentId: string;
  segmentIndex: number;
  /** Capture time (speaker's clock) of the end of the sentence (or clause) the clip speaks. */
  captureEnd: number;
  /** Position within its sentence's speech (absent: 0). */
  part?: number;
  /** false: more parts of this sentence follow; absent or true: this part ends its speech. */
  last?: boolean;
}

/** One key per clip: a sentence's parts are distinct clips, a redelivered part is the same one. */
export function clipKey(clip: Pick<Clip, 'segmentId' | 'part'>): string {
  return `${clip.segmentId}#${clip.part ?? 0}`;
}

/** Orders clips by sentence, then part. */
function compare(a: Clip, b: Clip): number {
  return a.segmentIndex - b.segmentIndex || (a.part ?? 0) - (b.part ?? 0);
}

/**
 * Where playback stands: the last clip played, skipped or given up on. `open` while that clip's sentence still
 * has parts to come (its clip said `last: false`).
 */
interface Floor {
  index: number;
  part: number;
  open: boolean;
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
  /**
   * How long a clip waits for the audio of an earlier sentence we know exists (from its captions), for an earlier
   * part of its own sentence, or for the rest of a sentence whose clause parts have played (at most this long
   * after that sentence's final caption).
   */
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
 * Clips in (segmentIndex, part) order whatever order they arrive in, each at most once. Once a clip has been
 * played or skipped, nothing at or before its position is accepted any more (a late arrival would play out of
 * order); a sentence's later parts still are while it is open.
 *
 * Lateness is measured without trusting the two clocks to agree: every `captureEnd` seen is compared with its
 * arrival time, and the smallest difference (clock skew plus the pipeline's fastest delivery) is taken as "on
 * time". A clip is `lateMs` late when it would start that much later than that.
 */
export class AudioQueue<T extends Clip = Clip> {
  readonly policy: CatchUpPolicy;
  private readonly entries = new Map<string, Entry<T>>();
  /**
   * Segment indices known to exist (from captions or clips) from the floor's on, with when their final caption
   * arrived (undefined: not yet, or known from a clip).
   */
  private readonly known = new Map<number, number | undefined>();
  private floor: Floor = { index: -1, part: Number.POSITIVE_INFINITY, open: false };
  private onTimeOffset = Number.POSITIVE_INFINITY;

  constructor(policy: Partial<CatchUpPolicy> = {}) {
    this.policy = { ...DEFAULT_POLICY, ...policy };
  }

  /** Clips waiting (loading or ready), oldest first. */
  get waiting(): T[] {
    return this.sorted().map((e) => e.clip);
  }

  get size(): number {
    return this.entries.size;
  }

  /** Index of the last clip played or skipped (-1 before the first). */
  get lastIndex(): number {
    return this.floor.index;
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

  /**
   * A final caption arrived at `at`: segment `segmentIndex` exists and its audio, if any, should play before later
   * clips; if its clause parts are playing, the rest is due soon after this.
   */
  noteSegment(segmentIndex: number, at?: number): void {
    if (segmentIndex < this.floor.index) return;
    if (this.known.get(segmentIndex) === undefined) this.known.set(segmentIndex, at);
  }

  /**
   * Queues a clip that arrived at `now`. Returns false (and keeps nothing) for a duplicate (same sentence and
   * part) or a clip whose turn has passed; the caller then does not load it.
   */
  add(clip: T, now: number): boolean {
    this.observe(clip.captureEnd, now);
    const part = clip.part ?? 0;
    if (!this.accepts(clip.segmentIndex, part) || this.entries.has(clipKey(clip))) return false;
    for (const entry of this.entries.values()) {
      if (entry.clip.segmentIndex === clip.segmentIndex && (entry.clip.part ?? 0) === part) return false;
    }
    this.entries.set(clipKey(clip), { clip, state: 'loading', addedAt: now });
    if (!this.known.has(clip.segmentIndex)) this.known.set(clip.segmentIndex, undefined);
    return true;
  }

  /** Whether the clip of this key (`clipKey`) is waiting. */
  has(key: string): boolean {
    return this.entries.has(key);
  }

  /** The clip finished loading (`ready`) or could not be loaded (`failed`: it will be skipped in its turn). */
  mark(key: string, state: Exclude<ClipState, 'loading'>): void {
    const entry = this.entries.get(key);
    if (entry) entry.state = state;
  }

  /**
   * Takes the next clip to start at listener time `startsAt` (default `now`: when the player has clips scheduled
   * it asks about the moment the last one ends). Skips failed and stale clips on the way; holds a clip back while
   * earlier audio is still due (see `holdForEarlierMs`), for a bounded time.
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
      const holdUntil = this.holdUntil(head);
      if (holdUntil !== undefined && now < holdUntil) return { kind: 'wait', retryAt: holdUntil, skipped };
      this.take(head);
      // Behind: other sentences wait behind this one (its own later parts are the rest of the same sentence).
      const later = new Set<number>();
      for (const entry of this.entries.values()) {
        if (entry.clip.segmentIndex !== head.clip.segmentIndex) later.add(entry.clip.segmentIndex);
      }
      const behind = later.size >= this.policy.speedUpBacklog || lateMs > this.policy.speedUpLateMs;
      return { kind: 'play', clip: head.clip, rate: behind ? this.policy.speedUpRate : 1, lateMs, skipped };
    }
  }

  /**
   * Forgets clips already too late to play at listener time `at`, without waiting for their turn: while the
   * player cannot play (audio suspended), decoded clips would otherwise pile up in memory.
   */
  dropStale(at: number): T[] {
    const dropped: T[] = [];
    for (const entry of this.sorted()) {
      if (this.lateness(entry.clip.captureEnd, at) <= this.policy.staleAfterMs) break;
      this.take(entry);
      dropped.push(entry.clip);
    }
    return dropped;
  }

  /**
   * "Jump to live": drops every waiting clip but the newest sentence's, which plays next without waiting for
   * anything earlier. Returns the dropped clips (empty when at most one sentence was waiting).
   */
  jumpToLive(): T[] {
    const waiting = this.waiting;
    const newest = waiting.at(-1);
    if (!newest) return [];
    const kept = waiting.filter((c) => c.segmentIndex === newest.segmentIndex);
    const dropped = waiting.filter((c) => c.segmentIndex !== newest.segmentIndex);
    for (const clip of dropped) this.entries.delete(clipKey(clip));
    const first = kept[0]!.part ?? 0;
    this.setFloor(
      first > 0
        ? { index: newest.segmentIndex, part: first - 1, open: true }
        : { index: newest.segmentIndex - 1, part: Number.POSITIVE_INFINITY, open: false },
    );
    return dropped;
  }

  /**
   * Forgets every waiting clip and accepts only clips of sentences after `floor` from now on (audio turned off and
   * on again: clips announced while it was off are not coming).
   */
  reset(floor: number): T[] {
    const dropped = this.waiting;
    this.entries.clear();
    this.known.clear();
    this.floor = { index: -1, part: Number.POSITIVE_INFINITY, open: false };
    this.setFloor({ index: floor, part: Number.POSITIVE_INFINITY, open: false });
    return dropped;
  }

  private accepts(index: number, part: number): boolean {
    const floor = this.floor;
    return index > floor.index || (index === floor.index && floor.open && part > floor.part);
  }

  private sorted(): Entry<T>[] {
    return [...this.entries.values()].sort((a, b) => compare(a.clip, b.clip));
  }

  private head(): Entry<T> | undefined {
    let head: Entry<T> | undefined;
    for (const entry of this.entries.values()) {
      if (!head || compare(entry.clip, head.clip) < 0) head = entry;
    }
    return head;
  }

  private take(entry: Entry<T>): void {
    this.entries.delete(clipKey(entry.clip));
    this.setFloor({ index: entry.clip.segmentIndex, part: entry.clip.part ?? 0, open: entry.clip.last === false });
  }

  private setFloor(floor: Floor): void {
    const current = this.floor;
    if (floor.index < current.index || (floor.index === current.index && floor.part <= current.part)) return;
    this.floor = floor;
    for (const k of this.known.keys()) if (k < floor.index) this.known.delete(k);
  }

  /**
   * Until when `head` (the earliest clip waiting) is held back for audio due before it; undefined when nothing is.
   * Every wait is bounded: `holdForEarlierMs` after the clip arrived, or, for the rest of a sentence whose clauses
   * played, after that sentence's final caption if that came first.
   */
  private holdUntil(head: Entry<T>): number | undefined {
    const hold = this.policy.holdForEarlierMs;
    const { segmentIndex } = head.clip;
    const part = head.clip.part ?? 0;
    const floor = this.floor;
    let until: number | undefined;
    const due = (at: number) => {
      until = Math.max(until ?? at, at);
    };
    // An earlier part of its own sentence (the head is the earliest waiting, so it has not arrived).
    if (part > 0 && !(floor.index === segmentIndex && floor.part >= part - 1)) due(head.addedAt + hold);
    // The rest of a sentence whose clause parts played.
    if (floor.open && floor.index < segmentIndex) {
      const finalAt = this.known.get(floor.index);
      due(Math.min(head.addedAt, finalAt ?? head.addedAt) + hold);
    }
    // A whole earlier sentence we know exists.
    for (const k of this.known.keys()) {
      if (k > floor.index && k < segmentIndex) due(head.addedAt + hold);
    }
    return until;
  }
}

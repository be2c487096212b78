import { describe, expect, it } from 'vitest';
import { AudioQueue, type Clip, clipKey } from '../../src/lib/audio-queue.ts';

const T0 = 1_700_000_000_000;

function clip(segmentIndex: number, captureEnd = T0 + segmentIndex * 3000): Clip {
  return { segmentId: `seg-${String(segmentIndex).padStart(6, '0')}`, segmentIndex, captureEnd };
}

/** Adds clips that arrived at `now`, already loaded. */
function addReady(queue: AudioQueue, clips: Clip[], now: number): void {
  for (const c of clips) {
    queue.add(c, now);
    queue.mark(clipKey(c), 'ready');
  }
}

function playOrder(queue: AudioQueue, now: number): number[] {
  const order: number[] = [];
  for (;;) {
    const decision = queue.next(now);
    if (decision.kind !== 'play') return order;
    order.push(decision.clip.segmentIndex);
  }
}

/** Part `part` of segment `segmentIndex`'s speech; `last` false when more parts follow. */
function part(segmentIndex: number, n: number, last: boolean): Clip {
  return { ...clip(segmentIndex), captureEnd: T0 + segmentIndex * 3000 - 1000 + n * 500, part: n, last };
}

/** What plays, as "segment.part". */
function partOrder(queue: AudioQueue, now: number): string[] {
  const order: string[] = [];
  for (;;) {
    const decision = queue.next(now);
    if (decision.kind !== 'play') return order;
    order.push(`${decision.clip.segmentIndex}.${decision.clip.part ?? 0}`);
  }
}

describe('AudioQueue', () => {
  it('plays clips in segmentIndex order whatever order they arrive in', () => {
    const queue = new AudioQueue();
    const now = T0 + 10_000;
    addReady(queue, [clip(3), clip(1), clip(2)], now);
    expect(playOrder(queue, now)).toEqual([1, 2, 3]);
  });

  it('holds a clip while an earlier sentence that has captions still lacks its audio', () => {
    const queue = new AudioQueue({ holdForEarlierMs: 1500 });
    const now = T0 + 7000;
    queue.noteSegment(1);
    queue.noteSegment(2);
    addReady(queue, [clip(2)], now);
    const first = queue.next(now);
    expect(first).toMatchObject({ kind: 'wait', retryAt: now + 1500 });
    addReady(queue, [clip(1)], now + 200);
    expect(playOrder(queue, now + 200)).toEqual([1, 2]);
  });

  it('stops holding once the earlier audio is overdue', () => {
    const queue = new AudioQueue({ holdForEarlierMs: 1500 });
    queue.noteSegment(1);
    addReady(queue, [clip(2)], T0 + 7000);
    expect(queue.next(T0 + 7000).kind).toBe('wait');
    expect(playOrder(queue, T0 + 8500)).toEqual([2]);
    // Its turn has passed: arriving now it would play out of order.
    expect(queue.add(clip(1), T0 + 8600)).toBe(false);
  });

  it('does not hold for segments nobody has heard of', () => {
    const queue = new AudioQueue();
    addReady(queue, [clip(5)], T0 + 16_000);
    expect(playOrder(queue, T0 + 16_000)).toEqual([5]);
  });

  it('waits for a clip that is still loading rather than playing a later one first', () => {
    const queue = new AudioQueue();
    const now = T0 + 7000;
    queue.add(clip(1), now);
    addReady(queue, [clip(2)], now);
    expect(queue.next(now)).toMatchObject({ kind: 'wait', retryAt: undefined });
    queue.mark(clipKey(clip(1)), 'ready');
    expect(playOrder(queue, now)).toEqual([1, 2]);
  });

  it('accepts each clip once, by segment id and by index', () => {
    const queue = new AudioQueue();
    const now = T0 + 7000;
    expect(queue.add(clip(1), now)).toBe(true);
    expect(queue.add(clip(1), now)).toBe(false);
    expect(queue.add({ ...clip(1), segmentId: 'seg-other' }, now)).toBe(false);
    queue.mark(clipKey(clip(1)), 'ready');
    expect(playOrder(queue, now)).toEqual([1]);
    expect(queue.add(clip(1), now)).toBe(false);
    expect(queue.size).toBe(0);
  });

  it('skips a clip that failed to load', () => {
    const queue = new AudioQueue();
    const now = T0 + 7000;
    addReady(queue, [clip(1), clip(2)], now);
    queue.mark(clipKey(clip(1)), 'failed');
    const decision = queue.next(now);
    expect(decision).toMatchObject({ kind: 'play', clip: { segmentIndex: 2 } });
    expect(decision.skipped.map((c) => c.segmentIndex)).toEqual([1]);
  });

  describe('catching up', () => {
    it('skips clips whose sentence ended more than 8 s before they would start', () => {
      const queue = new AudioQueue({ staleAfterMs: 8000 });
      // On time: each clip arrives 500 ms after its sentence ended.
      const arrival = clip(1).captureEnd + 500;
      addReady(queue, [clip(1)], arrival);
      addReady(queue, [clip(2)], clip(2).captureEnd + 500);
      // The listener is stuck for 9 s: by the time clip 1 could start it is stale; clip 2 (3 s newer) is not.
      const decision = queue.next(arrival + 9000);
      expect(decision).toMatchObject({ kind: 'play', clip: { segmentIndex: 2 } });
      expect(decision.skipped.map((c) => c.segmentIndex)).toEqual([1]);
    });

    it('judges staleness at the moment the clip would start, not now', () => {
      const queue = new AudioQueue({ staleAfterMs: 8000 });
      const arrival = clip(1).captureEnd + 500;
      addReady(queue, [clip(1)], arrival);
      expect(queue.next(arrival, arrival + 9000)).toMatchObject({ kind: 'empty' });
    });

    it('measures lateness against the fastest delivery seen, so clock skew does not make clips stale', () => {
      const queue = new AudioQueue({ staleAfterMs: 8000 });
      // The listener's clock is 60 s ahead of the speaker's.
      const skew = 60_000;
      const arrival = clip(1).captureEnd + skew + 400;
      addReady(queue, [clip(1)], arrival);
      const decision = queue.next(arrival + 100);
      expect(decision).toMatchObject({ kind: 'play', clip: { segmentIndex: 1 }, rate: 1 });
      expect(decision.kind === 'play' && decision.lateMs).toBe(100);
    });

    it('speeds up while more clips are waiting behind the one starting, then returns to normal', () => {
      const queue = new AudioQueue({ speedUpRate: 1.25, speedUpLateMs: 60_000 });
      const now = clip(3).captureEnd + 500;
      addReady(queue, [clip(1), clip(2), clip(3)], now);
      const rates: number[] = [];
      for (;;) {
        const decision = queue.next(now);
        if (decision.kind !== 'play') break;
        rates.push(decision.rate);
      }
      expect(rates).toEqual([1.25, 1.25, 1]);
    });

    it('speeds up a clip that starts late even with nothing behind it', () => {
      const queue = new AudioQueue({ speedUpLateMs: 4000, staleAfterMs: 8000 });
      const arrival = clip(1).captureEnd + 300;
      addReady(queue, [clip(1)], arrival);
      expect(queue.next(arrival + 5000)).toMatchObject({ kind: 'play', rate: 1.25 });
    });
  });

  it('drops stale clips ahead of their turn, oldest first, keeping the rest in order', () => {
    const queue = new AudioQueue({ staleAfterMs: 8000 });
    for (const c of [clip(1), clip(2), clip(3), clip(4)]) {
      queue.add(c, c.captureEnd + 500);
      queue.mark(clipKey(c), 'ready');
    }
    const dropped = queue.dropStale(clip(4).captureEnd + 500);
    expect(dropped.map((c) => c.segmentIndex)).toEqual([1]);
    expect(queue.waiting.map((c) => c.segmentIndex)).toEqual([2, 3, 4]);
    expect(queue.add(clip(1), clip(4).captureEnd + 600)).toBe(false);
  });

  describe('jump to live', () => {
    it('drops every waiting clip but the newest, which plays next', () => {
      const queue = new AudioQueue();
      const now = T0 + 30_000;
      queue.noteSegment(6);
      addReady(queue, [clip(2), clip(3), clip(4), clip(7)], now);
      const dropped = queue.jumpToLive();
      expect(dropped.map((c) => c.segmentIndex)).toEqual([2, 3, 4]);
      // Segment 6's audio is not waited for: live means the newest now.
      expect(playOrder(queue, now)).toEqual([7]);
    });

    it('refuses clips older than the one jumped to', () => {
      const queue = new AudioQueue();
      const now = T0 + 30_000;
      addReady(queue, [clip(2), clip(5)], now);
      queue.jumpToLive();
      expect(queue.add(clip(3), now)).toBe(false);
      expect(queue.add(clip(6), now)).toBe(true);
    });

    it('does nothing when nothing is waiting', () => {
      const queue = new AudioQueue();
      expect(queue.jumpToLive()).toEqual([]);
      expect(queue.next(T0).kind).toBe('empty');
    });
  });

  it('reset forgets waiting clips and accepts only newer ones', () => {
    const queue = new AudioQueue();
    const now = T0 + 30_000;
    addReady(queue, [clip(2), clip(3)], now);
    expect(queue.reset(3).map((c) => c.segmentIndex)).toEqual([2, 3]);
    expect(queue.add(clip(3), now)).toBe(false);
    expect(queue.add(clip(4), now)).toBe(true);
  });

  describe('a sentence spoken in parts', () => {
    it('plays every part of a sentence, in part order, before the next sentence', () => {
      const queue = new AudioQueue();
      const now = T0 + 10_000;
      addReady(queue, [part(1, 0, false), part(1, 1, false), part(1, 2, true), clip(2)], now);
      expect(partOrder(queue, now)).toEqual(['1.0', '1.1', '1.2', '2.0']);
    });

    it('puts parts that arrive out of order back in order, holding a part for the one before it', () => {
      const queue = new AudioQueue({ holdForEarlierMs: 1500 });
      const now = T0 + 10_000;
      addReady(queue, [part(1, 1, true)], now);
      expect(queue.next(now)).toMatchObject({ kind: 'wait', retryAt: now + 1500 });
      addReady(queue, [part(1, 0, false)], now + 300);
      expect(partOrder(queue, now + 300)).toEqual(['1.0', '1.1']);
    });

    it('plays a part whose predecessor never comes once the wait is over, and refuses the predecessor then', () => {
      const queue = new AudioQueue({ holdForEarlierMs: 1500 });
      const now = T0 + 10_000;
      addReady(queue, [part(1, 1, true)], now);
      expect(partOrder(queue, now + 1500)).toEqual(['1.1']);
      expect(queue.add(part(1, 0, false), now + 1600)).toBe(false);
    });

    it('ignores a part delivered twice but not another part of the same sentence', () => {
      const queue = new AudioQueue();
      const now = T0 + 10_000;
      expect(queue.add(part(1, 0, false), now)).toBe(true);
      expect(queue.add(part(1, 0, false), now)).toBe(false);
      expect(queue.add(part(1, 1, true), now)).toBe(true);
      queue.mark(clipKey(part(1, 0, false)), 'ready');
      queue.mark(clipKey(part(1, 1, true)), 'ready');
      expect(partOrder(queue, now)).toEqual(['1.0', '1.1']);
      // Played: a redelivery of either is refused.
      expect(queue.add(part(1, 0, false), now)).toBe(false);
      expect(queue.add(part(1, 1, true), now)).toBe(false);
    });

    it('accepts the next part of a sentence whose first part has already played', () => {
      const queue = new AudioQueue();
      const now = T0 + 10_000;
      addReady(queue, [part(1, 0, false)], now);
      expect(partOrder(queue, now)).toEqual(['1.0']);
      expect(queue.add(part(1, 1, true), now + 2000)).toBe(true);
      queue.mark(clipKey(part(1, 1, true)), 'ready');
      expect(partOrder(queue, now + 2000)).toEqual(['1.1']);
      // The sentence has ended: nothing more of it is accepted.
      expect(queue.add(part(1, 2, true), now + 2100)).toBe(false);
    });

    it('holds the next sentence for the awaited part, then plays the part and the sentence in order', () => {
      const queue = new AudioQueue({ holdForEarlierMs: 1500 });
      const now = T0 + 10_000;
      addReady(queue, [part(1, 0, false)], now);
      expect(partOrder(queue, now)).toEqual(['1.0']);
      addReady(queue, [part(2, 0, false)], now + 2000);
      expect(queue.next(now + 2000)).toMatchObject({ kind: 'wait', retryAt: now + 3500 });
      addReady(queue, [part(1, 1, true)], now + 2400);
      expect(partOrder(queue, now + 2400)).toEqual(['1.1', '2.0']);
    });

    it('moves on to the next sentence when the awaited part does not come within the bound', () => {
      const queue = new AudioQueue({ holdForEarlierMs: 1500 });
      const now = T0 + 10_000;
      addReady(queue, [part(1, 0, false)], now);
      expect(partOrder(queue, now)).toEqual(['1.0']);
      addReady(queue, [clip(2)], now + 2000);
      expect(queue.next(now + 3000).kind).toBe('wait');
      expect(partOrder(queue, now + 3500)).toEqual(['2.0']);
      // Its turn has passed.
      expect(queue.add(part(1, 1, true), now + 3600)).toBe(false);
    });

    it('does not hold the next sentence long for a sentence whose clauses already said everything', () => {
      const queue = new AudioQueue({ holdForEarlierMs: 1500 });
      const now = T0 + 10_000;
      addReady(queue, [part(1, 0, false), part(1, 1, false)], now);
      expect(partOrder(queue, now)).toEqual(['1.0', '1.1']);
      // Sentence 1's final caption comes; no last part follows it. Sentence 2's first clause comes 3 s later.
      queue.noteSegment(1, now + 500);
      addReady(queue, [part(2, 0, false)], now + 3500);
      expect(partOrder(queue, now + 3500)).toEqual(['2.0']);
    });

    it("holds the next sentence at most the bound after the open sentence's final caption", () => {
      const queue = new AudioQueue({ holdForEarlierMs: 1500 });
      const now = T0 + 10_000;
      addReady(queue, [part(1, 0, false)], now);
      expect(partOrder(queue, now)).toEqual(['1.0']);
      queue.noteSegment(1, now + 1000);
      addReady(queue, [clip(2)], now + 2000);
      expect(queue.next(now + 2000)).toMatchObject({ kind: 'wait', retryAt: now + 2500 });
      expect(partOrder(queue, now + 2500)).toEqual(['2.0']);
    });

    it('counts other sentences waiting, not the parts of the one playing, as being behind', () => {
      const queue = new AudioQueue({ speedUpRate: 1.25, speedUpLateMs: 60_000 });
      const now = T0 + 10_000;
      addReady(queue, [part(1, 0, false), part(1, 1, true)], now);
      expect(queue.next(now)).toMatchObject({ kind: 'play', rate: 1 });
      addReady(queue, [clip(2)], now);
      expect(queue.next(now)).toMatchObject({ kind: 'play', clip: { segmentIndex: 1, part: 1 }, rate: 1.25 });
    });

    it('jumps to the newest sentence with all its waiting parts', () => {
      const queue = new AudioQueue();
      const now = T0 + 30_000;
      addReady(queue, [clip(2), part(3, 1, false), part(3, 2, true)], now);
      expect(queue.jumpToLive().map((c) => c.segmentIndex)).toEqual([2]);
      // Part 0 of sentence 3 is not waited for.
      expect(partOrder(queue, now)).toEqual(['3.1', '3.2']);
    });
  });
});

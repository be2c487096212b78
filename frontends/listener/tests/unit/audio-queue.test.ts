import { describe, expect, it } from 'vitest';
import { AudioQueue, type Clip } from '../../src/lib/audio-queue.ts';

const T0 = 1_700_000_000_000;

function clip(segmentIndex: number, captureEnd = T0 + segmentIndex * 3000): Clip {
  return { segmentId: `seg-${String(segmentIndex).padStart(6, '0')}`, segmentIndex, captureEnd };
}

/** Adds clips that arrived at `now`, already loaded. */
function addReady(queue: AudioQueue, clips: Clip[], now: number): void {
  for (const c of clips) {
    queue.add(c, now);
    queue.mark(c.segmentId, 'ready');
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
    queue.mark(clip(1).segmentId, 'ready');
    expect(playOrder(queue, now)).toEqual([1, 2]);
  });

  it('accepts each clip once, by segment id and by index', () => {
    const queue = new AudioQueue();
    const now = T0 + 7000;
    expect(queue.add(clip(1), now)).toBe(true);
    expect(queue.add(clip(1), now)).toBe(false);
    expect(queue.add({ ...clip(1), segmentId: 'seg-other' }, now)).toBe(false);
    queue.mark(clip(1).segmentId, 'ready');
    expect(playOrder(queue, now)).toEqual([1]);
    expect(queue.add(clip(1), now)).toBe(false);
    expect(queue.size).toBe(0);
  });

  it('skips a clip that failed to load', () => {
    const queue = new AudioQueue();
    const now = T0 + 7000;
    addReady(queue, [clip(1), clip(2)], now);
    queue.mark(clip(1).segmentId, 'failed');
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
      queue.mark(c.segmentId, 'ready');
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
});

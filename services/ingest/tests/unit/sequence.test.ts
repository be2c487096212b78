// The frame ledger: exactly once in any arrival order, the resume point, and how it stays small.
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import {
  claimable,
  compact,
  contiguousUpTo,
  EMPTY_LEDGER,
  type FrameLedger,
  highestFrame,
  holds,
  STALE_CLAIM_MS,
  staleClaims,
} from '#core/sequence';

/** Claims as the store does them (one atomic check-and-add each), compacting after every `every` claims. */
function run(seqs: number[], every = 0) {
  let ledger: FrameLedger = EMPTY_LEDGER;
  const accepted: number[] = [];
  seqs.forEach((seq, i) => {
    if (!holds(ledger, seq)) {
      ledger = { upTo: ledger.upTo, above: [...ledger.above, seq] };
      accepted.push(seq);
    }
    if (every > 0 && i % every === every - 1) ledger = compact(ledger).ledger;
  });
  return { ledger, accepted };
}

describe('claims', () => {
  test('any arrival order and any burst accepts each frame exactly once, with or without compaction', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 400 }), { maxLength: 600 }),
        fc.integer({ min: 0, max: 20 }),
        (seqs, every) => {
          const { accepted } = run(seqs, every);
          expect(accepted).toEqual([...new Set(seqs)]);
        },
      ),
    );
  });

  test('a burst of frames far ahead of each other, handled in reverse, loses none (no fixed window)', () => {
    const burst = Array.from({ length: 500 }, (_, i) => 499 - i);
    expect(run(burst).accepted).toHaveLength(500);
    expect(contiguousUpTo(run(burst).ledger)).toBe(499);
  });
});

describe('the resume point', () => {
  test('is the highest frame below which nothing is missing', () => {
    expect(contiguousUpTo(EMPTY_LEDGER)).toBeNull();
    expect(contiguousUpTo(run([0, 1, 2, 3]).ledger)).toBe(3);
    expect(contiguousUpTo(run([0, 1, 3]).ledger)).toBe(1);
    expect(contiguousUpTo(run([1, 2]).ledger)).toBeNull();
    expect(highestFrame(run([0, 1, 3]).ledger)).toBe(3);
    expect(highestFrame(EMPTY_LEDGER)).toBeNull();
  });

  test('compaction folds the contiguous run into upTo and keeps what lies beyond a gap', () => {
    expect(compact({ upTo: -1, above: [2, 0, 1, 5, 4] })).toEqual({
      ledger: { upTo: 2, above: [5, 4] },
      absorbed: [2, 0, 1],
    });
    expect(compact({ upTo: 2, above: [5] }).absorbed).toEqual([]);
  });

  test('a gap far behind the newest frame (the client cannot resend it any more) is skipped and reported', () => {
    const ledger = { upTo: 9, above: Array.from({ length: 40 }, (_, i) => 20 + i) };
    expect(compact(ledger, 30)).toEqual({
      ledger: { upTo: 59, above: [] },
      absorbed: ledger.above,
      skipped: { from: 10, to: 19 },
    });
    // A recent gap is waited for.
    expect(compact(ledger, 50).ledger).toEqual(ledger);
  });
});

describe('claims in flight', () => {
  test('a frame being put is not claimed twice, until its handler is presumed dead', () => {
    const ledger: FrameLedger = { upTo: 4, above: [6], claimed: { '5': 1_000 } };
    expect(claimable(ledger, 5, 1_000 + STALE_CLAIM_MS)).toBe(false);
    expect(claimable(ledger, 5, 1_001 + STALE_CLAIM_MS)).toBe(true);
    expect(claimable(ledger, 6, 1_000)).toBe(false);
    expect(claimable(ledger, 3, 1_000)).toBe(false);
    expect(claimable(ledger, 7, 1_000)).toBe(true);
    expect(staleClaims(ledger, 1_001 + STALE_CLAIM_MS)).toEqual([5]);
    // A claim does not count as stored: the resume point waits for the frame to be on the stream.
    expect(contiguousUpTo(ledger)).toBe(4);
  });
});

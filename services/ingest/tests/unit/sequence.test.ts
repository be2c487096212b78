// Exactly-once acceptance of frame sequence numbers in any arrival order.
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { claim, contiguousUpTo, release, SEQ_WINDOW, type SeqState } from '#core/sequence';

function run(seqs: number[]) {
  let state: SeqState | null = null;
  const accepted: number[] = [];
  for (const seq of seqs) {
    const c = claim(state, seq);
    if (c.kind === 'accepted') {
      state = c.next;
      accepted.push(seq);
    }
  }
  return { state, accepted };
}

describe('claim', () => {
  test('accepts in-order frames once and reports a gap', () => {
    const s1 = claim(null, 0);
    expect(s1).toEqual({ kind: 'accepted', next: { high: 0, window: 0 }, late: false });
    const s2 = claim({ high: 0, window: 0 }, 3);
    expect(s2).toMatchObject({ kind: 'accepted', gap: { from: 1, to: 2 } });
    expect(claim({ high: 3, window: 0b100 }, 3)).toEqual({ kind: 'duplicate' });
    expect(claim({ high: 3, window: 0b100 }, 0)).toEqual({ kind: 'duplicate' });
  });

  test('accepts a late frame inside the window once', () => {
    const { state, accepted } = run([0, 2, 1, 1, 2]);
    expect(accepted).toEqual([0, 2, 1]);
    expect(contiguousUpTo(state)).toBe(2);
  });

  test('treats frames older than the window as already handled', () => {
    expect(claim({ high: 100, window: 0 }, 100 - SEQ_WINDOW - 1)).toEqual({ kind: 'too-old' });
  });

  test('any arrival order of distinct frames within the window is accepted exactly once', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 40 }), { maxLength: 200 }), (seqs) => {
        const { accepted } = run(seqs);
        expect(accepted).toEqual([...new Set(seqs)]);
      }),
    );
  });
});

describe('contiguousUpTo', () => {
  test('is the resume point below the first missing frame', () => {
    expect(contiguousUpTo(null)).toBeNull();
    expect(contiguousUpTo(run([0, 1, 2, 3]).state)).toBe(3);
    expect(contiguousUpTo(run([0, 1, 3]).state)).toBe(1);
    expect(contiguousUpTo(run([1, 2]).state)).toBeNull();
  });
});

describe('release', () => {
  test('undoes the claim of the high mark and of a late frame', () => {
    const { state } = run([0, 1, 2]);
    const afterHigh = release(state!, 2);
    expect(afterHigh).toEqual(run([0, 1]).state);
    expect(claim(afterHigh, 2).kind).toBe('accepted');
    const afterLate = release(state!, 1);
    expect(claim(afterLate, 1).kind).toBe('accepted');
    expect(claim(afterLate, 0).kind).toBe('duplicate');
  });
});

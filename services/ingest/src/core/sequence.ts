// Exactly-once acceptance of audio frames by sequence number, whatever order they arrive in.
// State: the highest seq accepted and a bitmap of which of the WINDOW seqs below it were accepted too.
// A frame within the window is accepted once; older than the window it is treated as already handled.

export const SEQ_WINDOW = 52; // bits a JavaScript number holds exactly (2^53), minus the high mark itself

export interface SeqState {
  high: number;
  /** Bit d-1 set ⇔ seq (high - d) was accepted, for d = 1..SEQ_WINDOW. */
  window: number;
}

export type Claim =
  | { kind: 'accepted'; next: SeqState; gap?: { from: number; to: number }; late: boolean }
  | { kind: 'duplicate' }
  | { kind: 'too-old' };

const MASK = (1n << BigInt(SEQ_WINDOW)) - 1n;

export function claim(state: SeqState | null, seq: number): Claim {
  if (state === null) return { kind: 'accepted', next: { high: seq, window: 0 }, late: false };
  if (seq > state.high) {
    const shift = seq - state.high;
    const window =
      shift > SEQ_WINDOW ? 0n : ((BigInt(state.window) << BigInt(shift)) | (1n << BigInt(shift - 1))) & MASK;
    return {
      kind: 'accepted',
      next: { high: seq, window: Number(window) },
      late: false,
      ...(shift > 1 ? { gap: { from: state.high + 1, to: seq - 1 } } : {}),
    };
  }
  if (seq === state.high) return { kind: 'duplicate' };
  const distance = state.high - seq;
  if (distance > SEQ_WINDOW) return { kind: 'too-old' };
  const bit = 1n << BigInt(distance - 1);
  if (BigInt(state.window) & bit) return { kind: 'duplicate' };
  return { kind: 'accepted', next: { high: state.high, window: Number(BigInt(state.window) | bit) }, late: true };
}

/** Undoes an accepted claim (used when the frame could not be stored, so a resend is accepted again). */
export function release(state: SeqState, seq: number): SeqState | null {
  if (seq < state.high) {
    const distance = state.high - seq;
    if (distance > SEQ_WINDOW) return state;
    return { high: state.high, window: Number(BigInt(state.window) & ~(1n << BigInt(distance - 1))) };
  }
  if (seq > state.high) return state;
  // Releasing the high mark: the next accepted seq below it becomes the high mark.
  let window = BigInt(state.window);
  for (let d = 1; d <= SEQ_WINDOW; d++) {
    if (window & 1n) return { high: state.high - d, window: Number(window >> 1n) };
    window >>= 1n;
  }
  return null;
}

/**
 * The highest seq up to which every frame (within the window) was accepted: where a reconnecting speaker
 * resumes. Frames between it and `high` that were accepted are deduplicated when resent.
 */
export function contiguousUpTo(state: SeqState | null): number | null {
  if (state === null) return null;
  let lowestMissing: number | null = null;
  for (let d = 1; d <= Math.min(SEQ_WINDOW, state.high); d++) {
    if (!(BigInt(state.window) & (1n << BigInt(d - 1)))) lowestMissing = state.high - d;
  }
  if (lowestMissing === null) return state.high;
  return lowestMissing > 0 ? lowestMissing - 1 : null;
}

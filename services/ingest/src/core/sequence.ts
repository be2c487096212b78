// Exactly-once acceptance of audio frames by sequence number, whatever order they arrive in and however many
// arrive at once (API Gateway may run a connection's messages concurrently, and a reconnecting speaker resends
// a burst). The session keeps a ledger: every frame up to `upTo` is stored, and `above` lists the stored ones
// beyond it. A frame is claimed by one atomic conditional update of that ledger (no read-modify-write, so
// concurrent frames never contend); `hello` compacts `above` into `upTo`, which is where a speaker resumes.

export interface FrameLedger {
  /** Every frame 0..upTo is stored; -1 before frame 0 is. */
  upTo: number;
  /** Stored frames above upTo (not necessarily contiguous), unordered. */
  above: number[];
}

export const EMPTY_LEDGER: FrameLedger = { upTo: -1, above: [] };

/**
 * Frames a gap may stay open behind the highest stored frame before compaction gives up on it: 3,000 frames
 * (5 minutes of 100 ms frames, the client's resend buffer) keep the ledger under ~20 KB while any frame a
 * client can still resend is waited for.
 */
export const MAX_GAP_BEHIND = 3000;

export interface Compaction {
  ledger: FrameLedger;
  /** Frames moved from `above` into `upTo`. */
  absorbed: number[];
  /** Frames given up on: never stored, and too far behind to come now. */
  skipped?: { from: number; to: number };
}

/** Moves the contiguous run after `upTo` out of `above`, skipping a gap only when it is too far behind. */
export function compact(ledger: FrameLedger, maxGapBehind = MAX_GAP_BEHIND): Compaction {
  const stored = new Set(ledger.above);
  let upTo = ledger.upTo;
  let skipped: Compaction['skipped'];
  const highest = highestFrame(ledger) ?? upTo;
  for (;;) {
    while (stored.has(upTo + 1)) upTo++;
    const next = Math.min(...[...stored].filter((s) => s > upTo));
    if (!Number.isFinite(next) || highest - (upTo + 1) < maxGapBehind) break;
    skipped = { from: skipped?.from ?? upTo + 1, to: next - 1 };
    upTo = next - 1;
  }
  const absorbed = ledger.above.filter((s) => s <= upTo);
  return { ledger: { upTo, above: ledger.above.filter((s) => s > upTo) }, absorbed, ...(skipped ? { skipped } : {}) };
}

/** The resume point: the highest frame below which nothing is missing, or null before frame 0 is stored. */
export function contiguousUpTo(ledger: FrameLedger): number | null {
  const { upTo } = compact(ledger, Number.POSITIVE_INFINITY).ledger;
  return upTo >= 0 ? upTo : null;
}

/** The highest frame stored, or null when none is. */
export function highestFrame(ledger: FrameLedger): number | null {
  const top = ledger.above.length > 0 ? Math.max(...ledger.above) : ledger.upTo;
  return top >= 0 ? top : null;
}

/** Whether `seq` is stored already. */
export function holds(ledger: FrameLedger, seq: number): boolean {
  return seq <= ledger.upTo || ledger.above.includes(seq);
}

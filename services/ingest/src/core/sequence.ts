// Exactly-once acceptance of audio frames by sequence number, whatever order they arrive in and however many
// arrive at once (API Gateway may run a connection's messages concurrently, and a reconnecting speaker resends
// a burst). The session keeps a ledger: every frame up to `upTo` is on the stream, `above` lists the ones on the
// stream beyond it, and `claimed` those being put right now. A frame is claimed, put, then confirmed, each step
// one atomic conditional update of the ledger (no read-modify-write, so concurrent frames never contend). The
// speaker's `hello` compacts `above` into `upTo`: where a reconnecting speaker resumes, and what an `end` waits
// for, so it counts only frames already on the stream.

export interface FrameLedger {
  /** Every frame 0..upTo is on the stream; -1 before frame 0 is. */
  upTo: number;
  /** Frames on the stream above upTo (not necessarily contiguous), unordered. */
  above: number[];
  /** Frames claimed and not yet confirmed on the stream, with when they were claimed (epoch ms). */
  claimed?: Record<string, number>;
}

/**
 * A claim not confirmed this long belongs to a handler that died between its put and its confirmation: the
 * frame may be claimed again (it may then be on the stream twice, which transcribe tolerates). Well above the
 * 29 s API Gateway allows an integration.
 */
export const STALE_CLAIM_MS = 60_000;

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

/** Claims older than STALE_CLAIM_MS at `now`: their handlers are gone. */
export function staleClaims(ledger: FrameLedger, now: number): number[] {
  return Object.entries(ledger.claimed ?? {})
    .filter(([, at]) => now - at > STALE_CLAIM_MS)
    .map(([seq]) => Number(seq));
}

/** Whether `seq` may be claimed at `now`: not on the stream, not being put by a live handler. */
export function claimable(ledger: FrameLedger, seq: number, now: number): boolean {
  const claimedAt = ledger.claimed?.[String(seq)];
  return !holds(ledger, seq) && (claimedAt === undefined || now - claimedAt > STALE_CLAIM_MS);
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

// How simultaneous and how stable translated captions are, as one listener saw them: per-word lag (LAAL) on the
// listener's clock against the source audio's timeline, the ending offset, flicker (normalized erasure), and how
// soon the first translated audio came. Pure functions over arrival times; the e2e benchmark feeds them.
import { type Spread, spread } from '../support/percentile.ts';

/** What a listener was shown at one moment: the caption text after an update, and whether it is the final one. */
export interface Shown {
  /** Arrival time on the same clock as the source audio's capture times (ms). */
  receivedAt: number;
  text: string;
  final: boolean;
}

/** The source audio of one utterance on the capture clock (ms): its first and last voiced sample. */
export interface SourceSpan {
  start: number;
  end: number;
}

export interface SimultaneityFigures {
  /** Length-adaptive average lagging (ms); null when no final with words was shown. */
  laalMs: number | null;
  /** When the first word that stayed was shown, from the start of speech (SimulEval's StartOffset). */
  startOffsetMs: number | null;
  /** Final caption's arrival − end of speech. */
  endingOffsetMs: number | null;
  /**
   * When every word of the final caption was on screen for good − end of speech: the last word's display time
   * (`wordDisplayTimes`), which is the final's arrival unless a provisional caption already showed those words.
   */
  completeOffsetMs: number | null;
  /** Words retracted across all updates per word of the final caption. */
  normalizedErasure: number | null;
  retractedWords: number;
  finalWords: number;
  /** Updates shown before the final one. */
  provisionalUpdates: number;
}

export const words = (text: string): string[] => text.split(/\s+/).filter(Boolean);

function commonPrefix(a: readonly string[], b: readonly string[]): number {
  let n = 0;
  while (n < a.length && n < b.length && a[n] === b[n]) n++;
  return n;
}

/**
 * The updates up to and including the last final one: what the listener was shown until the caption settled.
 * Undefined when no final arrived (the utterance was never finished for this listener).
 */
function settled(updates: readonly Shown[]): Shown[] | undefined {
  let last = -1;
  updates.forEach((u, i) => {
    if (u.final) last = i;
  });
  return last < 0 ? undefined : updates.slice(0, last + 1);
}

/**
 * For each word of the final caption (in order), when it was first shown for good: the arrival of the earliest
 * update from which the word at that position was never retracted again. Words are compared by position and
 * exact text, so a word rewritten in place, or pushed along by an insertion before it, counts from its rewrite.
 * Non-decreasing: retracting a word retracts every word after it. Empty when no final arrived.
 */
export function wordDisplayTimes(updates: readonly Shown[]): number[] {
  const shown = settled(updates);
  if (!shown) return [];
  const texts = shown.map((u) => words(u.text));
  // kept[k]: how many leading words survive from update k to update k + 1.
  const kept = texts.slice(0, -1).map((w, k) => commonPrefix(w, texts[k + 1]!));
  const final = texts[texts.length - 1]!;
  return final.map((_, i) => {
    let k = texts.length - 1;
    while (k > 0 && kept[k - 1]! > i) k--;
    return shown[k]!.receivedAt;
  });
}

/**
 * Length-adaptive average lagging (Papi et al. 2022, "Over-Generation Cannot Be Rewarded"; the LAAL scorer of
 * SimulEval, facebookresearch/SimulEval simuleval/evaluator/scorers/latency_scorer.py), computed on time:
 *
 *   LAAL = (1/τ) Σ_{i=1..τ} ( d_i − (i−1) · |X| / max(|Y|, |Y*|) )
 *
 * with d_i the delay of target word i from the start of the source, |X| the source's duration, |Y| the number of
 * words shown in the end and |Y*| the reference translation's (|Y| without one), τ the first word shown once
 * the whole source was heard (d_τ ≥ |X|), or |Y| if every word came earlier. The subtracted term is an ideal
 * interpreter's delay, speaking at an even pace over the source; taking the longer of |Y| and |Y*| keeps a
 * system from lowering its figure by saying more words. As in SimulEval, a first word arriving after the source
 * ended gives LAAL = d_1.
 */
export function laal(delaysMs: readonly number[], sourceMs: number, referenceWords?: number): number | null {
  if (!delaysMs.length) return null;
  if (sourceMs <= 0 || delaysMs[0]! >= sourceMs) return delaysMs[0]!;
  const perWordMs = sourceMs / Math.max(delaysMs.length, referenceWords ?? 0);
  let sum = 0;
  let tau = 0;
  for (const d of delaysMs) {
    sum += d - tau * perWordMs;
    tau++;
    if (d >= sourceMs) break;
  }
  return sum / tau;
}

/**
 * Flicker: for every update, the words of the text shown before it that do not survive into it (those past the
 * longest common word prefix), summed and divided by the final caption's word count (normalized erasure, as in
 * Arivazhagan et al. 2020, "Re-translation versus Streaming for Simultaneous Translation"). 0 for a caption that
 * only ever grew. Updates after the last final are not counted.
 */
export function erasure(updates: readonly Shown[]): {
  retracted: number;
  finalWords: number;
  normalized: number | null;
} {
  const shown = settled(updates) ?? updates;
  let previous: string[] = [];
  let retracted = 0;
  for (const u of shown) {
    const next = words(u.text);
    retracted += previous.length - commonPrefix(previous, next);
    previous = next;
  }
  const finalWords = settled(updates) ? previous.length : 0;
  return { retracted, finalWords, normalized: finalWords ? retracted / finalWords : null };
}

/** Every figure for one utterance as one listener saw it; `referenceWords` is |Y*| when a reference exists. */
export function simultaneity(
  source: SourceSpan,
  updates: readonly Shown[],
  referenceWords?: number,
): SimultaneityFigures {
  const shown = settled(updates);
  const delays = wordDisplayTimes(updates).map((t) => t - source.start);
  const e = erasure(updates);
  const lag = laal(delays, source.end - source.start, referenceWords);
  return {
    laalMs: lag === null ? null : Math.round(lag),
    startOffsetMs: delays.length ? Math.round(delays[0]!) : null,
    endingOffsetMs: shown ? Math.round(shown[shown.length - 1]!.receivedAt - source.end) : null,
    completeOffsetMs: delays.length ? Math.round(delays[delays.length - 1]! + source.start - source.end) : null,
    normalizedErasure: e.normalized,
    retractedWords: e.retracted,
    finalWords: e.finalWords,
    provisionalUpdates: shown ? shown.length - 1 : updates.length,
  };
}

/** One translated-caption message of one segment, as it arrived. */
export interface SegmentCaption extends Shown {
  segmentIndex: number;
}

/**
 * What a listener was shown for an utterance the recogniser cut into several segments: after each message, the
 * latest text of every segment that has one, in segment order. The utterance is final once every one of
 * `segmentIndexes` has its final; a provisional text arriving after its segment's final is not shown.
 */
export function composeSegments(messages: readonly SegmentCaption[], segmentIndexes: readonly number[]): Shown[] {
  const order = [...new Set(segmentIndexes)].sort((a, b) => a - b);
  const text = new Map<number, string>();
  const finished = new Set<number>();
  const shown: Shown[] = [];
  for (const m of [...messages].sort((a, b) => a.receivedAt - b.receivedAt)) {
    if (!order.includes(m.segmentIndex) || (finished.has(m.segmentIndex) && !m.final)) continue;
    text.set(m.segmentIndex, m.text);
    if (m.final) finished.add(m.segmentIndex);
    shown.push({
      receivedAt: m.receivedAt,
      text: order
        .map((s) => text.get(s))
        .filter((t) => t !== undefined)
        .join(' '),
      final: order.every((s) => finished.has(s)),
    });
  }
  return shown;
}

/** The first translated audio of an utterance: from the start and from the end of its speech (ms). */
export function firstAudioLag(
  source: SourceSpan,
  audioReceivedAt: readonly number[],
): { fromStartMs: number | null; fromEndMs: number | null } {
  if (!audioReceivedAt.length) return { fromStartMs: null, fromEndMs: null };
  const first = Math.min(...audioReceivedAt);
  return { fromStartMs: Math.round(first - source.start), fromEndMs: Math.round(first - source.end) };
}

/** The figures of many utterances × listeners: spreads of the lags, erasure's mean and max, totals. */
export function summarizeSimultaneity(
  rows: readonly (SimultaneityFigures & { firstAudio: ReturnType<typeof firstAudioLag> })[],
): {
  rows: number;
  /** Rows whose final translated caption arrived. */
  withFinal: number;
  laalMs: Spread;
  startOffsetMs: Spread;
  endingOffsetMs: Spread;
  completeOffsetMs: Spread;
  normalizedErasure: { mean: number | null; max: number | null };
  retractedWords: number;
  provisionalUpdates: number;
  firstAudioFromStartMs: Spread;
  firstAudioFromEndMs: Spread;
} {
  const erasures = rows.map((r) => r.normalizedErasure).filter((e): e is number => e !== null);
  const round3 = (x: number) => Math.round(x * 1000) / 1000;
  return {
    rows: rows.length,
    withFinal: rows.filter((r) => r.endingOffsetMs !== null).length,
    laalMs: spread(rows.map((r) => r.laalMs)),
    startOffsetMs: spread(rows.map((r) => r.startOffsetMs)),
    endingOffsetMs: spread(rows.map((r) => r.endingOffsetMs)),
    completeOffsetMs: spread(rows.map((r) => r.completeOffsetMs)),
    normalizedErasure: {
      mean: erasures.length ? round3(erasures.reduce((a, b) => a + b, 0) / erasures.length) : null,
      max: erasures.length ? round3(Math.max(...erasures)) : null,
    },
    retractedWords: rows.reduce((n, r) => n + r.retractedWords, 0),
    provisionalUpdates: rows.reduce((n, r) => n + r.provisionalUpdates, 0),
    firstAudioFromStartMs: spread(rows.map((r) => r.firstAudio.fromStartMs)),
    firstAudioFromEndMs: spread(rows.map((r) => r.firstAudio.fromEndMs)),
  };
}

// Which words of an utterance in progress are stable enough to translate before the speaker finishes it.
// A word is stable when the recogniser finished the part of the utterance it is in (at a pause), when the engine
// itself says so (Amazon Transcribe's partial-result stabilization), or by local agreement: every hypothesis over
// the last `agreementMs` of audio had the same words up to it. Stable words are handed out once, in increments
// numbered from 0: a consumer that translates each increment once has the translation of everything stable so
// far, at the cost of each word once. Handed-out words are never taken back here; the final transcript replaces
// them all.

export interface StabilitySettings {
  /** Audio over which every hypothesis must agree on a word before it is stable (ms). */
  agreementMs: number;
  /** New stable words gathered before an increment is handed out (a pause hands out whatever is stable). */
  minIncrementWords: number;
  /**
   * Words after which the increment that reaches them ends a clause, spoken ahead of the sentence's end (at a
   * pause, two words are enough); 0 speaks nothing ahead.
   */
  clauseWords: number;
}

export interface Increment {
  /** 0, 1, … within the utterance. */
  increment: number;
  /** The newly stable words. */
  text: string;
  /** Every stable word handed out so far, this increment's last. */
  stableText: string;
  stableWords: number;
  /** Set when this increment ends a clause: its number and the texts of its increments, this one last. */
  clause?: { index: number; increments: string[] };
}

/** Whatever of the utterance was handed out for speech ahead of its end. */
export interface Spoken {
  clauses: number;
  increments: number;
  /** For each clause, how many increments the clauses up to and including it cover. */
  ends: number[];
}

export interface Observation {
  /** Where in the audio the hypothesis was made (capture clock, ms): agreement is measured over it. */
  at: number;
  /** The utterance's text so far, as the listeners would see it (finished parts, then the current hypothesis). */
  text: string;
  /** How many leading words of `text` the recogniser already finished (they no longer change). */
  finishedWords: number;
  /** How many leading words the engine itself marks stable, when it does. */
  engineStableWords?: number;
}

const words = (text: string) => text.split(/\s+/).filter(Boolean);
const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

function agreeing(a: readonly string[], b: readonly string[]): number {
  let n = 0;
  while (n < a.length && n < b.length && same(a[n]!, b[n]!)) n++;
  return n;
}

/** One utterance's stable prefix; a new utterance gets a new one. */
export class StablePrefix {
  private history: { at: number; words: string[] }[] = [];
  private readonly handedOut: string[] = [];
  private readonly texts: string[] = [];
  private next = 0;
  /** Increments that ended clauses so far, and the clauses. */
  private spokenIncrements = 0;
  private readonly clauseEnds: number[] = [];

  constructor(private readonly settings: StabilitySettings) {}

  /** The texts of the increments handed out so far, in order. */
  get increments(): readonly string[] {
    return this.texts;
  }

  /** The clauses handed out for speech so far and the increments they cover; undefined when none were. */
  get spoken(): Spoken | undefined {
    const ends = this.clauseEnds;
    return ends.length ? { clauses: ends.length, increments: this.spokenIncrements, ends: [...ends] } : undefined;
  }

  /** Words handed out so far. */
  get stableWords(): number {
    return this.handedOut.length;
  }

  /** Takes the utterance's newest hypothesis; returns the increment that became due with it, if any. */
  observe(o: Observation): Increment | undefined {
    const current = words(o.text);
    this.history.push({ at: o.at, words: current });
    // Keep the hypotheses inside the window and the newest one before it, so agreement spans the whole window.
    const from = o.at - this.settings.agreementMs;
    let firstInWindow = this.history.findIndex((h) => h.at >= from);
    if (firstInWindow < 0) firstInWindow = this.history.length - 1;
    this.history = this.history.slice(Math.max(0, firstInWindow - 1));
    const spansWindow = this.history[0]!.at <= from;
    const agreed = spansWindow ? Math.min(...this.history.map((h) => agreeing(h.words, current))) : 0;
    const stable = Math.min(current.length, Math.max(agreed, o.finishedWords, o.engineStableWords ?? 0));
    const fresh = stable - this.handedOut.length;
    if (fresh <= 0) return undefined;
    const atPause = o.finishedWords >= stable;
    if (fresh < this.settings.minIncrementWords && !atPause) return undefined;
    const added = current.slice(this.handedOut.length, stable);
    this.handedOut.push(...added);
    this.texts.push(added.join(' '));
    const increment: Increment = {
      increment: this.next++,
      text: added.join(' '),
      stableText: this.handedOut.join(' '),
      stableWords: this.handedOut.length,
    };
    const pending = this.texts.slice(this.spokenIncrements);
    const pendingWords = pending.reduce((n, t) => n + words(t).length, 0);
    const { clauseWords } = this.settings;
    if (clauseWords > 0 && (pendingWords >= clauseWords || (atPause && pendingWords >= 2))) {
      increment.clause = { index: this.clauseEnds.length, increments: pending };
      this.spokenIncrements = this.texts.length;
      this.clauseEnds.push(this.spokenIncrements);
    }
    return increment;
  }
}

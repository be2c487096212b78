// Word error rate: how far a recogniser's transcript is from the reference text, counted in words.

export interface WerResult {
  /**
   * (substitutions + deletions + insertions) / referenceWords. Can exceed 1 when the hypothesis adds words.
   * An empty reference has no defined rate: 0 when the hypothesis is empty too, otherwise Infinity, so that
   * words recognised out of silence never pass for a perfect score (note JSON.stringify turns it into null).
   */
  wer: number;
  substitutions: number;
  deletions: number;
  insertions: number;
  referenceWords: number;
}

export interface WerPair {
  reference: string;
  hypothesis: string;
}

/**
 * Lower case, punctuation removed, whitespace collapsed, so only the words count.
 * Apostrophes stay inside words because "it's"/"its" and "we're"/"were" are different words to a recogniser;
 * at a word's edge they are quotation marks and go. Any other punctuation, hyphens included, separates words,
 * as recognisers output "twenty one" for "twenty-one". Numbers are left as they are, neither spelled out nor
 * turned into digits: the corpus writes them as words, like the recogniser does, and a digit in either side
 * is an error worth seeing.
 */
export function normalizeForWer(text: string): string {
  return (
    text
      .normalize('NFKC')
      .toLowerCase()
      // Typographic apostrophes (’ ‘ ʼ) are the same apostrophe once typed into or out of a word processor.
      .replace(/[\u2018\u2019\u02bc]/g, "'")
      .replace(/[^\p{L}\p{N}']+/gu, ' ')
      .replace(/(?<![\p{L}\p{N}])'+|'+(?![\p{L}\p{N}])/gu, ' ')
      .replace(/\s+/g, ' ')
      .trim()
  );
}

function words(text: string): string[] {
  const normalized = normalizeForWer(text);
  return normalized === '' ? [] : normalized.split(' ');
}

/** One step of an alignment: a reference word kept or substituted, deleted, or a hypothesis word inserted. */
export interface AlignmentStep {
  kind: 'match' | 'substitution' | 'deletion' | 'insertion';
  /** The reference word's index (for an insertion: the index of the reference word it comes before). */
  refIndex: number;
}

/** The words WER compares (normalized as `normalizeForWer` does). */
export function werWords(text: string): string[] {
  return words(text);
}

/**
 * Aligns the two word sequences by Levenshtein distance and counts the edits by kind.
 * Every edit is one error, but several alignments can share the fewest errors: "the cat sat on the mat" →
 * "the cat sit on mat today" is three substitutions or one substitution, deletion and insertion. Of those,
 * the one with the fewest substitutions (so the most words matched) is counted, as a person would read it.
 */
export function wordErrorRate(reference: string, hypothesis: string): WerResult {
  const steps = align(words(reference), words(hypothesis));
  const count = (kind: AlignmentStep['kind']) => steps.filter((s) => s.kind === kind).length;
  return result(count('substitution'), count('deletion'), count('insertion'), words(reference).length);
}

/** The alignment `wordErrorRate` counts, in reference order (see there for how ties are broken). */
export function align(ref: readonly string[], hyp: readonly string[]): AlignmentStep[] {
  const n = ref.length;
  const m = hyp.length;
  // Costs in units where an edit is EDIT and a substitution one more: the total still ranks alignments by
  // error count first (substitutions never number EDIT), and breaks ties towards fewer substitutions.
  const EDIT = n + m + 1;
  const SUBSTITUTE = EDIT + 1;
  const width = m + 1;
  // cost[i * width + j]: turning the first i reference words into the first j hypothesis words. Float64 holds
  // these integers exactly far beyond any transcript's length, where Uint32 could overflow.
  const cost = new Float64Array((n + 1) * width);
  for (let i = 0; i <= n; i++) cost[i * width] = i * EDIT;
  for (let j = 0; j <= m; j++) cost[j] = j * EDIT;
  for (let i = 1; i <= n; i++) {
    for (let j = 1; j <= m; j++) {
      const diagonal = cost[(i - 1) * width + j - 1]! + (ref[i - 1] === hyp[j - 1] ? 0 : SUBSTITUTE);
      const deletion = cost[(i - 1) * width + j]! + EDIT;
      const insertion = cost[i * width + j - 1]! + EDIT;
      cost[i * width + j] = Math.min(diagonal, deletion, insertion);
    }
  }

  // Walk one cheapest path back; where two steps tie, any choice gives the same counts.
  const steps: AlignmentStep[] = [];
  let i = n;
  let j = m;
  while (i > 0 || j > 0) {
    const here = cost[i * width + j]!;
    if (i > 0 && j > 0) {
      const same = ref[i - 1] === hyp[j - 1];
      if (here === cost[(i - 1) * width + j - 1]! + (same ? 0 : SUBSTITUTE)) {
        steps.push({ kind: same ? 'match' : 'substitution', refIndex: i - 1 });
        i--;
        j--;
        continue;
      }
    }
    if (i > 0 && here === cost[(i - 1) * width + j]! + EDIT) {
      steps.push({ kind: 'deletion', refIndex: i - 1 });
      i--;
    } else {
      steps.push({ kind: 'insertion', refIndex: i });
      j--;
    }
  }
  return steps.reverse();
}

/**
 * Corpus-level WER: all errors over all reference words. Not the mean of per-sentence rates, which would let
 * one wrong word in a five-word sentence weigh as much as three in a fifteen-word one.
 */
export function aggregateWer(pairs: Iterable<WerPair>): WerResult {
  let substitutions = 0;
  let deletions = 0;
  let insertions = 0;
  let referenceWords = 0;
  for (const { reference, hypothesis } of pairs) {
    const one = wordErrorRate(reference, hypothesis);
    substitutions += one.substitutions;
    deletions += one.deletions;
    insertions += one.insertions;
    referenceWords += one.referenceWords;
  }
  return result(substitutions, deletions, insertions, referenceWords);
}

function result(substitutions: number, deletions: number, insertions: number, referenceWords: number): WerResult {
  const errors = substitutions + deletions + insertions;
  const wer = referenceWords > 0 ? errors / referenceWords : errors > 0 ? Number.POSITIVE_INFINITY : 0;
  return { wer, substitutions, deletions, insertions, referenceWords };
}

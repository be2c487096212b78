// Scoring a session glossary: which of its terms an utterance says, whether a caption shows them (in the form the
// glossary gives for the caption's language), and the word error of everything else.
import type { GlossaryEntry } from '@llt/events';
import { align, type WerPair, type WerResult, werWords, wordErrorRate } from './wer.ts';

/** What scoring needs of a glossary entry (a `GlossaryEntry` fits). */
export type ScoredTerm = Pick<GlossaryEntry, 'term' | 'spoken' | 'targets'>;

// A letter, mark, digit or underscore either side makes a match part of a longer word ("Lviv" is not in "Lvivska").
const NOT_WORD_BEFORE = String.raw`(?<![\p{L}\p{M}\p{N}_])`;
const NOT_WORD_AFTER = String.raw`(?![\p{L}\p{M}\p{N}_])`;

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Matches `form` as whole words, any letter case, any run of spaces between its words. */
function formPattern(form: string): RegExp {
  const words = form.normalize('NFC').trim().split(/\s+/).map(escapeRegExp);
  return new RegExp(`${NOT_WORD_BEFORE}${words.join(String.raw`\s+`)}${NOT_WORD_AFTER}`, 'giu');
}

/** How many times `form` occurs in `text` as whole words, letter case aside. */
export function countForm(text: string, form: string): number {
  return text.normalize('NFC').match(formPattern(form))?.length ?? 0;
}

/** `text` without its first `max` occurrences of `form` (all of them when `max` is not given). */
export function removeForm(text: string, form: string, max = Number.POSITIVE_INFINITY): string {
  let removed = 0;
  return text.normalize('NFC').replace(formPattern(form), (found) => {
    if (removed >= max) return found;
    removed++;
    return ' ';
  });
}

/**
 * The form a caption in `language` should show for the term: the glossary's target for the language (or for its
 * base language, `es` for `es-US`), otherwise the term as written. `undefined` is the source language.
 */
export function targetForm(entry: ScoredTerm, language?: string): string {
  if (language === undefined) return entry.term;
  return entry.targets?.[language] ?? entry.targets?.[language.split('-')[0]!] ?? entry.term;
}

export interface TermCount {
  term: string;
  /** Times the reference says it. */
  expected: number;
  /** Times the caption shows its form, at most `expected`. */
  found: number;
}

/**
 * The glossary's terms the reference says and how many of them `caption` shows, as whole words in the form for
 * `language` (the source language when not given). A term shown more often than said counts once per saying.
 */
export function termRecall(
  reference: string,
  caption: string | null,
  glossary: readonly ScoredTerm[],
  language?: string,
): TermCount[] {
  return glossary.flatMap((entry) => {
    const expected = countForm(reference, entry.term);
    if (expected === 0) return [];
    const found = caption === null ? 0 : Math.min(expected, countForm(caption, targetForm(entry, language)));
    return [{ term: entry.term, expected, found }];
  });
}

/**
 * The pair whose WER is that of the words other than the terms: the reference without its terms, the hypothesis
 * without the terms it recognised (as many of each as the reference says). What the recogniser made of a term it
 * missed stays in the hypothesis and counts as errors; so does a term it heard where none was said.
 */
export function withoutTerms(reference: string, hypothesis: string, glossary: readonly ScoredTerm[]): WerPair {
  let ref = reference;
  let hyp = hypothesis;
  for (const entry of glossary) {
    const said = countForm(ref, entry.term);
    if (said === 0) continue;
    ref = removeForm(ref, entry.term);
    hyp = removeForm(hyp, entry.term, said);
  }
  return { reference: ref, hypothesis: hyp };
}

/** WER of the words other than the glossary's terms (see `withoutTerms`). */
export function werWithoutTerms(reference: string, hypothesis: string, glossary: readonly ScoredTerm[]): WerResult {
  const pair = withoutTerms(reference, hypothesis, glossary);
  return wordErrorRate(pair.reference, pair.hypothesis);
}

/**
 * The sentence as a speaker who knows the names says it: every term that has a spoken form replaced by it
 * ("Professor Nguyen" → "Professor win"), in one pass, the longest term where two start at the same word.
 */
export function speakTerms(text: string, glossary: readonly ScoredTerm[]): string {
  const key = (s: string) => s.normalize('NFC').trim().replace(/\s+/g, ' ').toLowerCase();
  const spoken = new Map(glossary.flatMap((e) => (e.spoken === undefined ? [] : [[key(e.term), e.spoken] as const])));
  if (spoken.size === 0) return text;
  const alternatives = [...glossary]
    .filter((e) => spoken.has(key(e.term)))
    .sort((a, b) => b.term.length - a.term.length)
    .map((e) => e.term.normalize('NFC').trim().split(/\s+/).map(escapeRegExp).join(String.raw`\s+`));
  const matcher = new RegExp(`${NOT_WORD_BEFORE}(?:${alternatives.join('|')})${NOT_WORD_AFTER}`, 'giu');
  return text.normalize('NFC').replace(matcher, (found) => spoken.get(key(found)) ?? found);
}

/**
 * WER of the words outside the terms, judged on the whole sentence's alignment: whatever the recogniser made of a
 * term (the term, a garbled stand-in of any length, nothing) is the term's and not counted; every other word's
 * substitution, deletion or insertion is. Fairer than `werWithoutTerms` for a missed term, whose stand-in words
 * there count as insertions against the neighbouring words.
 */
export function werOutsideTerms(reference: string, hypothesis: string, glossary: readonly ScoredTerm[]): WerResult {
  const ref = werWords(reference);
  const inTerm = new Array<boolean>(ref.length).fill(false);
  for (const entry of glossary) {
    const term = werWords(entry.term);
    if (term.length === 0) continue;
    for (let i = 0; i + term.length <= ref.length; i++) {
      if (term.every((w, k) => ref[i + k] === w)) for (let k = 0; k < term.length; k++) inTerm[i + k] = true;
    }
  }
  let substitutions = 0;
  let deletions = 0;
  let insertions = 0;
  for (const step of align(ref, werWords(hypothesis))) {
    if (step.kind === 'match') continue;
    if (step.kind === 'insertion') {
      // Inserted words next to (or inside) a term are what the recogniser heard for it.
      if (inTerm[step.refIndex - 1] || inTerm[step.refIndex]) continue;
      insertions++;
    } else if (!inTerm[step.refIndex]) {
      if (step.kind === 'substitution') substitutions++;
      else deletions++;
    }
  }
  const referenceWords = inTerm.filter((t) => !t).length;
  const errors = substitutions + deletions + insertions;
  const wer = referenceWords > 0 ? errors / referenceWords : errors > 0 ? Number.POSITIVE_INFINITY : 0;
  return { wer, substitutions, deletions, insertions, referenceWords };
}

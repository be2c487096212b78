// How a session glossary enters a live PocketSphinx decoder.
//
// Debian's PocketSphinx (5prealpha) keeps its language model in a trie whose lookups assume every word id is below
// the vocabulary size it was loaded with: a word added to that model (what ps_add_word does to every n-gram search)
// crashes the process once it is scored as a history, and it gets the uniform probability over ~73k words anyway,
// far too low for a name to win. So the base model is never written to. Instead:
// - each term becomes its own engine word (`glossary-term-7`), whatever its spelling (spaces, accents, a word the
//   dictionary already has): its pronunciation, from the spoken form, goes into the dictionary only;
// - a small glossary language model, written per glossary version as an ARPA file, gives each term a unigram
//   probability of its own (TERM_LOG10_PROBABILITY, about that of a common word);
// - the decoder's n-gram search is replaced by a new one over an interpolated set of the base model and the glossary
//   model (sphinxbase's ngram_model_set: each sub-model is asked with its own word ids, a word a sub-model lacks
//   scores zero there), so a term scores through the glossary model and every other word through the base model.
// A term dropped from the glossary keeps its dictionary entry but no probability: the search no longer holds it.
import { type GlossaryEntry, glossaryKey } from '@llt/events';

/** log10 of a term's unigram probability in the glossary model: the probability of a fairly common word. */
export const TERM_LOG10_PROBABILITY = -2;
/**
 * Interpolation weight of the glossary model (the base model gets the rest). It is not scaled by the language
 * weight, so it moves every score by a constant; the term probability above is what sets a term's chance.
 */
export const GLOSSARY_MODEL_WEIGHT = 0.5;

/** A term as the decoder knows it: its engine word, pronounced as `sayAs` (its spoken form, else the term). */
export interface TermWord {
  key: string;
  word: string;
  display: string;
  sayAs: string;
}

export interface GlossaryPlan {
  /** Every term the glossary model gives a probability to, by its engine word. */
  terms: TermWord[];
  /** The terms among them whose engine word is new: they need a pronunciation in the dictionary. */
  added: TermWord[];
  /** Single-word terms the base model already knows: only their spelling is the glossary's (lower-case word → term). */
  spellings: Map<string, string>;
}

/**
 * Which terms of `entries` need what, given the engine words this decoder already has (a term keeps its word across
 * versions; a changed spoken form takes a new one). `known(word)` says whether the base language model has a word;
 * `newWord()` names a fresh engine word.
 */
export function planGlossary(
  entries: readonly GlossaryEntry[],
  existing: ReadonlyMap<string, TermWord>,
  known: (word: string) => boolean,
  newWord: () => string,
): GlossaryPlan {
  const plan: GlossaryPlan = { terms: [], added: [], spellings: new Map() };
  for (const entry of entries) {
    const key = glossaryKey(entry.term);
    const sayAs = entry.spoken ?? entry.term;
    if (!entry.spoken && !key.includes(' ') && known(key)) {
      plan.spellings.set(key, entry.term);
      continue;
    }
    const previous = existing.get(key);
    if (previous && previous.sayAs === sayAs) {
      plan.terms.push({ ...previous, display: entry.term });
      continue;
    }
    const term = { key, word: newWord(), display: entry.term, sayAs };
    plan.terms.push(term);
    plan.added.push(term);
  }
  return plan;
}

/** The glossary language model in ARPA form: each engine word a unigram; sentence marks present but improbable. */
export function glossaryArpa(words: readonly string[], log10Probability = TERM_LOG10_PROBABILITY): string {
  return [
    '\\data\\',
    `ngram 1=${words.length + 2}`,
    '',
    '\\1-grams:',
    '-99 <s> 0',
    '-99 </s> 0',
    ...words.map((word) => `${log10Probability} ${word} 0`),
    '',
    '\\end\\',
    '',
  ].join('\n');
}

/** Engine words to caption words: engine words become their terms, known words the glossary's spelling. */
export function applyGlossarySpelling(text: string, shown: ReadonlyMap<string, string>): string {
  if (shown.size === 0 || text === '') return text;
  return text
    .split(' ')
    .map((word) => shown.get(word.toLowerCase()) ?? word)
    .join(' ');
}

// Glossary terms kept through a translation engine: each occurrence is swapped for a placeholder the engine passes
// through untouched, and the placeholder is swapped for the term's target form after translation.
//
// The placeholder is a capitalised made-up word of letters only: a stem no language has ("Zqx") and the occurrence
// number as letters ("Zqxa", "Zqxb", … "Zqxab"). Apertium passes an unknown word through unchanged and grammar
// treats a capitalised one like a name ("La casa de Zqxa tiene una puerta roja"). Measured through ApertiumTranslator
// (eight sentence frames, 112 placeholders over eng-spa, eng-cat, en-gl, en-eo and eng-cat then cat-fra, cat-ita,
// cat-por, ca-oc; Debian Apertium 3.8.3):
//   - "ZQX1" (caps and digits) 106/112: en-gl splits letters from digits ("O ZQX novo1 sistema").
//   - "ZQXA" (caps, letters) 106/112: en-eo inflects it as an adjective ("La nova ZQXAa sistemo").
//   - "Zqxa" 107/112; every loss was a possessive: an unknown word's "'s" comes back fused ("Zqxaha l'informe")
//     from every route through Catalan. With "'s" split off the placeholder ("Zqxa 's"), 112/112 kept.
//   - Apertium's own superblank markup ("[ZQX1]") cannot be used: the adapter escapes "[" (the port carries plain
//     text, for Amazon Translate too), and raw, a superblank stays at its blank while words move around it
//     ("El sistema [ZQX1] nuevo", "la casa d'és [ZQX2]").
// Agreement around the term is the engine's: it sees a name, so "d'Anna" elision or a possessive ("Nguyen's report"
// reads "Nguyen el informe" in Spanish) is not what a known name would get.
// A placeholder the engine dropped, split or glued letters to is reported in `lost` and nothing is put in its place:
// a term pushed to the end of the sentence would be shown and spoken out of place, and the caller can log and count it.
import { type GlossaryEntry, glossaryKey } from '@llt/events';

/**
 * What protection needs of a glossary entry (the session's `Glossary` fits): the source term and its form per target
 * language; a language without one keeps the term as written in the glossary.
 */
export type GlossaryTerm = Pick<GlossaryEntry, 'term' | 'targets'>;

export interface RestoredText {
  text: string;
  /** Glossary terms (as written in the glossary) whose placeholder the engine dropped or changed: not in `text`. */
  lost: string[];
}

export interface ProtectedText {
  /** The source text with every glossary term replaced by its placeholder: what the engine should translate. */
  text: string;
  /** How many term occurrences were replaced. */
  count: number;
  /** The placeholders in `text`, one per occurrence in order (letters only, never part of a longer word). */
  placeholders: readonly string[];
  /** Puts the target forms back into the engine's output of `text`. */
  restore(translated: string): RestoredText;
}

// Stems a placeholder may start with; the first one the text does not already contain is used, so a placeholder
// can never be mistaken for something the speaker said.
const STEMS = ['Zqx', 'Qzx', 'Xzq', 'Zxq', 'Qxz', 'Xqz', 'Zqj', 'Jzq'];
// Letters and digits either side make a match part of a longer word.
const NOT_WORD_BEFORE = '(?<![\\p{L}\\p{M}\\p{N}_])';
const NOT_WORD_AFTER = '(?![\\p{L}\\p{M}\\p{N}_])';
// An English possessive right after a term; captured inside a lookahead so the match itself stays the term.
const POSSESSIVE_AFTER = `(?=(['’]s${NOT_WORD_AFTER})?)`;

/**
 * Replaces every glossary term in `text` (whole words, any letter case, the longest term first where several
 * start at the same place: "New Bridge Fund" rather than "Bridge") by a placeholder distinct per occurrence.
 * Where terms overlap without starting together, the leftmost wins.
 */
export function protectTerms(text: string, glossary: readonly GlossaryTerm[], targetLanguage: string): ProtectedText {
  const entries = uniqueTerms(glossary);
  const stem = STEMS.find((s) => !text.toLowerCase().includes(s.toLowerCase()));
  if (entries.length === 0 || stem === undefined) return unprotected(text);

  const byKey = new Map(entries.map((e) => [matchKey(e.term), e]));
  const alternatives = entries.map((e) => e.term.trim().split(/\s+/).map(escapeRegExp).join('\\s+'));
  const matcher = new RegExp(
    `${NOT_WORD_BEFORE}(?:${alternatives.join('|')})${NOT_WORD_AFTER}${POSSESSIVE_AFTER}`,
    'giu',
  );

  const occurrences: GlossaryTerm[] = [];
  const protectedText = text.replace(matcher, (found, possessive: string | undefined) => {
    const entry = byKey.get(matchKey(found));
    // Only where the regex's case folding and toLowerCase disagree (a few rare letters): left as written.
    if (entry === undefined) return found;
    occurrences.push(entry);
    // Glued to an unknown word, "'s" comes back fused with it ("Zqxaha") from the pivots through Catalan.
    return placeholder(stem, occurrences.length) + (possessive ? ' ' : '');
  });
  if (occurrences.length === 0) return unprotected(text);

  return {
    text: protectedText,
    count: occurrences.length,
    placeholders: occurrences.map((_, i) => placeholder(stem, i + 1)),
    restore(translated) {
      const seen = new Set<number>();
      const placeholders = new RegExp(`${NOT_WORD_BEFORE}${stem}([a-z]+)${NOT_WORD_AFTER}`, 'giu');
      const restored = translated.replace(placeholders, (found, letters: string) => {
        const n = decodeIndex(letters.toLowerCase());
        // Letters glued on by the engine give a number beyond the sentence's occurrences (under 27 of them): lost,
        // not another term.
        const entry = occurrences[n - 1];
        if (entry === undefined) return found;
        seen.add(n);
        return targetForm(entry, targetLanguage);
      });
      const lost = occurrences.filter((_, i) => !seen.has(i + 1)).map((e) => e.term);
      return { text: restored, lost };
    },
  };
}

/** The form a term takes in a language: its own, its base language's ("pt" for "pt-BR"), or the term itself. */
export function targetForm(entry: GlossaryTerm, language: string): string {
  const base = language.split('-')[0] as string;
  return entry.targets?.[language] ?? entry.targets?.[base] ?? entry.term.trim();
}

/** The stem and the occurrence number in bijective base 26 (1 → a, 26 → z, 27 → aa): letters only. */
function placeholder(stem: string, n: number): string {
  let letters = '';
  for (let rest = n; rest > 0; rest = Math.floor((rest - 1) / 26)) {
    letters = String.fromCharCode(97 + ((rest - 1) % 26)) + letters;
  }
  return stem + letters;
}

function decodeIndex(letters: string): number {
  let n = 0;
  for (const c of letters) n = n * 26 + (c.charCodeAt(0) - 96);
  return n;
}

function unprotected(text: string): ProtectedText {
  return { text, count: 0, placeholders: [], restore: (translated) => ({ text: translated, lost: [] }) };
}

/** Non-blank terms, one entry per term whatever its letter case (the first wins), longest first. */
function uniqueTerms(glossary: readonly GlossaryTerm[]): GlossaryTerm[] {
  const byKey = new Map<string, GlossaryTerm>();
  for (const entry of glossary) {
    const key = matchKey(entry.term);
    if (key !== '' && !byKey.has(key)) byKey.set(key, entry);
  }
  return [...byKey.values()].sort((a, b) => matchKey(b.term).length - matchKey(a.term).length);
}

/** Case- and spacing-insensitive identity of a term, as the glossary contract sees it. */
function matchKey(term: string): string {
  return glossaryKey(term);
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

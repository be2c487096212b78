// Where a translated sentence holds glossary terms the voice should say as their spoken form.
// A term reaches a target language as its target form (default: the term unchanged). Kept unchanged, it is a name
// or a word of the source language that the target voice would read with its own rules ("Nguyen" read by a
// Spanish voice: "eneguyen"), so it is said as the spoken form, read as a speaker of the source language reads it.
// Given a target form of its own, the term is a word of the target language: the voice reads it as written.
import { type GlossaryEntry, glossaryKey } from '@llt/events';
import type { Pronunciation } from './ports.ts';

// Letters and digits either side make a match part of a longer word.
const NOT_WORD_BEFORE = '(?<![\\p{L}\\p{M}\\p{N}_])';
const NOT_WORD_AFTER = '(?![\\p{L}\\p{M}\\p{N}_])';

/**
 * The spoken forms to use in `text` (a translation into `targetLanguage` of a sentence spoken in `sourceLanguage`):
 * every whole-word occurrence, in any letter case, of a term that has a spoken form and no target form of its own in
 * the target language; the longest term first where several start at the same place, in text order.
 */
export function pronunciationsFor(
  text: string,
  glossary: readonly GlossaryEntry[],
  targetLanguage: string,
  sourceLanguage: string,
): Pronunciation[] {
  // Every term takes part in the match, so a longer one hides the shorter terms inside it ("Bridge" in "New Bridge
  // Fund") as it did in translation; only those to say another way give a pronunciation.
  const spokenByKey = new Map<string, string | undefined>();
  for (const entry of glossary) {
    const key = glossaryKey(entry.term);
    if (key === '' || spokenByKey.has(key)) continue;
    const spoken = entry.spoken?.trim();
    spokenByKey.set(key, spoken && !hasOwnTargetForm(entry, targetLanguage) ? spoken : undefined);
  }
  if (![...spokenByKey.values()].some(Boolean)) return [];
  const alternatives = [...spokenByKey.keys()]
    .sort((a, b) => b.length - a.length)
    .map((key) => key.split(' ').map(escapeRegExp).join('\\s+'));
  const matcher = new RegExp(`${NOT_WORD_BEFORE}(?:${alternatives.join('|')})${NOT_WORD_AFTER}`, 'giu');
  const found: Pronunciation[] = [];
  for (const match of text.matchAll(matcher)) {
    // Undefined: a term read as written, or (where the regex's case folding and toLowerCase disagree, a few rare
    // letters) not found again.
    const spoken = spokenByKey.get(glossaryKey(match[0]));
    if (spoken === undefined) continue;
    found.push({ start: match.index, end: match.index + match[0].length, spoken, language: sourceLanguage });
  }
  return found;
}

/** Whether the glossary gives the term a form of its own in the language (or its base language: "pt" for "pt-BR"). */
function hasOwnTargetForm(entry: GlossaryEntry, language: string): boolean {
  const base = language.split('-')[0] as string;
  const form = entry.targets?.[language] ?? entry.targets?.[base];
  return form !== undefined && glossaryKey(form) !== glossaryKey(entry.term);
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

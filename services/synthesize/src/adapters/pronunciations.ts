// How each voice is told a term's spoken form. The core finds the terms (offsets into the text); each engine here
// renders the text with its own markup, escaping everything else, so the speaker's words never act as markup.
import type { Pronunciation } from '#core/ports';

export interface SpeechPiece {
  text: string;
  /** Said as this instead of `text`. */
  say?: Pick<Pronunciation, 'spoken' | 'language'>;
}

/**
 * The text cut at its pronunciations: plain pieces and the terms with how to say them. Pronunciations outside the
 * text, overlapping an earlier one or with nothing to say are left out (the term is then read as written).
 */
export function speechPieces(text: string, pronunciations: readonly Pronunciation[] = []): SpeechPiece[] {
  const pieces: SpeechPiece[] = [];
  let at = 0;
  for (const p of [...pronunciations].sort((a, b) => a.start - b.start)) {
    if (!Number.isInteger(p.start) || !Number.isInteger(p.end)) continue;
    if (p.start < at || p.end <= p.start || p.end > text.length || p.spoken.trim() === '') continue;
    if (p.start > at) pieces.push({ text: text.slice(at, p.start) });
    pieces.push({ text: text.slice(p.start, p.end), say: { spoken: p.spoken.trim(), language: p.language } });
    at = p.end;
  }
  if (at < text.length || pieces.length === 0) pieces.push({ text: text.slice(at) });
  return pieces;
}

/**
 * The text with each term replaced by its spoken form, for voices that take no pronunciation markup (SVOX Pico,
 * festival): the voice reads the respelling with its own language's rules, closer to the term than the term's
 * spelling read the same way ("win" rather than "Nguyen" for a Spanish voice).
 */
export function respelled(text: string, pronunciations: readonly Pronunciation[] = []): string {
  return speechPieces(text, pronunciations)
    .map((piece) => piece.say?.spoken ?? piece.text)
    .join('');
}

/** A BCP 47 code as a markup attribute value: letters, digits and hyphens only (anything else is dropped). */
export function languageAttribute(language: string): string {
  return language.replace(/[^A-Za-z0-9-]/g, '');
}

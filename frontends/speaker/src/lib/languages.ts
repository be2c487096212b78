// What the setup form does with the deployment's languages: names sorted for the source list, the targets
// preselected only when they are few, and a filter for a long list (AWS offers about 75).
import type { LanguageOption } from '@llt/client';

/** Up to this many targets, all are preselected and the list needs no filter. */
export const SHORT_LIST = 8;

/** Languages in the order of their English names, as a reader scans a list. */
export function byName<T extends Pick<LanguageOption, 'name' | 'code'>>(languages: readonly T[]): T[] {
  return [...languages].sort((a, b) => a.name.localeCompare(b.name, 'en') || a.code.localeCompare(b.code));
}

/**
 * The targets checked when the form opens: all of a short list (a local deployment's handful), none of a long
 * one, where the speaker picks the few the audience needs.
 */
export function preselectedTargets(targets: readonly Pick<LanguageOption, 'code'>[]): string[] {
  return targets.length <= SHORT_LIST ? targets.map((l) => l.code) : [];
}

/**
 * The source the form opens with: the first in `sources` matching the browser's preferred languages (the exact
 * tag, else the same language: `en-GB` → `en`, `en-US`), else the server's first.
 */
export function defaultSource(
  sources: readonly Pick<LanguageOption, 'code'>[],
  preferred: readonly string[] = [],
): string {
  const codes = sources.map((l) => l.code);
  const lower = codes.map((c) => c.toLowerCase());
  for (const tag of preferred) {
    const exact = lower.indexOf(tag.toLowerCase());
    if (exact >= 0) return codes[exact] ?? '';
    const base = tag.toLowerCase().split('-')[0];
    const same = lower.findIndex((c) => c === base || c.split('-')[0] === base);
    if (same >= 0) return codes[same] ?? '';
  }
  return codes[0] ?? '';
}

/**
 * The languages with a word of their English name or own name starting with `query`, or whose code starts with
 * it; case and accents do not matter ("espa" finds Español, "french" Canadian French, "fr-c" fr-CA, and "fr" not
 * Afrikaans). An empty query keeps them all.
 */
export function filterLanguages<T extends Pick<LanguageOption, 'code' | 'name' | 'nativeName'>>(
  languages: readonly T[],
  query: string,
): T[] {
  const wanted = fold(query.trim());
  if (!wanted) return [...languages];
  return languages.filter(
    (l) =>
      fold(l.code).startsWith(wanted) || startsAWord(fold(l.name), wanted) || startsAWord(fold(l.nativeName), wanted),
  );
}

/** Whether `part` occurs in `text` at its start or right after a character that is not a letter. */
function startsAWord(text: string, part: string): boolean {
  for (let at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + 1)) {
    if (at === 0 || !/\p{L}/u.test(text[at - 1] ?? '')) return true;
  }
  return false;
}

function fold(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
}

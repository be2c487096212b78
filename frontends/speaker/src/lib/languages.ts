// Language names for display, from the one catalog the whole product shares.
import { findSourceLanguage, findTargetLanguage } from '@llt/events';

/** "Spanish", or the code itself for a language this build does not know. */
export function languageName(code: string): string {
  return findTargetLanguage(code)?.name ?? findSourceLanguage(code)?.name ?? code;
}

/** "Español", the name listeners know their language by. */
export function nativeName(code: string): string {
  return findTargetLanguage(code)?.nativeName ?? languageName(code);
}

// Recognisers return lower-case words without punctuation; translators want "I" and sentence case
// (Apertium leaves a lower-case "i" untranslated).
const PRONOUN_I = /\bi\b(?=('(m|ll|ve|d|s))?\b)/g;

export function capitalizeTranscript(text: string): string {
  const tidy = text.replace(/\s+/g, ' ').trim();
  if (!tidy) return '';
  const withI = tidy.replace(PRONOUN_I, 'I');
  return withI.charAt(0).toUpperCase() + withI.slice(1);
}

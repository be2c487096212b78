// The listener app's words in each locale, and the two things done with them: choosing a locale and filling in
// a message. A language without a message file here is shown in English.
import { ca } from './ca.ts';
import { en } from './en.ts';
import { eo } from './eo.ts';
import { es } from './es.ts';
import { fr } from './fr.ts';
import { gl } from './gl.ts';
import { it } from './it.ts';
import { oc } from './oc.ts';
import { pt } from './pt.ts';
import type { MessageKey, Messages, MessageValues, Plural } from './types.ts';

export type { MessageKey, Messages, MessageValues, Text } from './types.ts';

export const DEFAULT_LOCALE = 'en';

export const LOCALES: Readonly<Record<string, Messages>> = { en, es, ca, gl, eo, fr, it, pt, oc };

/**
 * The first of `preferred` (BCP 47 tags, most wanted first, as `navigator.languages`) that has a message file,
 * matched on the language subtag (`es-MX` → `es`); English when none has.
 */
export function pickLocale(preferred: readonly (string | undefined)[]): string {
  for (const tag of preferred) {
    const language = tag?.toLowerCase().split(/[-_]/)[0];
    if (language && Object.hasOwn(LOCALES, language)) return language;
  }
  return DEFAULT_LOCALE;
}

/**
 * The message `key` in `locale`, placeholders (`{name}`) filled from `values` (numbers formatted for the locale).
 * A plural message picks its form by `values.count` with the locale's plural rules.
 */
export function formatMessage(locale: string, key: MessageKey, values: MessageValues = {}): string {
  const messages = LOCALES[locale] ?? en;
  const message: string | Plural = messages[key];
  const template = typeof message === 'string' ? message : pluralForm(locale, message, values.count);
  const numbers = new Intl.NumberFormat(locale);
  return template.replace(/\{(\w+)\}/g, (placeholder, name: string) => {
    const value = values[name];
    if (value === undefined) return placeholder;
    return typeof value === 'number' ? numbers.format(value) : value;
  });
}

function pluralForm(locale: string, plural: Plural, count: string | number | undefined): string {
  const category = new Intl.PluralRules(locale).select(Number(count ?? 0));
  return plural[category] ?? plural.other;
}

/** The placeholder names of a message (every form of a plural), sorted: what every locale must keep. */
export function placeholders(message: string | Plural): string[] {
  const texts = typeof message === 'string' ? [message] : Object.values(message);
  const names = new Set(texts.flatMap((text) => [...(text ?? '').matchAll(/\{(\w+)\}/g)].map((m) => m[1] ?? '')));
  return [...names].sort();
}

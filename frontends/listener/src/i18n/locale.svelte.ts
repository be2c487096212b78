// The page's UI language as state: components read `i18n.t(…)` in their markup and follow it when it changes.
import { DEFAULT_LOCALE, formatMessage, type MessageKey, type MessageValues, pickLocale, type Text } from './index.ts';

class UiLocale {
  /** A locale with a message file (`en`, `es`, …). */
  locale = $state(DEFAULT_LOCALE);

  /** Picks the first of `preferred` that has a message file; English when none has. */
  use(...preferred: readonly (string | undefined)[]): void {
    this.locale = pickLocale(preferred);
  }

  t(key: MessageKey, values?: MessageValues): string {
    return formatMessage(this.locale, key, values);
  }

  /** A message kept as a key (errors, notices), in the current language. */
  text(text: Text): string {
    return formatMessage(this.locale, text.key, text.values);
  }

  /** A language's name in the UI language (Intl.DisplayNames), or undefined when the browser has none. */
  languageName(code: string): string | undefined {
    try {
      const name = new Intl.DisplayNames([this.locale, DEFAULT_LOCALE], { type: 'language' }).of(code);
      return name && name !== code ? name.charAt(0).toLocaleUpperCase(this.locale) + name.slice(1) : undefined;
    } catch {
      return undefined;
    }
  }
}

export const i18n = new UiLocale();

// Amazon Translate engine: one TranslateText call per sentence, in the language codes Translate declares.
//
// Glossary terms: each occurrence becomes the same letters-only placeholder as locally (terms.ts), wrapped in an
// element marked `translate="no"`, which TranslateText documents it leaves as it is ("Using do-not-translate",
// https://docs.aws.amazon.com/translate/latest/dg/customizing-translations-tags.html: any HTML element in the Text
// of a TranslateText request); the placeholder is swapped for the term's target form afterwards. Chosen over Amazon
// Translate custom terminology, which does not fit a glossary per session that the speaker edits while it is live
// (Guidelines and quotas, https://docs.aws.amazon.com/translate/latest/dg/what-is-limits.html):
//   - terminologies are account resources: 100 per region per account, so at most 100 sessions at once, each
//     needing an ImportTerminology per version (5 per second per account, for the whole deployment), a delete at
//     the end, and a sweep of the ones a crash left behind; how soon an imported terminology applies to TranslateText
//     is not documented, and a glossary edited mid-talk must apply to the next sentence;
//   - one terminology per TranslateText request, at most 10 target languages per terminology, and a term without a
//     target form ("keep it as it is") would still need an entry per language.
// The marked element costs characters (Translate bills every character sent, ~28 more per term: well under a cent
// per thousand terms) and only sentences with a term pay it; the rest are sent as plain text as before. The
// placeholder inside the element, rather than the target form itself, lets the same restoring step tell a term the
// service dropped from one it kept. The element is not a bare placeholder because a made-up word is not safe with
// a neural engine: into a language with another script it may be transliterated ("Зкха"), and nothing is restored.
import { type TranslateClient, TranslateTextCommand } from '@aws-sdk/client-translate';
import { baseLanguage } from '@llt/events';
import { describeAwsError, isTransientAwsError } from '@llt/platform';
import type { TermOptions, TranslationEngine } from '#core/ports';
import { type ProtectedText, protectTerms } from '#core/terms';
import { TranslationEngineError, UnsupportedLanguagePairError } from '#errors';
import { AMAZON_TRANSLATE_LANGUAGES } from './aws-translate-languages.ts';

/** Error name the workflow's Retry matches on; keep it stable (it is part of the state machine definition). */
export const TRANSLATION_THROTTLED_ERROR = 'TranslationThrottledError';

/** Amazon Translate refused for load or failed on its side: the same request may succeed later. */
export class TranslationThrottledError extends TranslationEngineError {
  override name = TRANSLATION_THROTTLED_ERROR;
}

export class AmazonTranslateEngine implements TranslationEngine {
  constructor(private readonly client: TranslateClient) {}

  name(): string {
    return 'amazon-translate';
  }

  async translate(text: string, sourceLanguage: string, targetLanguage: string, terms?: TermOptions): Promise<string> {
    // Checked before the empty-text shortcut so that a misconfigured language fails on the first segment, not later.
    const { source, target } = this.codes(sourceLanguage, targetLanguage);
    if (text.trim() === '') return '';
    const protectedText = terms?.glossary.length ? protectTerms(text, terms.glossary, targetLanguage) : undefined;
    if (!protectedText || protectedText.count === 0) return this.#send(text, source, target);
    const translated = await this.#send(markedTerms(protectedText), source, target);
    const restored = protectedText.restore(plainText(translated));
    if (restored.lost.length > 0) terms?.lost?.(restored.lost);
    return restored.text;
  }

  async #send(text: string, source: string, target: string): Promise<string> {
    let translated: string | undefined;
    try {
      const out = await this.client.send(
        new TranslateTextCommand({ Text: text, SourceLanguageCode: source, TargetLanguageCode: target }),
      );
      translated = out.TranslatedText;
    } catch (cause) {
      const message = `Amazon Translate ${source}→${target} failed (${describeAwsError(cause)})`;
      if (isTransientAwsError(cause)) throw new TranslationThrottledError(message, { cause });
      throw new TranslationEngineError(message, { cause });
    }
    if (translated === undefined) {
      throw new TranslationEngineError(`Amazon Translate ${source}→${target} returned no TranslatedText`);
    }
    return translated.trim();
  }

  private codes(sourceLanguage: string, targetLanguage: string): { source: string; target: string } {
    const source = translateSourceCode(sourceLanguage);
    if (!source) {
      throw new UnsupportedLanguagePairError(
        `Amazon Translate does not translate from "${sourceLanguage}" (nor from its base language "${baseLanguage(sourceLanguage)}")`,
      );
    }
    // Targets are Translate's own codes already (the deployment's targets are derived from them): exact only.
    if (!AMAZON_TRANSLATE_LANGUAGES.includes(targetLanguage)) {
      throw new UnsupportedLanguagePairError(`Amazon Translate does not translate into "${targetLanguage}"`);
    }
    return { source, target: targetLanguage };
  }
}

/**
 * The Translate code a recognised source language is translated from: the code itself where Translate has that
 * variant ("fr-CA", "zh-TW", "fa-AF"), else its base language ("es-US" → "es", "zh-CN" → "zh", "pt-BR" → "pt").
 */
export function translateSourceCode(language: string): string | undefined {
  if (AMAZON_TRANSLATE_LANGUAGES.includes(language)) return language;
  const base = baseLanguage(language);
  return AMAZON_TRANSLATE_LANGUAGES.includes(base) ? base : undefined;
}

/** The element a placeholder travels in: TranslateText leaves an element marked `translate="no"` untouched. */
export const KEEP_OPEN = '<span translate="no">';
export const KEEP_CLOSE = '</span>';

const HTML_ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };

/**
 * The protected sentence as TranslateText's HTML: the speaker's words escaped (nothing they say can open an element)
 * and each placeholder inside an element marked `translate="no"`.
 */
export function markedTerms(protectedText: Pick<ProtectedText, 'text' | 'placeholders'>): string {
  const escaped = protectedText.text.replace(/[&<>]/g, (c) => HTML_ESCAPES[c] as string);
  if (protectedText.placeholders.length === 0) return escaped;
  // Longest first: "Zqxab" is not "Zqxa" followed by "b". Placeholders are letters only, chosen absent from the text.
  const alternatives = [...protectedText.placeholders].sort((a, b) => b.length - a.length).join('|');
  const placeholder = new RegExp(`(?<![\\p{L}\\p{M}\\p{N}_])(?:${alternatives})(?![\\p{L}\\p{M}\\p{N}_])`, 'gu');
  return escaped.replace(placeholder, (found) => `${KEEP_OPEN}${found}${KEEP_CLOSE}`);
}

const ENTITIES: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

/**
 * TranslateText's answer to `markedTerms` as plain text: elements removed (the only ones are ours: the speaker's
 * angle brackets were escaped), character references decoded, runs of spaces a removed element left collapsed.
 */
export function plainText(html: string): string {
  return html
    .replace(/<\/?[a-z][^>]*>/gi, '')
    .replace(/&(?:#(\d+)|#x([\da-f]+)|([a-z]+));/gi, (found, dec?: string, hex?: string, name?: string) => {
      const code = dec !== undefined ? Number(dec) : hex !== undefined ? Number.parseInt(hex, 16) : undefined;
      if (code !== undefined) return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : found;
      return ENTITIES[(name as string).toLowerCase()] ?? found;
    })
    .replace(/ {2,}/g, ' ')
    .trim();
}

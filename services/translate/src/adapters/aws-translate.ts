// Amazon Translate engine: one TranslateText call per sentence, in the language codes Translate declares.
import { type TranslateClient, TranslateTextCommand } from '@aws-sdk/client-translate';
import { baseLanguage } from '@llt/events';
import { describeAwsError, isTransientAwsError } from '@llt/platform';
import type { TranslationEngine } from '#core/ports';
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

  async translate(text: string, sourceLanguage: string, targetLanguage: string): Promise<string> {
    // Checked before the empty-text shortcut so that a misconfigured language fails on the first segment, not later.
    const { source, target } = this.codes(sourceLanguage, targetLanguage);
    if (text.trim() === '') return '';
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

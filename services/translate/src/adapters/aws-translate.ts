// Amazon Translate engine: one TranslateText call per sentence, language codes from the catalog.
import { type TranslateClient, TranslateTextCommand } from '@aws-sdk/client-translate';
import { findSourceLanguage, findTargetLanguage } from '@llt/events';
import { describeAwsError, isTransientAwsError } from '@llt/platform';
import type { TranslationEngine } from '#core/ports';
import { TranslationEngineError, UnsupportedLanguagePairError } from '#errors';

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
    // The catalog's source languages carry no Amazon Translate code; their ISO 639-1 codes are what it accepts.
    const source = findSourceLanguage(sourceLanguage)?.code;
    if (!source) throw new UnsupportedLanguagePairError(`Unknown source language "${sourceLanguage}"`);
    const language = findTargetLanguage(targetLanguage);
    if (!language) throw new UnsupportedLanguagePairError(`Unknown target language "${targetLanguage}"`);
    const target = language.engines.aws?.translate;
    if (!target) {
      throw new UnsupportedLanguagePairError(
        `Amazon Translate has no ${language.name} ("${targetLanguage}"): the language catalog lists no Amazon Translate code for it; use the local Apertium engine`,
      );
    }
    return { source, target };
  }
}

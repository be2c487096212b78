// What the translate use case needs: a machine translation engine and a place to publish translations.
import type { EventPublisher } from '@llt/platform';

export type { EventPublisher };

export interface TranslationEngine {
  /** Engine name recorded in TranslationReady, e.g. `apertium:eng-spa`. */
  name(targetLanguage: string): string;
  translate(text: string, sourceLanguage: string, targetLanguage: string): Promise<string>;
}

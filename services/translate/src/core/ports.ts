// What the translate use case needs: a machine translation engine, a place to publish translations, and
// somewhere to log and count.
import type { EventPublisher, ServiceLog, ServiceMetrics } from '@llt/platform';

export type { EventPublisher, ServiceLog, ServiceMetrics };

export interface TranslationEngine {
  /** Engine name recorded in TranslationReady, e.g. `apertium:eng-spa`. */
  name(targetLanguage: string): string;
  translate(text: string, sourceLanguage: string, targetLanguage: string): Promise<string>;
}

// What the translate use case needs: a machine translation engine, a memo of the pieces it translated for
// utterances in progress, a place to publish translations, and somewhere to log and count.
import type { EventPublisher, ServiceLog, ServiceMetrics } from '@llt/platform';

export type { EventPublisher, ServiceLog, ServiceMetrics };

export interface TranslationEngine {
  /** Engine name recorded in TranslationReady, e.g. `apertium:eng-spa`. */
  name(targetLanguage: string): string;
  translate(text: string, sourceLanguage: string, targetLanguage: string): Promise<string>;
}

/** One utterance in progress, in one target language: the scope of a translation memo's entries. */
export interface MemoUtterance {
  sessionId: string;
  segmentIndex: number;
  language: string;
}

/**
 * The pieces of utterances in progress as they were translated, by increment number, so a clause and the final
 * read back what an increment was translated to instead of paying the engine again (and get the words listeners
 * were shown even from an engine that is not deterministic). Entries never span sessions and expire in hours.
 */
export interface TranslationMemo {
  /** The remembered translations among `increments` (absent ones were never put, or expired). */
  get(utterance: MemoUtterance, increments: readonly number[]): Promise<Map<number, string>>;
  put(utterance: MemoUtterance, entries: readonly { increment: number; text: string }[]): Promise<void>;
}

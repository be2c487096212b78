// What the translate use case needs: a machine translation engine, a memo of the pieces it translated for
// utterances in progress, the session glossaries, a place to publish translations, and somewhere to log and count.
import type { GlossaryEntry } from '@llt/events';
import type { EventPublisher, ServiceLog, ServiceMetrics } from '@llt/platform';
import type { GlossaryTerm } from './terms.ts';

export type { EventPublisher, ServiceLog, ServiceMetrics };

/** Glossary terms an engine keeps through a translation. */
export interface TermOptions {
  /** Each term of the text comes out as its target form in the target language (default: the term unchanged). */
  glossary: readonly GlossaryTerm[];
  /** Told the terms (as written in the glossary) the engine lost: they are not in the translation. */
  lost?(terms: readonly string[]): void;
}

export interface TranslationEngine {
  /** Engine name recorded in TranslationReady, e.g. `apertium:eng-spa`. */
  name(targetLanguage: string): string;
  translate(text: string, sourceLanguage: string, targetLanguage: string, terms?: TermOptions): Promise<string>;
}

/**
 * The sessions' glossaries by version. A version never changes once written, so an implementation may keep what it
 * read; undefined when the session has no such version.
 */
export interface GlossaryStore {
  get(sessionId: string, version: number): Promise<readonly GlossaryEntry[] | undefined>;
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

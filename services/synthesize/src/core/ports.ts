// What the synthesize use case needs: a speech engine, an object store for the audio, the session glossaries, a place
// to publish, and somewhere to log and count.
import type { GlossaryEntry } from '@llt/events';
import type { EventPublisher, ServiceLog, ServiceMetrics } from '@llt/platform';

export type { EventPublisher, ServiceLog, ServiceMetrics };

export interface SynthesizedSpeech {
  /** Encoded, web-playable audio. */
  audio: Uint8Array;
  contentType: string;
  durationMs: number;
  /** Which engine and voice produced it, e.g. `espeak-ng:es` or `polly:Lucia`. */
  engine: string;
}

/** A stretch of the text the voice says another way: a glossary term, said as its spoken form. */
export interface Pronunciation {
  /** Where the term is in the text: UTF-16 offsets, `start` included, `end` not. */
  start: number;
  end: number;
  /** How the term sounds, respelled in plain letters as a speaker of `language` reads them ("win" for Nguyen). */
  spoken: string;
  /** The language the respelling is written for: the session's source language. */
  language: string;
}

export interface SpeechEngine {
  /**
   * Speaks the text in the language's voice; each of `pronunciations` (in order, not overlapping) is said as its
   * spoken form instead of as written.
   */
  synthesize(text: string, language: string, pronunciations?: readonly Pronunciation[]): Promise<SynthesizedSpeech>;
}

/**
 * The sessions' glossaries by version. A version never changes once written, so an implementation may keep what it
 * read; undefined when the session has no such version.
 */
export interface GlossaryStore {
  get(sessionId: string, version: number): Promise<readonly GlossaryEntry[] | undefined>;
}

export interface AudioStore {
  put(key: string, audio: Uint8Array, contentType: string): Promise<void>;
  /** Whether an object is stored under the key. */
  exists(key: string): Promise<boolean>;
  /** A presigned GET URL that expires after `expiresInS` seconds. */
  presign(key: string, expiresInS: number): Promise<string>;
}

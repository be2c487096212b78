// What the transcribe use cases need: streaming recognisers (bounded), a ledger that makes finalized
// transcripts idempotent across redeliveries, and a place to publish transcripts.
import type { GlossaryEntry } from '@llt/events';
import type { EventPublisher, ServiceLog, ServiceMetrics } from '@llt/platform';

export type { EventPublisher, ServiceLog, ServiceMetrics };

export interface Hypothesis {
  /** Best text so far for the current utterance (lower case from PocketSphinx; as returned by the engine). */
  text: string;
  /** The engine's own voice-activity opinion, when it has one (PocketSphinx: ps_get_in_speech). */
  inSpeech?: boolean;
  /**
   * Leading words of `text` the engine says it will not change (Amazon Transcribe's partial-result
   * stabilization); absent when the engine does not say (PocketSphinx: local agreement decides).
   */
  stableWords?: number;
}

/**
 * One live recognition stream for one session (a warm PocketSphinx decoder locally, a Transcribe Streaming
 * session on AWS). Calls on one stream are never concurrent: the caller awaits each before the next.
 */
export interface RecognizerStream {
  /** Feeds 16 kHz mono s16le samples of the current utterance; resolves with the current hypothesis. */
  write(samples: Int16Array): Promise<Hypothesis>;
  /** Ends the current utterance and resolves with its final text; the next write starts a new utterance. */
  finish(): Promise<string>;
  /** Frees the engine's resources; the stream is unusable afterwards. */
  release(): Promise<void>;
  /**
   * How likely a sentence is to end after `words` (the engine's words, as finish() returned them): the log10
   * probability its language model gives the end of a sentence after the last of them. Undefined when the model does
   * not know the words; engines without a model to ask leave it out.
   */
  sentenceEndLogProb?(words: readonly string[]): number | undefined;
  /**
   * Makes the session glossary's terms recognisable from the next utterance on (called between utterances only);
   * resolves with the glossary version now in effect (undefined: none). Engines without it ignore glossaries.
   */
  useGlossary?(glossary: SessionGlossary): Promise<number | undefined>;
  /**
   * The glossary version in effect now, for a stream that may start using a version after useGlossary resolved (a
   * custom vocabulary still being built); absent when what useGlossary resolved with stays true.
   */
  glossaryInEffect?(): number | undefined;
}

/** One version of a session's glossary (versions never change once written). */
export interface SessionGlossary {
  version: number;
  entries: readonly GlossaryEntry[];
}

/** Where a session's glossary is read (the sessions table as ingest writes it). */
export interface GlossarySource {
  /** The version that holds now; 0 when the session has none. Cheap: read often. */
  currentVersion(sessionId: string): Promise<number>;
  /** That version's entries; undefined if it is not there. */
  load(sessionId: string, version: number): Promise<SessionGlossary | undefined>;
}

export interface Recognizer {
  /** Engine name recorded in logs and metrics, e.g. `pocketsphinx` or `amazon-transcribe`. */
  readonly name: string;
  /** Opens a stream for a session in its source language (`en`, `es-ES`); may take a while (loading a model). */
  open(sessionId: string, language: string): Promise<RecognizerStream>;
}

export interface FinalizedLedger {
  /**
   * Records that the utterance of `sessionId` starting at audio frame `firstSeq` was finalized; false when it
   * already was (a redelivered batch), in which case nothing is published again.
   */
  claim(sessionId: string, firstSeq: number, segmentIndex: number): Promise<boolean>;
}

/** The sessions as ingest recorded them: what language each session's speaker speaks. */
export interface SessionDirectory {
  /** The session's source language; undefined if there is no such session. */
  sourceLanguage(sessionId: string): Promise<string | undefined>;
}

export interface Clock {
  now(): number;
}

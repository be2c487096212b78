// What the transcribe use cases need: a streaming recogniser per session and a place to publish transcripts.
import type { EventPublisher } from '@llt/platform';

export type { EventPublisher };

/** One live recognition stream (a warm decoder locally, a Transcribe Streaming session on AWS). */
export interface RecognizerStream {
  /** Feeds 16 kHz mono s16le samples; resolves with the current partial hypothesis. */
  write(samples: Int16Array): Promise<{ partial: string; inSpeech: boolean }>;
  /** Ends the utterance and resolves with its final text. */
  finish(): Promise<string>;
  release(): Promise<void>;
}

export interface Recognizer {
  open(sessionId: string, language: string): Promise<RecognizerStream>;
}

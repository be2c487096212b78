// What the synthesize use case needs: a speech engine, an object store for the audio, a place to publish, and
// somewhere to log and count.
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

export interface SpeechEngine {
  /** Speaks the text in the language's voice. */
  synthesize(text: string, language: string): Promise<SynthesizedSpeech>;
}

export interface AudioStore {
  put(key: string, audio: Uint8Array, contentType: string): Promise<void>;
  /** Whether an object is stored under the key. */
  exists(key: string): Promise<boolean>;
  /** A presigned GET URL that expires after `expiresInS` seconds. */
  presign(key: string, expiresInS: number): Promise<string>;
}

// What the synthesize use case needs: a speech engine, an encoder and an object store for the audio.
import type { EventPublisher } from '@llt/platform';

export type { EventPublisher };

export interface SpeechEngine {
  /** Returns encoded, web-playable audio for the text in the language's voice. */
  synthesize(text: string, language: string): Promise<{ audio: Uint8Array; contentType: string; durationMs: number }>;
}

export interface AudioStore {
  put(key: string, audio: Uint8Array, contentType: string): Promise<void>;
  /** A presigned GET URL that expires after `expiresInS` seconds. */
  presign(key: string, expiresInS: number): Promise<string>;
}

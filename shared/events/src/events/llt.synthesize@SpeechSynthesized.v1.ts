// Translated text turned into an audio object listeners can fetch.
import { z } from 'zod';
import { CaptureSpan, EpochMs, LanguageCode, SegmentId, SessionId } from './common.ts';
import { defineEvent } from './define.ts';

export const SpeechSynthesizedV1Schema = z.object({
  v: z.literal(1),
  sessionId: SessionId,
  segmentId: SegmentId,
  segmentIndex: z.number().int().nonnegative(),
  language: LanguageCode,
  audio: z.object({
    bucket: z.string().min(1),
    /** `sessions/{sessionId}/{language}/{segmentId}.{ext}` */
    key: z.string().min(1),
    contentType: z.string().min(1),
    bytes: z.number().int().nonnegative(),
    durationMs: z.number().nonnegative(),
  }),
  /** Presigned GET URL and its expiry; listeners fetch the audio from it. */
  url: z.url(),
  urlExpiresAt: EpochMs,
  /**
   * The utterance's speech may come in parts: clauses spoken while the sentence goes on, then the rest. Parts play
   * in order of `part` (0 when absent); `last` is false on a clause (more follows) and true (or absent) on the part
   * that ends the utterance.
   */
  part: z.number().int().nonnegative().optional(),
  last: z.boolean().optional(),
  engine: z.string().min(1),
  capture: CaptureSpan,
  occurredAt: EpochMs,
});
export type SpeechSynthesizedV1 = z.infer<typeof SpeechSynthesizedV1Schema>;
export const SpeechSynthesizedV1 = defineEvent('llt.synthesize', 'SpeechSynthesized', 1, SpeechSynthesizedV1Schema);

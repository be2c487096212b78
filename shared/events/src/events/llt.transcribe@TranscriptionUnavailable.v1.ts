// A session's speech is not being transcribed (every recogniser is busy, or the engine failed), so the
// speaker can be told instead of talking to nobody.
import { z } from 'zod';
import { EpochMs, SessionId } from './common.ts';
import { defineEvent } from './define.ts';

export const TranscriptionUnavailableV1Schema = z.object({
  v: z.literal(1),
  sessionId: SessionId,
  reason: z.enum(['capacity', 'engine-failure']),
  /** What the speaker is told. */
  message: z.string().min(1),
  /** When transcription is tried again for this session. */
  retryAfterMs: z.number().int().nonnegative(),
  occurredAt: EpochMs,
});
export type TranscriptionUnavailableV1 = z.infer<typeof TranscriptionUnavailableV1Schema>;
export const TranscriptionUnavailableV1 = defineEvent(
  'llt.transcribe',
  'TranscriptionUnavailable',
  1,
  TranscriptionUnavailableV1Schema,
);

// Provisional text of the utterance being spoken; superseded by later partials and by the final.
import { z } from 'zod';
import { CaptureSpan, EpochMs, LanguageCode, SegmentId, SessionId } from './common.ts';
import { defineEvent } from './define.ts';

export const TranscriptPartialV1Schema = z.object({
  v: z.literal(1),
  sessionId: SessionId,
  segmentId: SegmentId,
  segmentIndex: z.number().int().nonnegative(),
  /** Increases with each partial of the same segment, so stale partials can be dropped. */
  revision: z.number().int().nonnegative(),
  language: LanguageCode,
  text: z.string(),
  capture: CaptureSpan,
  occurredAt: EpochMs,
});
export type TranscriptPartialV1 = z.infer<typeof TranscriptPartialV1Schema>;
export const TranscriptPartialV1 = defineEvent('llt.transcribe', 'TranscriptPartial', 1, TranscriptPartialV1Schema);

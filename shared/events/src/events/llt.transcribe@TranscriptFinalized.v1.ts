// The final text of one utterance; starts the translation workflow.
import { z } from 'zod';
import { CaptureSpan, EpochMs, FrameSeq, LanguageCode, SegmentId, SessionId } from './common.ts';
import { defineEvent } from './define.ts';

export const FinalizeReason = z.enum(['silence', 'max-length', 'pause', 'end']);
export const TranscriptFinalizedV1Schema = z.object({
  v: z.literal(1),
  sessionId: SessionId,
  segmentId: SegmentId,
  segmentIndex: z.number().int().nonnegative(),
  language: LanguageCode,
  text: z.string().min(1),
  /** Capture time of the utterance's first and last voiced audio. */
  capture: CaptureSpan,
  /** Audio frames the utterance was decoded from (inclusive). */
  frames: z.object({ first: FrameSeq, last: FrameSeq }),
  reason: FinalizeReason,
  /**
   * The TranscriptStabilized increments published for this utterance, in order (absent when none were). Listeners
   * were shown their translations: a translator keeps those words as shown when `text` still begins with them,
   * and translates only what follows.
   */
  increments: z.array(z.string().min(1)).optional(),
  /**
   * How many clauses of the utterance were handed out for speech ahead of its end (TranscriptStabilized.clause),
   * and how many of `increments` they cover: the final speaks the rest. Absent when none were.
   */
  spoken: z
    .object({
      clauses: z.number().int().positive(),
      increments: z.number().int().positive(),
      /**
       * For each clause, how many of `increments` the clauses up to and including it cover (ascending, the last
       * equal to `increments`): where each clause part's words are, so the final can speak again a part whose
       * speech never reached listeners.
       */
      ends: z.array(z.number().int().positive()).optional(),
    })
    .optional(),
  /**
   * The session glossary version the recogniser had applied (GlossaryChanged.version); absent when the session had
   * none. Translation and speech apply that same version's target and spoken forms.
   */
  glossaryVersion: z.number().int().positive().optional(),
  occurredAt: EpochMs,
});
export type TranscriptFinalizedV1 = z.infer<typeof TranscriptFinalizedV1Schema>;
export const TranscriptFinalizedV1 = defineEvent(
  'llt.transcribe',
  'TranscriptFinalized',
  1,
  TranscriptFinalizedV1Schema,
);

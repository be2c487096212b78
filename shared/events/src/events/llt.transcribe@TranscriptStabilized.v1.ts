// Words of the utterance in progress that the recogniser is not expected to change any more, published each time
// the stable part has grown by an increment (a clause ended by a pause, or a few words every recent hypothesis
// agrees on). Increments are numbered from 0 within the utterance and never overlap: translating each one once
// gives the provisional translation of everything stable so far. The final transcript supersedes them all.
import { z } from 'zod';
import { CaptureSpan, EpochMs, LanguageCode, SegmentId, SessionId } from './common.ts';
import { defineEvent } from './define.ts';

export const TranscriptStabilizedV1Schema = z.object({
  v: z.literal(1),
  sessionId: SessionId,
  segmentId: SegmentId,
  segmentIndex: z.number().int().nonnegative(),
  /** 0 for the utterance's first increment, then 1, 2, …: a consumer orders and deduplicates them by it. */
  increment: z.number().int().nonnegative(),
  language: LanguageCode,
  /** The newly stable words (what is to be translated); never empty. */
  text: z.string().min(1),
  /** Every stable word of the utterance so far, this increment's last: context for engines that can use it. */
  stableText: z.string().min(1),
  /** Words in stableText: how much of the utterance's source text the increments up to this one cover. */
  stableWords: z.number().int().positive(),
  /**
   * Set when this increment ends a clause (at a pause, or once enough words gathered since the last one): the
   * clause's increments, this one last, so it can be spoken now rather than at the end of the sentence. Clauses
   * are numbered from 0 within the utterance; the final speaks what no clause did.
   */
  clause: z
    .object({
      index: z.number().int().nonnegative(),
      /** The texts of the clause's increments, in order. */
      increments: z.array(z.string().min(1)).min(1),
    })
    .optional(),
  /** From the utterance's first voiced audio to the last audio heard when the increment became stable. */
  capture: CaptureSpan,
  /**
   * The session glossary version the recogniser had applied (GlossaryChanged.version); absent when the session had
   * none. Translation and speech apply that same version's target and spoken forms.
   */
  glossaryVersion: z.number().int().positive().optional(),
  occurredAt: EpochMs,
});
export type TranscriptStabilizedV1 = z.infer<typeof TranscriptStabilizedV1Schema>;
export const TranscriptStabilizedV1 = defineEvent(
  'llt.transcribe',
  'TranscriptStabilized',
  1,
  TranscriptStabilizedV1Schema,
);

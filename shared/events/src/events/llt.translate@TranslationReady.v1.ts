// One finalized utterance translated into one target language.
import { z } from 'zod';
import { CaptureSpan, EpochMs, LanguageCode, SegmentId, SessionId } from './common.ts';
import { defineEvent } from './define.ts';

export const TranslationReadyV1Schema = z.object({
  v: z.literal(1),
  sessionId: SessionId,
  segmentId: SegmentId,
  segmentIndex: z.number().int().nonnegative(),
  sourceLanguage: LanguageCode,
  targetLanguage: LanguageCode,
  sourceText: z.string(),
  text: z.string(),
  /** Which engine produced it, e.g. `apertium:eng-spa` or `amazon-translate`. */
  engine: z.string().min(1),
  /**
   * What is left to speak when clauses of the utterance were spoken ahead of its end: the translation of what
   * followed them, as part `part` of the utterance's speech. Absent: the whole `text` is spoken, as part 0.
   */
  speech: z
    .object({
      text: z.string(),
      part: z.number().int().nonnegative(),
      /**
       * What each clause part said, in part order (`clauses[i]` is part i), when the final kept the words those
       * parts were made from: speech repeats a part whose audio was never made (its task failed, or the language
       * had no listener yet when the clause ended), so no listener misses the start of a sentence.
       */
      clauses: z.array(z.string()).optional(),
    })
    .optional(),
  capture: CaptureSpan,
  /**
   * The session glossary version applied (the transcript's `glossaryVersion`); absent without one. Speech says
   * that version's terms as their spoken forms.
   */
  glossaryVersion: z.number().int().positive().optional(),
  occurredAt: EpochMs,
});
export type TranslationReadyV1 = z.infer<typeof TranslationReadyV1Schema>;
export const TranslationReadyV1 = defineEvent('llt.translate', 'TranslationReady', 1, TranslationReadyV1Schema);

// One stable increment of an utterance in progress translated into one target language: the provisional
// translation of the utterance is its increments' translations in order, until the final TranslationReady
// replaces it.
import { z } from 'zod';
import { CaptureSpan, EpochMs, LanguageCode, SegmentId, SessionId } from './common.ts';
import { defineEvent } from './define.ts';

export const TranslationPartialV1Schema = z.object({
  v: z.literal(1),
  sessionId: SessionId,
  segmentId: SegmentId,
  segmentIndex: z.number().int().nonnegative(),
  /** The TranscriptStabilized increment this translates (0, 1, … within the utterance). */
  increment: z.number().int().nonnegative(),
  sourceLanguage: LanguageCode,
  targetLanguage: LanguageCode,
  /** The increment's source words. */
  sourceText: z.string().min(1),
  /** Source words covered by the increments up to and including this one. */
  sourceWords: z.number().int().positive(),
  /** The increment's translation (may be empty when the engine gives nothing for a lone word). */
  text: z.string(),
  /** When the increment ended a clause: the clause's translation, to be spoken as part `index` of the utterance. */
  clause: z.object({ index: z.number().int().nonnegative(), text: z.string() }).optional(),
  engine: z.string().min(1),
  capture: CaptureSpan,
  /**
   * The session glossary version applied (the transcript's `glossaryVersion`); absent without one. Speech says
   * that version's terms as their spoken forms.
   */
  glossaryVersion: z.number().int().positive().optional(),
  occurredAt: EpochMs,
});
export type TranslationPartialV1 = z.infer<typeof TranslationPartialV1Schema>;

/**
 * How translated pieces of one utterance read as one text: in order, trimmed, the empty ones left out, joined by
 * single spaces. Notify composes a provisional translation this way and translate a final that keeps the shown
 * pieces, so the words listeners saw come back unchanged.
 */
export function joinTranslatedPieces(pieces: readonly string[]): string {
  return pieces
    .map((p) => p.trim())
    .filter(Boolean)
    .join(' ');
}
export const TranslationPartialV1 = defineEvent('llt.translate', 'TranslationPartial', 1, TranslationPartialV1Schema);

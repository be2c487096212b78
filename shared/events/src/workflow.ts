// Payloads of the translation workflow's tasks: what the state machine hands each task function and what it
// expects back. The ASL in workflows/ builds these inputs; the task handlers parse them.
import { z } from 'zod';
import { LanguageCode } from './events/common.ts';
import { SpeechSynthesizedV1Schema } from './events/llt.synthesize@SpeechSynthesized.v1.ts';
import { TranscriptFinalizedV1Schema } from './events/llt.transcribe@TranscriptFinalized.v1.ts';
import { TranscriptStabilizedV1Schema } from './events/llt.transcribe@TranscriptStabilized.v1.ts';
import { TranslationPartialV1Schema } from './events/llt.translate@TranslationPartial.v1.ts';
import { TranslationReadyV1Schema } from './events/llt.translate@TranslationReady.v1.ts';

/** ResolveLanguages: which of the session's languages have listeners right now. */
export const ResolveLanguagesInput = z.object({
  transcript: TranscriptFinalizedV1Schema,
  /** The execution that fans this segment out; a second execution for the same segment fans out nothing. */
  executionId: z.string().min(1),
});
export type ResolveLanguagesInput = z.infer<typeof ResolveLanguagesInput>;

export const ResolveLanguagesOutput = z.object({
  languages: z.array(LanguageCode),
  /** Those of `languages` the deployment has a voice for; the others are captions only. */
  spoken: z.array(LanguageCode),
  /** True when another execution already fanned this segment out (an at-least-once redelivery). */
  duplicate: z.boolean(),
});
export type ResolveLanguagesOutput = z.infer<typeof ResolveLanguagesOutput>;

/** Translate: one finalized utterance into one target language. Returns a TranslationReady detail. */
export const TranslateTaskInput = z.object({
  transcript: TranscriptFinalizedV1Schema,
  targetLanguage: LanguageCode,
});
export type TranslateTaskInput = z.infer<typeof TranslateTaskInput>;

/**
 * Synthesize and NotifyCaption take the TranslationReady detail. Synthesize returns the SpeechSynthesized details
 * of the parts it made, in part order (none when clauses spoken ahead said everything), and NotifyAudio takes them;
 * in the provisional branch NotifyClauseAudio takes SynthesizeClause's one detail.
 */
export const SynthesizeTaskInput = TranslationReadyV1Schema;
export const NotifyCaptionTaskInput = TranslationReadyV1Schema;
export const NotifyAudioTaskInput = z.union([SpeechSynthesizedV1Schema, z.array(SpeechSynthesizedV1Schema)]);

/** What a notify task reports: listeners reached, connections found gone, sends that failed. */
export const DeliveryResult = z.object({
  sent: z.number().int().nonnegative(),
  gone: z.number().int().nonnegative(),
  failed: z.number().int().nonnegative(),
});
export type DeliveryResult = z.infer<typeof DeliveryResult>;

// The provisional branch of the same workflow, started by a TranscriptStabilized event: the increment goes to every
// language with listeners now, is translated and delivered; nothing is synthesized and nothing is retried for long
// (the final translation follows within seconds anyway). The same task functions take these payloads.

/**
 * Whether a task payload is of the provisional branch: every payload there carries the increment (the increment
 * itself, or a TranslationPartial's `increment` number); the final branch's never do.
 */
export function isProvisionalPayload(payload: unknown): boolean {
  return typeof payload === 'object' && payload !== null && 'increment' in payload;
}

/** ResolveLanguages for an increment: the languages with a listener connected now (no claim, no recent ones). */
export const ProvisionalLanguagesInput = z.object({ increment: TranscriptStabilizedV1Schema });
export type ProvisionalLanguagesInput = z.infer<typeof ProvisionalLanguagesInput>;
export const ProvisionalLanguagesOutput = z.object({
  languages: z.array(LanguageCode),
  /** Those of `languages` with a voice: a clause ending there is spoken ahead of the sentence's end. */
  spoken: z.array(LanguageCode),
});
export type ProvisionalLanguagesOutput = z.infer<typeof ProvisionalLanguagesOutput>;

/** Translate for an increment: returns a TranslationPartial detail. */
export const TranslateIncrementTaskInput = z.object({
  increment: TranscriptStabilizedV1Schema,
  targetLanguage: LanguageCode,
});
export type TranslateIncrementTaskInput = z.infer<typeof TranslateIncrementTaskInput>;

/** NotifyCaption for an increment: the TranslationPartial detail. */
export const NotifyPartialTranslationTaskInput = TranslationPartialV1Schema;

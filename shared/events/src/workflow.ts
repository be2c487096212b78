// Payloads of the translation workflow's tasks: what the state machine hands each task function and what it
// expects back. The ASL in workflows/ builds these inputs; the task handlers parse them.
import { z } from 'zod';
import { LanguageCode } from './events/common.ts';
import { SpeechSynthesizedV1Schema } from './events/llt.synthesize@SpeechSynthesized.v1.ts';
import { TranscriptFinalizedV1Schema } from './events/llt.transcribe@TranscriptFinalized.v1.ts';
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

/** Synthesize and NotifyCaption take the TranslationReady detail; NotifyAudio the SpeechSynthesized detail. */
export const SynthesizeTaskInput = TranslationReadyV1Schema;
export const NotifyCaptionTaskInput = TranslationReadyV1Schema;
export const NotifyAudioTaskInput = SpeechSynthesizedV1Schema;

/** What a notify task reports: listeners reached, connections found gone, sends that failed. */
export const DeliveryResult = z.object({
  sent: z.number().int().nonnegative(),
  gone: z.number().int().nonnegative(),
  failed: z.number().int().nonnegative(),
});
export type DeliveryResult = z.infer<typeof DeliveryResult>;

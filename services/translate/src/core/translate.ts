// Use case: translate one finalized utterance into one target language.
//   input: the TranscriptFinalized detail and a target language (one branch of the workflow's Map)
//   output: the TranslationReady detail, published and returned to the workflow
//   primary course: check the language, translate with the engine, publish TranslationReady, return it.
//   alternate course: the engine fails or times out → logged and counted (TranslationFailures), rethrown for
//   the workflow to retry or give this language up.
import { findTargetLanguage, type TranslateTaskInput, TranslationReadyV1 } from '@llt/events';
import { UnsupportedLanguagePairError } from '#errors';
import type { EventPublisher, ServiceLog, ServiceMetrics, TranslationEngine } from './ports.ts';

export interface TranslateDeps {
  engine: TranslationEngine;
  events: EventPublisher;
  log: ServiceLog;
  metrics: ServiceMetrics;
  clock: { now(): number };
}

export async function translateSegment(deps: TranslateDeps, input: TranslateTaskInput): Promise<TranslationReadyV1> {
  const { transcript, targetLanguage } = input;
  if (!findTargetLanguage(targetLanguage)) {
    // Not retryable: the workflow's Catch ends this language's branch and the others go on.
    throw new UnsupportedLanguagePairError(`"${targetLanguage}" is not a target language of this product`);
  }
  const started = deps.clock.now();
  let text: string;
  try {
    text = await deps.engine.translate(transcript.text, transcript.language, targetLanguage);
  } catch (error) {
    // The workflow retries or gives this language up; operators see each failure here, per language.
    deps.metrics.count('TranslationFailures');
    deps.log.error('translation failed', {
      sessionId: transcript.sessionId,
      segmentId: transcript.segmentId,
      language: targetLanguage,
      engine: deps.engine.name(targetLanguage),
      error: (error as Error).message,
      errorName: (error as Error).name,
    });
    throw error;
  }
  const translatedAt = deps.clock.now();
  const detail: TranslationReadyV1 = {
    v: 1,
    sessionId: transcript.sessionId,
    segmentId: transcript.segmentId,
    segmentIndex: transcript.segmentIndex,
    sourceLanguage: transcript.language,
    targetLanguage,
    sourceText: transcript.text,
    text,
    engine: deps.engine.name(targetLanguage),
    capture: transcript.capture,
    occurredAt: translatedAt,
  };
  await deps.events.publish(TranslationReadyV1, detail);
  deps.metrics.latency('TranslateEngineMs', translatedAt - started);
  deps.metrics.latency('TranslationReadyMs', translatedAt - transcript.capture.end);
  return detail;
}

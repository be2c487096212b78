// Use case: speak one translated utterance and make it fetchable.
//   input: the TranslationReady detail (one segment in one language)
//   output: the SpeechSynthesized detail with a presigned URL, published and returned to the workflow
//   primary course: synthesize, store under sessions/{id}/{lang}/{segment}, presign, publish, return.
import {
  SpeechSynthesizedV1 as SpeechSynthesized,
  type SpeechSynthesizedV1,
  type TranslationReadyV1,
} from '@llt/events';
import { AUDIO_OBJECTS } from '@llt/platform';
import type { AudioStore, EventPublisher, ServiceLog, ServiceMetrics, SpeechEngine } from './ports.ts';

export interface SynthesizeDeps {
  engine: SpeechEngine;
  store: AudioStore;
  events: EventPublisher;
  log: ServiceLog;
  metrics: ServiceMetrics;
  clock: { now(): number };
  settings: {
    bucket: string;
    /** Lifetime of the presigned URL listeners fetch the audio from. */
    urlTtlSeconds: number;
  };
}

const EXTENSIONS: Readonly<Record<string, string>> = {
  'audio/mpeg': 'mp3',
  'audio/ogg': 'ogg',
  'audio/webm': 'webm',
};

export async function synthesizeSegment(
  deps: SynthesizeDeps,
  translation: TranslationReadyV1,
): Promise<SpeechSynthesizedV1> {
  const started = deps.clock.now();
  const speech = await deps.engine.synthesize(translation.text, translation.targetLanguage);
  const synthesized = deps.clock.now();
  const key = AUDIO_OBJECTS.key(
    translation.sessionId,
    translation.targetLanguage,
    translation.segmentId,
    EXTENSIONS[speech.contentType] ?? 'bin',
  );
  await deps.store.put(key, speech.audio, speech.contentType);
  const url = await deps.store.presign(key, deps.settings.urlTtlSeconds);
  const stored = deps.clock.now();
  const detail: SpeechSynthesizedV1 = {
    v: 1,
    sessionId: translation.sessionId,
    segmentId: translation.segmentId,
    segmentIndex: translation.segmentIndex,
    language: translation.targetLanguage,
    audio: {
      bucket: deps.settings.bucket,
      key,
      contentType: speech.contentType,
      bytes: speech.audio.byteLength,
      durationMs: speech.durationMs,
    },
    url,
    urlExpiresAt: stored + deps.settings.urlTtlSeconds * 1000,
    engine: speech.engine,
    capture: translation.capture,
    occurredAt: stored,
  };
  await deps.events.publish(SpeechSynthesized, detail);
  deps.metrics.latency('SynthesisEngineMs', synthesized - started);
  deps.metrics.latency('AudioStoreMs', stored - synthesized);
  deps.metrics.latency('SpeechSynthesizedMs', stored - translation.capture.end);
  return detail;
}

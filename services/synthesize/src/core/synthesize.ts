// Use case: speak one translated utterance, or one part of it, and make it fetchable.
//   input: the TranslationReady detail (a finalized utterance in one language: its whole text, or what is left
//          after the clauses already spoken) or a TranslationPartial detail whose increment ended a clause
//   output: the SpeechSynthesized detail with a presigned URL, published and returned to the workflow
//   primary course: synthesize, store under sessions/{id}/{lang}/{segment}[-p{part}], presign, publish, return.
import {
  SpeechSynthesizedV1 as SpeechSynthesized,
  type SpeechSynthesizedV1,
  type TranslationPartialV1,
  type TranslationReadyV1,
} from '@llt/events';
import { AUDIO_OBJECTS } from '@llt/platform';
import { InvalidTextError } from '#errors';
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

/** A TranslationPartial whose increment ended a clause: the clause is spoken while the sentence goes on. */
export type ClauseTranslation = TranslationPartialV1 & { clause: NonNullable<TranslationPartialV1['clause']> };

/** What one synthesis speaks, and where it sits in the utterance's speech. */
interface Utterance {
  source: TranslationReadyV1 | ClauseTranslation;
  text: string;
  part: number;
  last: boolean;
  /** The utterance is spoken in parts: each part gets its own object and says which part it is. */
  parted: boolean;
}

const EXTENSIONS: Readonly<Record<string, string>> = {
  'audio/mpeg': 'mp3',
  'audio/ogg': 'ogg',
  'audio/webm': 'webm',
};

/**
 * Speaks a finalized utterance: its whole text as part 0, or, when clauses were spoken ahead of its end, what is
 * left after them (`speech.text`) as part `speech.part`. Either way it is the utterance's last part.
 */
export function synthesizeSegment(deps: SynthesizeDeps, translation: TranslationReadyV1): Promise<SpeechSynthesizedV1> {
  return speak(deps, {
    source: translation,
    text: translation.speech?.text ?? translation.text,
    part: translation.speech?.part ?? 0,
    last: true,
    parted: translation.speech !== undefined,
  });
}

/**
 * Speaks a clause of an utterance still in progress, as part `clause.index`; more parts follow. A clause with
 * nothing to say fails with InvalidTextError (not retried: the workflow's Catch ends that branch) and publishes
 * nothing.
 */
export async function synthesizeClause(deps: SynthesizeDeps, partial: ClauseTranslation): Promise<SpeechSynthesizedV1> {
  const detail = await speak(deps, {
    source: partial,
    text: partial.clause.text,
    part: partial.clause.index,
    last: false,
    parted: true,
  });
  deps.metrics.count('ClausesSynthesized');
  return detail;
}

async function speak(deps: SynthesizeDeps, utterance: Utterance): Promise<SpeechSynthesizedV1> {
  const { source, part, last, parted } = utterance;
  // Never an empty clip: a listener's player would wait on a part that says nothing.
  const text = utterance.text.trim();
  if (text === '') {
    throw new InvalidTextError(`nothing to speak for part ${part} of ${source.segmentId} in ${source.targetLanguage}`);
  }
  const started = deps.clock.now();
  const speech = await deps.engine.synthesize(text, source.targetLanguage);
  const synthesized = deps.clock.now();
  // One object per part, named by the part alone: parts never overwrite each other, and a retried synthesis of a
  // part overwrites only itself. An utterance spoken whole keeps the plain segment key.
  const key = AUDIO_OBJECTS.key(
    source.sessionId,
    source.targetLanguage,
    parted ? `${source.segmentId}-p${part}` : source.segmentId,
    EXTENSIONS[speech.contentType] ?? 'bin',
  );
  await deps.store.put(key, speech.audio, speech.contentType);
  const url = await deps.store.presign(key, deps.settings.urlTtlSeconds);
  const stored = deps.clock.now();
  const detail: SpeechSynthesizedV1 = {
    v: 1,
    sessionId: source.sessionId,
    segmentId: source.segmentId,
    segmentIndex: source.segmentIndex,
    language: source.targetLanguage,
    audio: {
      bucket: deps.settings.bucket,
      key,
      contentType: speech.contentType,
      bytes: speech.audio.byteLength,
      durationMs: speech.durationMs,
    },
    url,
    urlExpiresAt: stored + deps.settings.urlTtlSeconds * 1000,
    ...(parted ? { part, last } : {}),
    engine: speech.engine,
    capture: source.capture,
    occurredAt: stored,
  };
  await deps.events.publish(SpeechSynthesized, detail);
  deps.metrics.latency('SynthesisEngineMs', synthesized - started);
  deps.metrics.latency('AudioStoreMs', stored - synthesized);
  // From the end of the utterance's speech: a clause's capture ends mid-sentence, which would blur the figure.
  if (last) deps.metrics.latency('SpeechSynthesizedMs', stored - source.capture.end);
  return detail;
}

// Use case: speak one translated utterance, or one part of it, and make it fetchable.
//   input: the TranslationReady detail (a finalized utterance in one language: its whole text, or what is left
//          after the clauses already spoken) or a TranslationPartial detail whose increment ended a clause
//   output: the SpeechSynthesized detail with a presigned URL, published and returned to the workflow (a final
//           returns every part it made, in part order: the rest, and any clause part whose audio was never made)
//   primary course: synthesize, store under sessions/{id}/{lang}/{segment}[-p{part}], presign, publish, return.
//   variation: the translation names a session glossary version → each glossary term kept as written in the target
//   language is said as its spoken form; a version that cannot be read is logged and counted, and the text is
//   spoken as written.
import {
  SpeechSynthesizedV1 as SpeechSynthesized,
  type SpeechSynthesizedV1,
  type TranslationPartialV1,
  type TranslationReadyV1,
} from '@llt/events';
import { AUDIO_OBJECTS } from '@llt/platform';
import { InvalidTextError } from '#errors';
import type {
  AudioStore,
  EventPublisher,
  GlossaryStore,
  Pronunciation,
  ServiceLog,
  ServiceMetrics,
  SpeechEngine,
} from './ports.ts';
import { pronunciationsFor } from './pronunciation.ts';

export interface SynthesizeDeps {
  engine: SpeechEngine;
  store: AudioStore;
  /** The session glossaries; without it, glossary versions named by translations are not applied. */
  glossary?: GlossaryStore;
  events: EventPublisher;
  log: ServiceLog;
  metrics: ServiceMetrics;
  clock: { now(): number };
  settings: {
    bucket: string;
    /** Lifetime of the presigned URL listeners fetch the audio from. */
    urlTtlSeconds: number;
    /**
     * How long a final waits for a clause part it does not find before making it (default 1.5 s): the clause that
     * ends a sentence is often still being spoken when the final arrives.
     */
    clausePartWaitMs?: number;
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

/**
 * What every engine here makes (MP3 plays in every browser the listener app supports): a clause part made earlier
 * is looked up under its key with this type's extension.
 */
const SPEECH_TYPE = 'audio/mpeg';

const EXTENSIONS: Readonly<Record<string, string>> = {
  'audio/mpeg': 'mp3',
  'audio/ogg': 'ogg',
  'audio/webm': 'webm',
};

/**
 * Speaks a finalized utterance: its whole text as part 0, or, when clauses were spoken ahead of its end, what is
 * left after them (`speech.text`) as part `speech.part`, the utterance's last part.
 *
 * A clause part is spoken ahead on a best-effort branch: its task may have failed or timed out, or the language may
 * have had no listener yet when the clause ended. So the final also makes every clause part (`speech.clauses`)
 * whose audio is not in the store, with the same text, key and part number the clause would have had: a listener
 * who also gets the clause's own message plays that part once (a part is known by segment and number). Returns
 * what it made, in part order; nothing when the clauses said everything and all of them are there.
 */
export async function synthesizeSegment(
  deps: SynthesizeDeps,
  translation: TranslationReadyV1,
): Promise<SpeechSynthesizedV1[]> {
  const { speech } = translation;
  if (!speech) {
    return [await speak(deps, { source: translation, text: translation.text, part: 0, last: true, parted: false })];
  }
  const rest = speech.text.trim();
  const clauses = speech.clauses ?? [];
  // The rest is made while the clause parts are looked for.
  const restMade =
    rest === ''
      ? undefined
      : speak(deps, { source: translation, text: rest, part: speech.part, last: true, parted: true });
  // Settled here so a failure of the rest cannot go unhandled while the parts are looked for.
  restMade?.catch(() => undefined);
  const missing = await missingClauseParts(deps, translation, clauses);
  const remade = missing.map((part) => ({
    source: translation,
    text: clauses[part] as string,
    part,
    last: rest === '' && part === clauses.length - 1,
    parted: true,
  }));
  if (remade.length > 0) {
    deps.metrics.count('ClausePartsRemade', remade.length);
    deps.log.warn('clause speech missing: made with the final', {
      sessionId: translation.sessionId,
      segmentId: translation.segmentId,
      language: translation.targetLanguage,
      parts: missing,
    });
  }
  const made = await Promise.all([
    ...remade.map((utterance) => speak(deps, utterance)),
    ...(restMade ? [restMade] : []),
  ]);
  return made;
}

/** Between two looks for clause parts still being made. */
const PART_POLL_MS = 150;

/**
 * The clause parts (by number) whose audio is not in the store, after waiting up to `clausePartWaitMs` for those
 * still missing to appear. A part with nothing to say is never missing.
 */
async function missingClauseParts(
  deps: SynthesizeDeps,
  translation: TranslationReadyV1,
  clauses: readonly string[],
): Promise<number[]> {
  const keys = new Map<number, string>();
  clauses.forEach((text, part) => {
    if (text.trim() !== '') keys.set(part, partKey(translation, part, EXTENSIONS[SPEECH_TYPE] as string));
  });
  const waitMs = deps.settings.clausePartWaitMs ?? 1500;
  for (let waited = 0; ; waited += PART_POLL_MS) {
    const found = await Promise.all(
      [...keys].map(async ([part, key]) => [part, await deps.store.exists(key)] as const),
    );
    for (const [part, exists] of found) if (exists) keys.delete(part);
    if (keys.size === 0 || waited >= waitMs) return [...keys.keys()];
    await new Promise((resolve) => setTimeout(resolve, PART_POLL_MS));
  }
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

/** Where part `part` of an utterance's speech is stored. */
function partKey(source: Utterance['source'], part: number, extension: string): string {
  return AUDIO_OBJECTS.key(source.sessionId, source.targetLanguage, `${source.segmentId}-p${part}`, extension);
}

async function speak(deps: SynthesizeDeps, utterance: Utterance): Promise<SpeechSynthesizedV1> {
  const { source, part, last, parted } = utterance;
  // Never an empty clip: a listener's player would wait on a part that says nothing.
  const text = utterance.text.trim();
  if (text === '') {
    throw new InvalidTextError(`nothing to speak for part ${part} of ${source.segmentId} in ${source.targetLanguage}`);
  }
  const pronunciations = await glossaryPronunciations(deps, source, text);
  const started = deps.clock.now();
  const speech =
    pronunciations.length > 0
      ? await deps.engine.synthesize(text, source.targetLanguage, pronunciations)
      : await deps.engine.synthesize(text, source.targetLanguage);
  if (pronunciations.length > 0) deps.metrics.count('GlossaryTermsSpoken', pronunciations.length);
  const synthesized = deps.clock.now();
  // One object per part, named by the part alone: parts never overwrite each other, and a retried synthesis of a
  // part overwrites only itself. An utterance spoken whole keeps the plain segment key.
  const extension = EXTENSIONS[speech.contentType] ?? 'bin';
  const key = parted
    ? partKey(source, part, extension)
    : AUDIO_OBJECTS.key(source.sessionId, source.targetLanguage, source.segmentId, extension);
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

/**
 * The glossary terms of `text` to say as their spoken form, from the glossary version the translation names (none
 * without one). A version that cannot be read is logged and counted: the text is spoken as written rather than not
 * at all.
 */
async function glossaryPronunciations(
  deps: SynthesizeDeps,
  source: Utterance['source'],
  text: string,
): Promise<Pronunciation[]> {
  const version = source.glossaryVersion;
  if (version === undefined || !deps.glossary) return [];
  const context = {
    sessionId: source.sessionId,
    segmentId: source.segmentId,
    language: source.targetLanguage,
    glossaryVersion: version,
  };
  try {
    const entries = await deps.glossary.get(source.sessionId, version);
    if (entries) return pronunciationsFor(text, entries, source.targetLanguage, source.sourceLanguage);
    deps.metrics.count('GlossaryVersionsMissing');
    deps.log.warn('session glossary version not found: speaking the text as written', context);
  } catch (error) {
    deps.metrics.count('GlossaryReadFailures');
    deps.log.warn('session glossary could not be read: speaking the text as written', {
      ...context,
      error: (error as Error).message,
      errorName: (error as Error).name,
    });
  }
  return [];
}

// Use cases: translate one finalized utterance, or one stable increment of an utterance in progress, into one
// target language.
//   input: the TranscriptFinalized detail and a target language (one branch of the workflow's Map)
//   output: the TranslationReady detail, published and returned to the workflow
//   primary course: translate with the engine, publish TranslationReady, return it.
//   variation: a stable increment (TranscriptStabilized) → its words alone are translated and remembered in the
//   translation memo, published and returned as TranslationPartial; an increment ending a clause brings the
//   clause's earlier pieces back from the memo.
//   variation: the utterance had increments and its final text still begins with them → the final translation
//   is the increments as they were translated (read from the memo: the words listeners were shown stay, and are
//   not billed again) followed by the rest; when the recogniser revised words listeners were shown, the whole
//   text is translated again.
//   variation: a piece the memo does not have (a language that got a listener mid-sentence, an increment whose
//   task failed, a memo that cannot be reached) is translated by the engine.
//   variation: the transcript names a session glossary version → the engine keeps each glossary term and gives it
//   as its target form in the language; the version is copied onto the translation, for speech to read the same.
//   A version that cannot be read (missing, or the store fails) is logged and counted, and the sentence is
//   translated without it: captions do not wait on a glossary.
//   alternate course: the engine fails or times out → logged and counted (TranslationFailures), rethrown for
//   the workflow to retry or give this language up; a pair the engine does not translate is its
//   UnsupportedLanguagePairError, which the workflow does not retry.
import {
  joinTranslatedPieces,
  type TranslateIncrementTaskInput,
  type TranslateTaskInput,
  TranslationPartialV1,
  TranslationReadyV1,
} from '@llt/events';
import type {
  EventPublisher,
  GlossaryStore,
  MemoUtterance,
  ServiceLog,
  ServiceMetrics,
  TermOptions,
  TranslationEngine,
  TranslationMemo,
} from './ports.ts';

export interface TranslateDeps {
  engine: TranslationEngine;
  memo: TranslationMemo;
  /** The session glossaries; without it, glossary versions named by transcripts are not applied. */
  glossary?: GlossaryStore;
  events: EventPublisher;
  log: ServiceLog;
  metrics: ServiceMetrics;
  clock: { now(): number };
}

export async function translateSegment(deps: TranslateDeps, input: TranslateTaskInput): Promise<TranslationReadyV1> {
  const { transcript, targetLanguage } = input;
  const started = deps.clock.now();
  // Per hop: from the recogniser publishing the final transcript to this task starting (the bus, the workflow's
  // start and its languages step).
  deps.metrics.latency('TranscriptToTranslateMs', started - transcript.occurredAt);
  let text: string;
  let speech: TranslationReadyV1['speech'];
  try {
    const scoped = await withSessionGlossary(deps, transcript, targetLanguage);
    ({ text, speech } = await finalTranslation(scoped, transcript, targetLanguage));
  } catch (error) {
    // The workflow retries or gives this language up; operators see each failure here, per language.
    deps.metrics.count('TranslationFailures');
    deps.log.error('translation failed', {
      sessionId: transcript.sessionId,
      segmentId: transcript.segmentId,
      language: targetLanguage,
      engine: engineName(deps.engine, targetLanguage),
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
    ...(speech ? { speech } : {}),
    ...(transcript.glossaryVersion !== undefined ? { glossaryVersion: transcript.glossaryVersion } : {}),
    engine: deps.engine.name(targetLanguage),
    capture: transcript.capture,
    occurredAt: translatedAt,
  };
  await deps.events.publish(TranslationReadyV1, detail);
  deps.metrics.latency('TranslateEngineMs', translatedAt - started);
  deps.metrics.latency('TranslationReadyMs', translatedAt - transcript.capture.end);
  return detail;
}

const words = (text: string) => text.split(/\s+/).filter(Boolean);

/**
 * The final translation of an utterance, keeping what listeners were shown of it where the source allows, and
 * what is left to speak when clauses of it were spoken ahead (`speech`; undefined when none were).
 */
async function finalTranslation(
  deps: TranslateDeps,
  transcript: TranslateTaskInput['transcript'],
  target: string,
): Promise<{ text: string; speech?: TranslationReadyV1['speech'] }> {
  const { engine } = deps;
  const increments = transcript.increments ?? [];
  const spoken = transcript.spoken;
  const shown = increments.flatMap(words);
  const final = words(transcript.text);
  const kept =
    increments.length > 0 &&
    shown.length <= final.length &&
    shown.every((w, i) => w.toLowerCase() === final[i]!.toLowerCase());
  if (!kept) {
    if (increments.length) deps.metrics.count('FinalsRevisingShownWords');
    const text = await engine.translate(transcript.text, transcript.language, target);
    // The recogniser revised what was shown (and perhaps spoken): the corrected sentence is spoken whole.
    return { text, ...(spoken ? { speech: { text, part: spoken.clauses } } : {}) };
  }
  deps.metrics.count('FinalsKeepingShownWords');
  const rest = final.slice(shown.length).join(' ');
  // Each increment as it was translated and shown (from the memo), the rest after them.
  const utterance = { sessionId: transcript.sessionId, segmentIndex: transcript.segmentIndex, language: target };
  const [shownPieces, restPiece] = await Promise.all([
    memoizedPieces(deps, utterance, 0, increments, transcript.language),
    rest ? translatePiece(engine, rest, transcript.language, target) : undefined,
  ]);
  const pieces = [...shownPieces, ...(restPiece === undefined ? [] : [restPiece])];
  if (!spoken) return { text: joinTranslatedPieces(pieces) };
  // Each clause part as it was (or should have been) spoken: its increments' pieces, from the previous clause's end.
  const clauses = spoken.ends?.map((end, i) => joinTranslatedPieces(pieces.slice(spoken.ends?.[i - 1] ?? 0, end)));
  return {
    text: joinTranslatedPieces(pieces),
    speech: {
      text: joinTranslatedPieces(pieces.slice(spoken.increments)),
      part: spoken.clauses,
      ...(clauses ? { clauses } : {}),
    },
  };
}

/**
 * A piece of a sentence, translated so that pieces joined read as one sentence: a piece that does not start the
 * sentence (its source starts in lower case) keeps a lower-case start, which some Apertium pairs would capitalise
 * as if it began one (eng-spa: "tomorrow we" → "Mañana nosotros").
 */
async function translatePiece(engine: TranslateDeps['engine'], text: string, source: string, target: string) {
  const translated = (await engine.translate(text, source, target)).trim();
  const [s, t, next] = [text.trimStart()[0], translated[0], translated[1]];
  const lowerStart = s !== undefined && s !== s.toUpperCase() && s === s.toLowerCase();
  const capitalised = t !== undefined && t !== t.toLowerCase() && next !== undefined && next === next.toLowerCase();
  return lowerStart && capitalised ? t.toLowerCase() + translated.slice(1) : translated;
}

/**
 * Pieces `first`, `first + 1`, … of an utterance (their source texts in order), each as the memo remembers it or,
 * when it does not, translated and remembered. The memo only saves characters: when it cannot be read or written,
 * the pieces are translated all the same.
 */
async function memoizedPieces(
  deps: TranslateDeps,
  utterance: MemoUtterance,
  first: number,
  texts: readonly string[],
  source: string,
): Promise<string[]> {
  if (texts.length === 0) return [];
  const numbers = texts.map((_, i) => first + i);
  let known = new Map<number, string>();
  try {
    known = await deps.memo.get(utterance, numbers);
  } catch (error) {
    memoFailed(deps, 'read', utterance, error);
  }
  const missed: { increment: number; text: string }[] = [];
  const pieces = await Promise.all(
    texts.map(async (text, i) => {
      const remembered = known.get(first + i);
      if (remembered !== undefined) return remembered;
      const translated = await translatePiece(deps.engine, text, source, utterance.language);
      missed.push({ increment: first + i, text: translated });
      return translated;
    }),
  );
  deps.metrics.count('TranslationMemoHits', texts.length - missed.length);
  deps.metrics.count('TranslationMemoMisses', missed.length);
  await remember(deps, utterance, missed);
  return pieces;
}

/** Puts translated pieces in the memo; a failure is logged and counted (a later read misses them). */
async function remember(deps: TranslateDeps, utterance: MemoUtterance, entries: { increment: number; text: string }[]) {
  if (entries.length === 0) return;
  try {
    await deps.memo.put(utterance, entries);
  } catch (error) {
    memoFailed(deps, 'write', utterance, error);
  }
}

function memoFailed(deps: TranslateDeps, operation: 'read' | 'write', utterance: MemoUtterance, error: unknown) {
  deps.metrics.count('TranslationMemoFailures');
  deps.log.warn(`translation memo ${operation} failed: translating without it`, {
    ...utterance,
    error: (error as Error).message,
    errorName: (error as Error).name,
  });
}

/** One stable increment of an utterance in progress, into one language: the words new since the last increment. */
export async function translateIncrement(
  deps: TranslateDeps,
  input: TranslateIncrementTaskInput,
): Promise<TranslationPartialV1> {
  const { increment, targetLanguage } = input;
  const started = deps.clock.now();
  let text: string;
  let clause: TranslationPartialV1['clause'];
  const utterance = { sessionId: increment.sessionId, segmentIndex: increment.segmentIndex, language: targetLanguage };
  try {
    const scoped = await withSessionGlossary(deps, increment, targetLanguage);
    // The clause's earlier increments as they were translated and shown (the last of its increments is this one).
    const earlierTexts = increment.clause?.increments.slice(0, -1) ?? [];
    const [translated, earlier] = await Promise.all([
      translatePiece(scoped.engine, increment.text, increment.language, targetLanguage),
      memoizedPieces(scoped, utterance, increment.increment - earlierTexts.length, earlierTexts, increment.language),
    ]);
    text = translated;
    await remember(deps, utterance, [{ increment: increment.increment, text }]);
    if (increment.clause) {
      clause = { index: increment.clause.index, text: joinTranslatedPieces([...earlier, text]) };
    }
  } catch (error) {
    deps.metrics.count('PartialTranslationFailures');
    deps.log.warn('provisional translation failed', {
      sessionId: increment.sessionId,
      segmentId: increment.segmentId,
      increment: increment.increment,
      language: targetLanguage,
      error: (error as Error).message,
      errorName: (error as Error).name,
    });
    throw error;
  }
  const translatedAt = deps.clock.now();
  const detail: TranslationPartialV1 = {
    v: 1,
    sessionId: increment.sessionId,
    segmentId: increment.segmentId,
    segmentIndex: increment.segmentIndex,
    increment: increment.increment,
    sourceLanguage: increment.language,
    targetLanguage,
    sourceText: increment.text,
    sourceWords: increment.stableWords,
    text,
    ...(clause ? { clause } : {}),
    ...(increment.glossaryVersion !== undefined ? { glossaryVersion: increment.glossaryVersion } : {}),
    engine: deps.engine.name(targetLanguage),
    capture: increment.capture,
    occurredAt: translatedAt,
  };
  await deps.events.publish(TranslationPartialV1, detail);
  deps.metrics.latency('PartialTranslateEngineMs', translatedAt - started);
  deps.metrics.count('PartialTranslationCharacters', increment.text.length);
  return detail;
}

/** The sentence a glossary version is applied to: its session, segment, and the version its recogniser applied. */
interface GlossarySentence {
  sessionId: string;
  segmentId: string;
  glossaryVersion?: number | undefined;
}

/**
 * The deps to translate `sentence` into `language` with: the same, with an engine that keeps the session glossary's
 * terms when the sentence names a version that can be read. Versions never change, so every piece of the sentence
 * (increments, the rest, a retried task) gets the same terms.
 */
async function withSessionGlossary(
  deps: TranslateDeps,
  sentence: GlossarySentence,
  language: string,
): Promise<TranslateDeps> {
  const { sessionId, segmentId, glossaryVersion: version } = sentence;
  if (version === undefined || !deps.glossary) return deps;
  const context = { sessionId, segmentId, language, glossaryVersion: version };
  let entries: Awaited<ReturnType<GlossaryStore['get']>>;
  try {
    entries = await deps.glossary.get(sessionId, version);
  } catch (error) {
    deps.metrics.count('GlossaryReadFailures');
    deps.log.warn('session glossary could not be read: translating without it', {
      ...context,
      error: (error as Error).message,
      errorName: (error as Error).name,
    });
    return deps;
  }
  if (!entries) {
    deps.metrics.count('GlossaryVersionsMissing');
    deps.log.warn('session glossary version not found: translating without it', context);
    return deps;
  }
  if (entries.length === 0) return deps;
  const terms: TermOptions = {
    glossary: entries,
    lost(lostTerms) {
      // The engine dropped or mangled a term's placeholder: the term is missing from this caption.
      deps.metrics.count('GlossaryTermsLost', lostTerms.length);
      deps.log.warn('glossary terms lost in translation', { ...context, terms: [...lostTerms] });
    },
  };
  const { engine } = deps;
  return {
    ...deps,
    engine: {
      name: (target) => engine.name(target),
      translate: (text, source, target) => engine.translate(text, source, target, terms),
    },
  };
}

/** The engine's name for the log; an engine may refuse to name a pair it does not translate. */
function engineName(engine: TranslationEngine, targetLanguage: string): string | undefined {
  try {
    return engine.name(targetLanguage);
  } catch {
    return undefined;
  }
}

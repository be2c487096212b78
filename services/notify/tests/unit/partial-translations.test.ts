// Provisional translations: an utterance's translated increments, arriving in any order and at least once, become
// one growing caption per language, sent to that language's listeners only and never after the final translation.
// The same workflow tasks take the provisional branch's payloads.
import {
  type CaptionMessage,
  TranscriptFinalizedV1,
  TranscriptStabilizedV1,
  TranslationPartialV1,
  TranslationReadyV1,
} from '@llt/events';
import { InvalidTaskInputError } from '@llt/platform';
import { expect, test } from 'vitest';
import { AudienceCache } from '#core/audience';
import { deliverPartialTranslation, deliverTranslation, type NotifyDeps } from '#core/fanout';
import type { Listener, ListenerDirectory } from '#core/ports';
import { makeWorkflowHandlers } from '#handlers/workflow';
import finalSample from '../../../../shared/events/samples/llt.transcribe@TranscriptFinalized.v1.json';
import stabilizedSample from '../../../../shared/events/samples/llt.transcribe@TranscriptStabilized.v1.json';
import partialSample from '../../../../shared/events/samples/llt.translate@TranslationPartial.v1.json';
import translationSample from '../../../../shared/events/samples/llt.translate@TranslationReady.v1.json';
import { MemoryPartialTranslations } from '../memory-partial-translations.ts';
import { MemoryPartialTurns } from '../memory-partial-turns.ts';

const audience: Listener[] = [
  { connectionId: 'es1', language: 'es' },
  { connectionId: 'es2', language: 'es' },
  { connectionId: 'ca1', language: 'ca' },
  { connectionId: 'en1', language: 'en' },
];

function world(listeners: Listener[] = audience, speaker = 'speaker-1') {
  const sent: { connectionId: string; message: CaptionMessage }[] = [];
  const counted: string[] = [];
  const latencies: string[] = [];
  const claims: string[] = [];
  const directory: ListenerDirectory = {
    listeners: async (_s, language) => listeners.filter((l) => !language || l.language === language),
    remove: async () => undefined,
    speaker: async () => speaker,
    recentLanguages: async () => ['gl'],
  };
  const deps: NotifyDeps = {
    listeners: directory,
    audience: new AudienceCache(directory),
    captions: { append: async () => undefined, since: async () => [], sessionExists: async () => true },
    ledger: {
      claim: async (_s, segmentId) => {
        claims.push(segmentId);
        return true;
      },
      claimSpeechPart: async () => true,
    },
    clients: {
      send: async (connectionId, message) => {
        sent.push({ connectionId, message: message as CaptionMessage });
        return 'sent';
      },
      disconnect: async () => undefined,
      isConnected: async () => true,
    },
    log: { info: () => undefined, warn: () => undefined, error: () => undefined },
    metrics: {
      latency: (name) => {
        latencies.push(name);
      },
      count: (name) => {
        counted.push(name);
      },
    },
    clock: { now: () => partialSample.capture.end + 40 },
    concurrency: 4,
    turns: new MemoryPartialTurns(),
    partialTranslations: new MemoryPartialTranslations(),
    languages: { sources: ['en'], targets: ['es', 'ca', 'gl'], spoken: ['es', 'ca'] },
  };
  /** The texts each connection received, in order. */
  const texts = (connectionId: string) =>
    sent.filter((s) => s.connectionId === connectionId).map((s) => s.message.text);
  return { deps, sent, counted, latencies, claims, texts };
}

const increment = (n: number, text: string, sourceWords: number, overrides: Partial<TranslationPartialV1> = {}) =>
  TranslationPartialV1.schema.parse({ ...partialSample, increment: n, text, sourceWords, ...overrides });

test('the provisional translation is the increments from 0 in order, whichever arrived first', async () => {
  const w = world();
  expect(await deliverPartialTranslation(w.deps, increment(1, 'y bienvenido al', 7))).toEqual({
    sent: 0,
    gone: 0,
    connecting: 0,
    failed: 0,
  });
  expect(w.sent).toEqual([]);
  expect(await deliverPartialTranslation(w.deps, increment(0, 'Buenos días a todos', 3))).toEqual({
    sent: 2,
    gone: 0,
    connecting: 0,
    failed: 0,
  });
  expect(w.sent[0]!.message).toEqual({
    type: 'caption',
    kind: 'translation',
    final: false,
    language: 'es',
    text: 'Buenos días a todos y bienvenido al',
    sourceWords: 7,
    captureStart: partialSample.capture.start,
    captureEnd: partialSample.capture.end,
    segmentId: partialSample.segmentId,
    segmentIndex: partialSample.segmentIndex,
    sessionId: partialSample.sessionId,
  });
  await deliverPartialTranslation(w.deps, increment(2, 'reunión', 9));
  expect(w.texts('es1')).toEqual([
    'Buenos días a todos y bienvenido al',
    'Buenos días a todos y bienvenido al reunión',
  ]);
  expect(w.latencies).toEqual(['PartialTranslationDeliveredMs', 'PartialTranslationDeliveredMs']);
});

test('an increment delivered twice is sent once', async () => {
  const w = world();
  await deliverPartialTranslation(w.deps, increment(0, 'Buenos días', 2));
  await deliverPartialTranslation(w.deps, increment(1, 'a todos', 3));
  expect(await deliverPartialTranslation(w.deps, increment(1, 'a todos', 3))).toEqual({
    sent: 0,
    gone: 0,
    connecting: 0,
    failed: 0,
  });
  expect(await deliverPartialTranslation(w.deps, increment(0, 'Buenos días', 2))).toEqual({
    sent: 0,
    gone: 0,
    connecting: 0,
    failed: 0,
  });
  expect(w.texts('es1')).toEqual(['Buenos días', 'Buenos días a todos']);
  expect(w.counted.filter((c) => c === 'PartialTranslationsCoalesced')).toHaveLength(2);
});

test('after the final translation, the segment has no provisional one; the next segment does', async () => {
  const w = world();
  const final = TranslationReadyV1.schema.parse(translationSample);
  await deliverTranslation(w.deps, final);
  await deliverPartialTranslation(w.deps, increment(0, 'Buenos días', 2, { segmentIndex: final.segmentIndex }));
  await deliverPartialTranslation(w.deps, increment(0, 'Antes', 1, { segmentIndex: final.segmentIndex - 1 }));
  expect(w.texts('es1')).toEqual([final.text]);
  expect(w.counted).toContain('PartialTranslationsCoalesced');
  await deliverPartialTranslation(
    w.deps,
    increment(0, 'Después', 1, { segmentIndex: final.segmentIndex + 1, segmentId: 'seg-000004' }),
  );
  expect(w.texts('es1')).toEqual([final.text, 'Después']);
});

test('a provisional fan-out under way stops at its next batch once the final translation is out', async () => {
  const w = world(Array.from({ length: 450 }, (_, i) => ({ connectionId: `es${i}`, language: 'es' })));
  const final = TranslationReadyV1.schema.parse(translationSample);
  const send = w.deps.clients.send;
  let finalDelivery: Promise<unknown> | undefined;
  w.deps.clients.send = async (connectionId, message) => {
    // The final translation comes out while the provisional one is handed to the first listeners.
    finalDelivery ??= deliverTranslation(w.deps, final);
    return send(connectionId, message);
  };
  const provisional = await deliverPartialTranslation(w.deps, increment(0, 'Buenos días', 2));
  await finalDelivery;
  expect(provisional.sent).toBe(200);
  expect(w.sent.filter((s) => s.message.final && s.connectionId !== 'speaker-1')).toHaveLength(450);
});

test("a final in one language leaves another language's provisional translation alone", async () => {
  const w = world();
  await deliverTranslation(w.deps, TranslationReadyV1.schema.parse(translationSample));
  await deliverPartialTranslation(w.deps, increment(0, 'Bon dia', 2, { targetLanguage: 'ca' }));
  expect(w.texts('ca1')).toEqual(['Bon dia']);
});

test('a provisional translation goes to the listeners of its language only, not to the speaker', async () => {
  const w = world();
  await deliverPartialTranslation(w.deps, increment(0, 'Buenos días', 2));
  expect(w.sent.map((s) => s.connectionId).sort()).toEqual(['es1', 'es2']);
});

test('empty increments add no text, only the source words they cover; nothing is sent while all are empty', async () => {
  const w = world();
  await deliverPartialTranslation(w.deps, increment(0, '', 1));
  expect(w.sent).toEqual([]);
  await deliverPartialTranslation(w.deps, increment(1, 'Buenos días ', 3));
  await deliverPartialTranslation(w.deps, increment(2, '', 4));
  await deliverPartialTranslation(w.deps, increment(3, 'a todos', 6));
  expect(w.sent.filter((s) => s.connectionId === 'es1').map((s) => [s.message.text, s.message.sourceWords])).toEqual([
    ['Buenos días', 3],
    ['Buenos días', 4],
    ['Buenos días a todos', 6],
  ]);
});

test('an increment is translated into the languages with a listener now, not its source, without a claim', async () => {
  const w = world();
  const tasks = makeWorkflowHandlers(w.deps);
  const stabilized = TranscriptStabilizedV1.schema.parse(stabilizedSample);
  // 'gl' lost its listener moments ago: a final caption is translated for it, a provisional one is not.
  expect(await tasks.languages({ increment: stabilized })).toEqual({ languages: ['ca', 'es'], spoken: ['ca', 'es'] });
  expect(w.claims).toEqual([]);
  const transcript = TranscriptFinalizedV1.schema.parse(finalSample);
  expect(await tasks.languages({ transcript, executionId: 'exec-1' })).toEqual({
    languages: ['ca', 'es', 'gl'],
    spoken: ['ca', 'es'],
    duplicate: false,
  });
  expect(w.claims).toEqual([transcript.segmentId]);
  await expect(tasks.languages({ increment: { ...stabilized, text: '' } })).rejects.toThrow(InvalidTaskInputError);
  await expect(tasks.languages({ segment: stabilized })).rejects.toThrow(InvalidTaskInputError);
});

test('the caption task sends a final translation or a provisional one, by its payload', async () => {
  const w = world();
  const tasks = makeWorkflowHandlers(w.deps);
  await tasks.caption(increment(0, 'Buenos días', 2));
  await tasks.caption(TranslationReadyV1.schema.parse(translationSample));
  expect(w.sent.filter((s) => s.connectionId === 'es1').map((s) => s.message.final)).toEqual([false, true]);
  await expect(tasks.caption({ ...partialSample, increment: -1 })).rejects.toThrow(InvalidTaskInputError);
});

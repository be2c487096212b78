// Fan-out of captions and audio to listeners: who gets what, gone connections forgotten, failed sends of finals
// resent, bounded concurrency.
import {
  type CaptionMessage,
  SpeechSynthesizedV1,
  TranscriptFinalizedV1,
  TranscriptPartialV1,
  TranslationReadyV1,
} from '@llt/events';
import { forEachLimited } from '@llt/platform';
import { expect, test } from 'vitest';
import { AudienceCache } from '#core/audience';
import {
  deliverAudio,
  deliverAudioParts,
  deliverSourceCaption,
  deliverTranslation,
  type NotifyDeps,
} from '#core/fanout';
import { resolveLanguages } from '#core/languages';
import type { Listener, ListenerDirectory } from '#core/ports';
import audioSample from '../../../../shared/events/samples/llt.synthesize@SpeechSynthesized.v1.json';
import finalSample from '../../../../shared/events/samples/llt.transcribe@TranscriptFinalized.v1.json';
import partialSample from '../../../../shared/events/samples/llt.transcribe@TranscriptPartial.v1.json';
import translationSample from '../../../../shared/events/samples/llt.translate@TranslationReady.v1.json';
import { MemoryPartialTranslations } from '../memory-partial-translations.ts';
import { MemoryPartialTurns } from '../memory-partial-turns.ts';

function world(
  listeners: Listener[],
  gone: string[] = [],
  failing: string[] = [],
  speaker?: string,
  recent: { language: string; leftAt: number }[] = [],
  /** Connections whose next sends fail, this many times each, before they go through. */
  flaky: Record<string, number> = {},
) {
  const sent: { connectionId: string; message: Record<string, unknown> }[] = [];
  const removed: string[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const claims = new Map<string, string>();
  const parts = new Map<string, string>();
  const logged: CaptionMessage[] = [];
  const directory: ListenerDirectory = {
    listeners: async (_s, language) => listeners.filter((l) => !language || l.language === language),
    remove: async (_s, l) => {
      removed.push(l.connectionId);
    },
    speaker: async () => speaker,
    recentLanguages: async (_s, since) => recent.filter((r) => r.leftAt >= since).map((r) => r.language),
  };
  const deps: NotifyDeps = {
    listeners: directory,
    audience: new AudienceCache(directory),
    captions: {
      append: async (caption) => {
        logged.push(caption);
      },
      since: async () => [],
      sessionExists: async () => true,
    },
    ledger: {
      claim: async (sessionId, segmentId, executionId) => {
        const owner = claims.get(`${sessionId}/${segmentId}`) ?? executionId;
        claims.set(`${sessionId}/${segmentId}`, owner);
        return owner === executionId;
      },
      claimSpeechPart: async (part, clip) => {
        const key = `${part.sessionId}/${part.segmentId}/${part.language}/${part.part}`;
        const first = parts.get(key) ?? clip;
        parts.set(key, first);
        return first === clip;
      },
    },
    clients: {
      send: async (connectionId, message) => {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        await new Promise((r) => setImmediate(r));
        inFlight--;
        if (failing.includes(connectionId)) throw new Error('throttled');
        if ((flaky[connectionId] ?? 0) > 0) {
          flaky[connectionId]!--;
          throw new Error('socket hang up');
        }
        if (gone.includes(connectionId)) return 'gone';
        sent.push({ connectionId, message: message as Record<string, unknown> });
        return 'sent';
      },
      disconnect: async () => undefined,
      isConnected: async (connectionId: string) => !gone.includes(connectionId),
    },
    log: { info: () => undefined, warn: () => undefined, error: () => undefined },
    metrics: { latency: () => undefined, count: () => undefined },
    clock: { now: () => 0 },
    concurrency: 4,
    turns: new MemoryPartialTurns(),
    partialTranslations: new MemoryPartialTranslations(),
    languages: { sources: ['en'], targets: ['es', 'ca', 'gl', 'eo'], spoken: ['es', 'ca', 'eo'] },
  };
  return { deps, sent, removed, logged, maxInFlight: () => maxInFlight };
}

const everyone: Listener[] = [
  { connectionId: 'es1', language: 'es' },
  { connectionId: 'es2', language: 'es' },
  { connectionId: 'ca1', language: 'ca' },
];

test('a final source caption goes to every listener of the session, whatever their language', async () => {
  const w = world(everyone);
  const final = TranscriptFinalizedV1.schema.parse(finalSample);
  expect(await deliverSourceCaption(w.deps, final, true)).toEqual({ sent: 3, gone: 0, connecting: 0, failed: 0 });
  expect(w.sent[0]!.message).toEqual({
    type: 'caption',
    sessionId: final.sessionId,
    segmentId: final.segmentId,
    segmentIndex: final.segmentIndex,
    language: 'en',
    kind: 'source',
    final: true,
    text: final.text,
    captureStart: final.capture.start,
    captureEnd: final.capture.end,
  });
});

test('a translation and its audio go only to the listeners of that language', async () => {
  const w = world(everyone);
  const translation = TranslationReadyV1.schema.parse(translationSample);
  const latencies: [string, number][] = [];
  w.deps.metrics = { latency: (name, ms) => latencies.push([name, ms]), count: () => undefined };
  w.deps.clock = { now: () => translation.occurredAt + 12 };
  await deliverTranslation(w.deps, translation);
  expect(w.sent.map((s) => s.connectionId).sort()).toEqual(['es1', 'es2']);
  // Per hop: publication → this task, the fan-out, and from the end of speech.
  expect(latencies).toEqual([
    ['TranslationToNotifyMs', 12],
    ['TranslationFanOutMs', 0],
    ['TranslationDeliveredMs', translation.occurredAt + 12 - translation.capture.end],
  ]);
  expect(w.sent[0]!.message).toMatchObject({
    kind: 'translation',
    language: 'es',
    text: translation.text,
    final: true,
  });
  const audio = SpeechSynthesizedV1.schema.parse(audioSample);
  const w2 = world(everyone);
  await deliverAudio(w2.deps, audio);
  expect(w2.sent.every((s) => s.message.type === 'audio' && s.message.url === audio.url)).toBe(true);
});

test('an audio clip that is part of an utterance tells listeners its part and whether more follow', async () => {
  const clause = SpeechSynthesizedV1.schema.parse({ ...audioSample, part: 1, last: false });
  const w = world(everyone);
  const latencies: string[] = [];
  w.deps.metrics = { latency: (name) => latencies.push(name), count: () => undefined };
  await deliverAudio(w.deps, clause);
  expect(w.sent.map((s) => s.connectionId).sort()).toEqual(['es1', 'es2']);
  for (const { message } of w.sent)
    expect(message).toMatchObject({ type: 'audio', url: clause.url, part: 1, last: false });
  // A clause ends mid-sentence: it is not a delivery from the end of speech.
  expect(latencies).toEqual([]);

  const rest = SpeechSynthesizedV1.schema.parse({ ...audioSample, part: 2, last: true });
  await deliverAudio(w.deps, rest);
  expect(w.sent.slice(2).map((s) => s.message)).toEqual([
    expect.objectContaining({ part: 2, last: true }),
    expect.objectContaining({ part: 2, last: true }),
  ]);
  expect(latencies).toEqual(['AudioDeliveredMs']);
});

test('an audio clip of a whole utterance carries no part', async () => {
  const w = world(everyone);
  await deliverAudio(w.deps, SpeechSynthesizedV1.schema.parse(audioSample));
  expect(w.sent).toHaveLength(2);
  for (const { message } of w.sent) {
    expect(message).not.toHaveProperty('part');
    expect(message).not.toHaveProperty('last');
  }
});

test('gone connections are forgotten and a failing one does not stop the others', async () => {
  const w = world(everyone, ['es2'], ['ca1']);
  const final = TranscriptFinalizedV1.schema.parse(finalSample);
  expect(await deliverSourceCaption(w.deps, final, true)).toEqual({ sent: 1, gone: 1, connecting: 0, failed: 1 });
  expect(w.removed).toEqual(['es2']);
});

/**
 * Listener es2 was recorded by a $connect 5 ms ago that has not returned: API Gateway answers its first `refusals`
 * sends 410. `refused()`: how many sends to it were tried so far.
 */
function worldWithOpening(refusals: number) {
  const opening: Listener = { connectionId: 'es2', language: 'es', joinedAt: 1_000 };
  const w = world([everyone[0]!, opening, everyone[2]!]);
  w.deps.clock = { now: () => 1_005 };
  const send = w.deps.clients.send;
  let tried = 0;
  w.deps.clients.send = async (connectionId, message) => {
    if (connectionId === 'es2' && tried++ < refusals) return 'gone';
    return send(connectionId, message);
  };
  return { ...w, refused: () => tried };
}

test('a listener whose $connect has not returned keeps its place and gets the final once its connection opens', async () => {
  const w = worldWithOpening(1);
  const final = TranscriptFinalizedV1.schema.parse(finalSample);
  expect(await deliverSourceCaption(w.deps, final, true)).toEqual({ sent: 3, gone: 0, connecting: 1, failed: 0 });
  expect(w.removed).toEqual([]);
  expect(w.sent.map((s) => s.connectionId).sort()).toEqual(['ca1', 'es1', 'es2']);
  // Still in the directory and in what this environment remembers: the next caption reaches it at once.
  w.sent.length = 0;
  expect(await deliverSourceCaption(w.deps, final, true)).toEqual({ sent: 3, gone: 0, connecting: 0, failed: 0 });
});

test('a listener still connecting counts once however many of the final’s retries it refuses', async () => {
  // Refused by the first send and the first retry (100 ms later); the second retry reaches it.
  const w = worldWithOpening(2);
  const counted: Record<string, number> = {};
  w.deps.metrics = {
    latency: () => undefined,
    count: (name, n = 1) => {
      counted[name] = (counted[name] ?? 0) + n;
    },
  };
  const final = TranscriptFinalizedV1.schema.parse(finalSample);
  expect(await deliverSourceCaption(w.deps, final, true)).toEqual({ sent: 3, gone: 0, connecting: 1, failed: 0 });
  expect(w.refused()).toBe(3);
  expect(counted.ListenersStillConnecting).toBe(1);
});

test('a partial caption skips a listener still connecting; a 410 long after its $connect is a gone connection', async () => {
  const opening: Listener = { connectionId: 'es2', language: 'es', joinedAt: 1_000 };
  const partial = TranscriptPartialV1.schema.parse(partialSample);
  const young = world([everyone[0]!, opening], ['es2']);
  young.deps.clock = { now: () => 1_000 + 29_999 };
  expect(await deliverSourceCaption(young.deps, partial, false)).toEqual({
    sent: 1,
    gone: 0,
    connecting: 1,
    failed: 0,
  });
  expect(young.removed).toEqual([]);

  const old = world([everyone[0]!, opening], ['es2']);
  old.deps.clock = { now: () => 1_000 + 30_000 };
  expect(await deliverSourceCaption(old.deps, partial, false)).toEqual({ sent: 1, gone: 1, connecting: 0, failed: 0 });
  expect(old.removed).toEqual(['es2']);
});

test('a final whose send failed is sent again; a partial is not (a newer one follows)', async () => {
  const final = TranscriptFinalizedV1.schema.parse(finalSample);
  const once = world(everyone, [], [], undefined, [], { ca1: 1, es2: 2 });
  expect(await deliverSourceCaption(once.deps, final, true)).toEqual({ sent: 3, gone: 0, connecting: 0, failed: 0 });
  expect(once.sent.map((s) => s.connectionId).sort()).toEqual(['ca1', 'es1', 'es2']);

  const partial = TranscriptPartialV1.schema.parse(partialSample);
  const flaky = world(everyone, [], [], undefined, [], { ca1: 1 });
  expect(await deliverSourceCaption(flaky.deps, partial, false)).toEqual({
    sent: 2,
    gone: 0,
    connecting: 0,
    failed: 1,
  });
  expect(flaky.sent.map((s) => s.connectionId).sort()).toEqual(['es1', 'es2']);
});

test('fan-out to hundreds of listeners keeps at most `concurrency` messages in flight', async () => {
  const many = Array.from({ length: 300 }, (_, i) => ({ connectionId: `c${i}`, language: 'es' }));
  const w = world(many);
  const final = TranscriptFinalizedV1.schema.parse(finalSample);
  expect((await deliverSourceCaption(w.deps, final, true)).sent).toBe(300);
  expect(w.maxInFlight()).toBe(4);
  let seen = 0;
  await forEachLimited([], 4, async () => {
    seen++;
  });
  expect(seen).toBe(0);
});

test('a segment goes to each language that has listeners, once, never to the source language', async () => {
  const { deps } = world([
    { connectionId: 'a', language: 'es' },
    { connectionId: 'b', language: 'ca' },
    { connectionId: 'c', language: 'es' },
    { connectionId: 'd', language: 'gl' },
  ]);
  const transcript = TranscriptFinalizedV1.schema.parse(finalSample);
  const out = await resolveLanguages(deps, { transcript, executionId: 'exec-1' });
  // Galician has no voice in this deployment: its branch sends the caption only.
  expect(out).toEqual({ languages: ['ca', 'es', 'gl'], spoken: ['ca', 'es'], duplicate: false });
});

test('a second execution for the same segment fans out nothing; the same execution retried still does', async () => {
  const { deps } = world([{ connectionId: 'a', language: 'eo' }]);
  const transcript = TranscriptFinalizedV1.schema.parse(finalSample);
  expect(await resolveLanguages(deps, { transcript, executionId: 'exec-1' })).toEqual({
    languages: ['eo'],
    spoken: ['eo'],
    duplicate: false,
  });
  expect(await resolveLanguages(deps, { transcript, executionId: 'exec-2' })).toEqual({
    languages: [],
    spoken: [],
    duplicate: true,
  });
  expect((await resolveLanguages(deps, { transcript, executionId: 'exec-1' })).languages).toEqual(['eo']);
});

test('a language whose listener dropped moments ago is still translated; one left long ago is not', async () => {
  const { deps } = world([{ connectionId: 'a', language: 'es' }], [], [], undefined, [
    { language: 'ca', leftAt: -30_000 },
    { language: 'eo', leftAt: -600_000 },
  ]);
  const transcript = TranscriptFinalizedV1.schema.parse(finalSample);
  expect((await resolveLanguages(deps, { transcript, executionId: 'exec-1' })).languages).toEqual(['ca', 'es']);
});

test('a session without listeners is translated into nothing', async () => {
  const { deps } = world([]);
  const transcript = TranscriptFinalizedV1.schema.parse(finalSample);
  expect((await resolveLanguages(deps, { transcript, executionId: 'exec-1' })).languages).toEqual([]);
});

test('the speaker sees source captions and every translation, never audio, and is not counted as a listener', async () => {
  const w = world(everyone, [], [], 'speaker-1');
  const final = TranscriptFinalizedV1.schema.parse(finalSample);
  expect(await deliverSourceCaption(w.deps, final, true)).toEqual({ sent: 3, gone: 0, connecting: 0, failed: 0 });
  const translation = TranslationReadyV1.schema.parse(translationSample);
  await deliverTranslation(w.deps, translation);
  await deliverAudio(w.deps, SpeechSynthesizedV1.schema.parse(audioSample));
  const toSpeaker = w.sent.filter((s) => s.connectionId === 'speaker-1').map((s) => s.message);
  expect(toSpeaker.map((m) => `${m.type}:${m.kind}`)).toEqual(['caption:source', 'caption:translation']);
});

test('final captions and translations are logged for catching up; partials are not', async () => {
  const w = world(everyone);
  const final = TranscriptFinalizedV1.schema.parse(finalSample);
  await deliverSourceCaption(w.deps, final, false);
  expect(w.logged).toEqual([]);
  await deliverSourceCaption(w.deps, final, true);
  await deliverTranslation(w.deps, TranslationReadyV1.schema.parse(translationSample));
  expect(w.logged.map((c) => `${c.kind}:${c.language}:${c.segmentId}`)).toEqual([
    `source:${final.language}:${final.segmentId}`,
    `translation:${translationSample.targetLanguage}:${translationSample.segmentId}`,
  ]);
  expect(w.logged[0]?.captureStart).toBe(final.capture.start);
});

test("a final's parts (a clause part made again, then the rest) reach each listener in part order; none is nothing", async () => {
  const w = world(everyone);
  const parts = [
    SpeechSynthesizedV1.schema.parse({ ...audioSample, part: 1, last: false }),
    SpeechSynthesizedV1.schema.parse({ ...audioSample, part: 2, last: true }),
  ];
  const delivery = await deliverAudioParts(w.deps, parts);
  expect(delivery).toEqual({ sent: 4, gone: 0, connecting: 0, failed: 0 });
  for (const id of ['es1', 'es2']) {
    const mine = w.sent.filter((s) => s.connectionId === id).map((s) => (s.message as { part?: number }).part);
    expect(mine).toEqual([1, 2]);
  }
  expect(await deliverAudioParts(w.deps, [])).toEqual({ sent: 0, gone: 0, connecting: 0, failed: 0 });
});

test('a speech part made twice (the clause and the final) reaches each listener once: the first making sent wins', async () => {
  const w = world(everyone);
  const clauseMade = SpeechSynthesizedV1.schema.parse({
    ...audioSample,
    part: 0,
    last: false,
    url: 'https://a/p0?x=1',
  });
  const finalMade = SpeechSynthesizedV1.schema.parse({ ...audioSample, part: 0, last: false, url: 'https://a/p0?x=2' });
  // Made again and presigned in the same second: the same URL, another making.
  const sameUrl = SpeechSynthesizedV1.schema.parse({
    ...audioSample,
    part: 0,
    last: false,
    url: 'https://a/p0?x=1',
    occurredAt: audioSample.occurredAt + 7,
  });
  expect((await deliverAudio(w.deps, clauseMade)).sent).toBe(2);
  expect(await deliverAudio(w.deps, finalMade)).toEqual({ sent: 0, gone: 0, connecting: 0, failed: 0 });
  expect(await deliverAudio(w.deps, sameUrl)).toEqual({ sent: 0, gone: 0, connecting: 0, failed: 0 });
  // A retried task sends the same clip again: it is let through.
  expect((await deliverAudio(w.deps, clauseMade)).sent).toBe(2);
  expect(w.sent.map((s) => (s.message as { url: string }).url)).not.toContain('https://a/p0?x=2');
});

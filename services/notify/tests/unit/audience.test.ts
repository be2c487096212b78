// A fan-out sends to the listeners its environment read last without waiting on the directory, reads it again
// beside the sends, and reaches whoever the read adds; partials reuse a fresh read; memory stays bounded.
import {
  type CaptionMessage,
  TranscriptPartialV1,
  type TranslationReadyV1 as TranslationReady,
  TranslationReadyV1,
} from '@llt/events';
import { expect, test } from 'vitest';
import { AudienceCache, MAX_AGE_MS, MAX_ENTRIES, PARTIAL_REFRESH_MS } from '#core/audience';
import { deliverSourceCaption, deliverTranslation, type NotifyDeps } from '#core/fanout';
import type { Listener, ListenerDirectory } from '#core/ports';
import partialSample from '../../../../shared/events/samples/llt.transcribe@TranscriptPartial.v1.json';
import translationSample from '../../../../shared/events/samples/llt.translate@TranslationReady.v1.json';
import { MemoryPartialTranslations } from '../memory-partial-translations.ts';
import { MemoryPartialTurns } from '../memory-partial-turns.ts';

/** A directory whose reads can be held (`hold()`), counting them; and a channel recording sends in order. */
function world(initial: Listener[], speaker = 'speaker-1') {
  const state = { listeners: [...initial], speaker, reads: 0, failing: false };
  let held: Promise<void> | undefined;
  let release: () => void = () => undefined;
  const directory: ListenerDirectory = {
    async listeners(_s, language) {
      state.reads++;
      if (state.failing)
        throw Object.assign(new Error('Throughput exceeds the current capacity'), {
          name: 'ProvisionedThroughputExceededException',
        });
      const snapshot = state.listeners.filter((l) => !language || l.language === language);
      await held;
      return snapshot;
    },
    async speaker() {
      const snapshot = state.speaker;
      await held;
      return snapshot;
    },
    remove: async () => undefined,
    recentLanguages: async () => [],
  };
  const sent: { connectionId: string; text: string }[] = [];
  const gone = new Set<string>();
  const warnings: string[] = [];
  const counted: string[] = [];
  let now = 1_000_000;
  const deps: NotifyDeps = {
    listeners: directory,
    audience: new AudienceCache(directory),
    ledger: { claim: async () => true, claimSpeechPart: async () => true },
    captions: { append: async () => undefined, since: async () => [], sessionExists: async () => true },
    clients: {
      send: async (connectionId, message) => {
        if (gone.has(connectionId)) return 'gone';
        sent.push({ connectionId, text: (message as CaptionMessage).text });
        return 'sent';
      },
      disconnect: async () => undefined,
      isConnected: async () => true,
    },
    log: { info: () => undefined, warn: (message) => warnings.push(message), error: () => undefined },
    metrics: { latency: () => undefined, count: (name) => counted.push(name) },
    clock: { now: () => now },
    concurrency: 4,
    turns: new MemoryPartialTurns(),
    partialTranslations: new MemoryPartialTranslations(),
    languages: { sources: ['en'], targets: ['es', 'ca'], spoken: ['es'] },
  };
  return {
    deps,
    state,
    sent,
    gone,
    warnings,
    counted,
    to: (connectionId: string) => sent.filter((s) => s.connectionId === connectionId).map((s) => s.text),
    advance: (ms: number) => {
      now += ms;
    },
    hold() {
      held = new Promise((resolve) => {
        release = resolve;
      });
    },
    release() {
      release();
      held = undefined;
    },
  };
}

const sample = TranslationReadyV1.schema.parse(translationSample);
const translation = (segmentIndex: number, text: string): TranslationReady => ({
  ...sample,
  targetLanguage: 'es',
  segmentIndex,
  segmentId: `seg-${String(segmentIndex).padStart(6, '0')}`,
  text,
});
const es = (id: string): Listener => ({ connectionId: id, language: 'es' });
const settled = () => new Promise((resolve) => setTimeout(resolve, 5));

test('a final goes at once to the listeners read before, and to one who joined since once the directory is read', async () => {
  const w = world([es('a'), es('b')]);
  await deliverTranslation(w.deps, translation(0, 'uno'));
  expect(w.sent.map((s) => s.connectionId).sort()).toEqual(['a', 'b', 'speaker-1']);

  w.state.listeners.push(es('c'));
  w.hold();
  const delivering = deliverTranslation(w.deps, translation(1, 'dos'));
  await settled();
  // The directory has not answered: the known listeners and the speaker have the caption already, the newcomer not.
  expect([w.to('a'), w.to('b'), w.to('speaker-1'), w.to('c')]).toEqual([
    ['uno', 'dos'],
    ['uno', 'dos'],
    ['uno', 'dos'],
    [],
  ]);
  w.release();
  expect(await delivering).toEqual({ sent: 3, gone: 0, connecting: 0, failed: 0 });
  expect([w.to('a'), w.to('b'), w.to('c'), w.to('speaker-1')]).toEqual([
    ['uno', 'dos'],
    ['uno', 'dos'],
    ['dos'],
    ['uno', 'dos'],
  ]);
});

test('a speaker who reconnected gets the caption on the new connection too', async () => {
  const w = world([es('a')], 'speaker-1');
  await deliverTranslation(w.deps, translation(0, 'uno'));
  w.state.speaker = 'speaker-2';
  await deliverTranslation(w.deps, translation(1, 'dos'));
  expect(w.to('speaker-2')).toEqual(['dos']);
  expect(w.to('a')).toEqual(['uno', 'dos']);
});

test('a partial reuses a read younger than the refresh interval and reads again after it; finals always read', async () => {
  const w = world([es('a')]);
  const partial = (revision: number, text: string) =>
    deliverSourceCaption(w.deps, { ...TranscriptPartialV1.schema.parse(partialSample), revision, text }, false);
  await partial(1, 'one');
  const readsAfterFirst = w.state.reads;
  w.state.listeners.push(es('b'));
  w.advance(PARTIAL_REFRESH_MS - 1);
  await partial(2, 'one two');
  expect(w.state.reads).toBe(readsAfterFirst);
  expect(w.to('b')).toEqual([]);
  w.advance(1);
  await partial(3, 'one two three');
  expect(w.state.reads).toBe(readsAfterFirst + 1);
  expect(w.to('b')).toEqual(['one two three']);

  const beforeFinal = w.state.reads;
  await deliverTranslation(w.deps, translation(0, 'uno'));
  await deliverTranslation(w.deps, translation(1, 'dos'));
  expect(w.state.reads).toBe(beforeFinal + 2);
});

test('a connection found gone is not sent to again from what the environment remembers', async () => {
  const w = world([es('a'), es('b')]);
  await deliverTranslation(w.deps, translation(0, 'uno'));
  w.gone.add('b');
  // The directory still lists b (its $disconnect has not run yet): this final finds it gone.
  expect(await deliverTranslation(w.deps, translation(1, 'dos'))).toEqual({
    sent: 1,
    gone: 1,
    connecting: 0,
    failed: 0,
  });
  w.state.listeners = [es('a')];
  w.hold();
  const delivering = deliverTranslation(w.deps, translation(2, 'tres'));
  await settled();
  w.release();
  expect(await delivering).toEqual({ sent: 1, gone: 0, connecting: 0, failed: 0 });
});

test('a read older than the longest age is not used: the fan-out reads before sending', async () => {
  const w = world([es('a')]);
  await deliverTranslation(w.deps, translation(0, 'uno'));
  w.advance(MAX_AGE_MS + 1);
  w.state.listeners = [es('b')];
  w.hold();
  const delivering = deliverTranslation(w.deps, translation(1, 'dos'));
  await settled();
  expect(w.to('a')).toEqual(['uno']);
  w.release();
  await delivering;
  expect([w.to('a'), w.to('b')]).toEqual([['uno'], ['dos']]);
});

test('an environment remembers a bounded number of sessions and languages, the least recently read dropped', async () => {
  const directory: ListenerDirectory = {
    listeners: async (sessionId) => [es(`${sessionId}-listener`)],
    speaker: async () => undefined,
    remove: async () => undefined,
    recentLanguages: async () => [],
  };
  const cache = new AudienceCache(directory);
  for (let i = 0; i <= MAX_ENTRIES; i++) await cache.read(`s${i}`, 'es', false, 0);
  expect(cache.known('s0', 'es', false, 0)).toBeUndefined();
  expect(cache.known('s1', 'es', false, 0)?.listeners).toEqual([es('s1-listener')]);
  expect(cache.known(`s${MAX_ENTRIES}`, 'es', false, 0)?.listeners).toEqual([es(`s${MAX_ENTRIES}-listener`)]);
  // Reads finishing out of order: the one started last is what is remembered.
  let slow: () => void = () => undefined;
  const order: Listener[][] = [[es('old')], [es('new')]];
  const racing = new AudienceCache({
    ...directory,
    listeners: async () => {
      const answer = order.shift()!;
      if (answer[0]!.connectionId === 'old') await new Promise<void>((resolve) => (slow = resolve));
      return answer;
    },
  });
  const first = racing.read('s', 'es', false, 1);
  await racing.read('s', 'es', false, 2);
  slow();
  await first;
  expect(racing.known('s', 'es', false, 2)?.listeners).toEqual([es('new')]);
});

test('a read that fails after the known listeners were sent to is logged and counted, not thrown (a retry would send them the message again)', async () => {
  const w = world([es('a'), es('b')]);
  await deliverTranslation(w.deps, translation(0, 'uno'));
  w.state.failing = true;
  expect(await deliverTranslation(w.deps, translation(1, 'dos'))).toEqual({
    sent: 2,
    gone: 0,
    connecting: 0,
    failed: 0,
  });
  expect([w.to('a'), w.to('b'), w.to('speaker-1')]).toEqual([
    ['uno', 'dos'],
    ['uno', 'dos'],
    ['uno', 'dos'],
  ]);
  expect(w.counted).toContain('ListenerReadFailures');
  expect(w.warnings).toEqual(['listener directory read failed: sent to the listeners read before']);
});

test('an environment that knows no listeners yet fails on a failed read, before sending anything', async () => {
  const w = world([es('a')]);
  w.state.failing = true;
  await expect(deliverTranslation(w.deps, translation(0, 'uno'))).rejects.toThrow(/capacity/);
  expect(w.sent).toEqual([]);
});

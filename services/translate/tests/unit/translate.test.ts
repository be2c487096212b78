// The translate use case with a fake engine: the engine, not a fixed list, decides which targets exist.
import { type TranscriptFinalizedV1, TranscriptStabilizedV1, TranslationPartialV1 } from '@llt/events';
import finalSample from '@llt/events/samples/llt.transcribe@TranscriptFinalized.v1.json';
import stableSample from '@llt/events/samples/llt.transcribe@TranscriptStabilized.v1.json';
import { failureOf } from '@llt/platform/testing';
import { describe, expect, test, vi } from 'vitest';
import type { MemoUtterance, TranslationEngine, TranslationMemo } from '#core/ports';
import { type TranslateDeps, translateIncrement, translateSegment } from '#core/translate';
import { UnsupportedLanguagePairError } from '#errors';

const transcript = finalSample as TranscriptFinalizedV1;

/** Translates into French only, as a pivoting engine might; refuses (and will not name) anything else. */
const frenchOnly: TranslationEngine = {
  name(target) {
    if (target !== 'fr') throw new UnsupportedLanguagePairError(`no ${target}`);
    return 'apertium:eng-cat+cat-fra';
  },
  async translate(text, _source, target) {
    if (target !== 'fr') throw new UnsupportedLanguagePairError(`no ${target}`);
    return `fr(${text})`;
  },
};

/** The memo in a Map, keyed as the DynamoDB one is: session, segment, language and increment. */
function inMemoryMemo(): TranslationMemo & { entries: Map<string, string> } {
  const entries = new Map<string, string>();
  const key = (u: MemoUtterance, n: number) => `${u.sessionId}#${u.segmentIndex}#${u.language}#${n}`;
  return {
    entries,
    async get(utterance, increments) {
      const found = new Map<number, string>();
      for (const n of increments) {
        const text = entries.get(key(utterance, n));
        if (text !== undefined) found.set(n, text);
      }
      return found;
    },
    async put(utterance, translated) {
      for (const { increment, text } of translated) entries.set(key(utterance, increment), text);
    },
  };
}

function deps(engine: TranslationEngine, memo = inMemoryMemo()) {
  return {
    engine,
    memo,
    events: { publish: vi.fn(async () => {}) },
    log: { info: vi.fn(), warn: vi.fn(), error: vi.fn() },
    metrics: { latency: vi.fn(), count: vi.fn() },
    clock: { now: () => transcript.capture.end + 5 },
  } satisfies TranslateDeps;
}

describe('translateSegment', () => {
  test('translates into any target the engine translates, with the engine named', async () => {
    const d = deps(frenchOnly);
    const detail = await translateSegment(d, { transcript, targetLanguage: 'fr' });
    expect(detail.text).toBe(`fr(${transcript.text})`);
    expect(detail.engine).toBe('apertium:eng-cat+cat-fra');
    expect(d.events.publish).toHaveBeenCalledOnce();
    // Per hop: the final's publication → this task, and the end of speech → the translation.
    const now = transcript.capture.end + 5;
    expect(d.metrics.latency).toHaveBeenCalledWith('TranscriptToTranslateMs', now - transcript.occurredAt);
    expect(d.metrics.latency).toHaveBeenCalledWith('TranslationReadyMs', 5);
  });

  test("a target the engine refuses fails with the engine's error, logged and counted", async () => {
    const d = deps(frenchOnly);
    const error = await failureOf(translateSegment(d, { transcript, targetLanguage: 'de' }));
    expect(error).toBeInstanceOf(UnsupportedLanguagePairError);
    expect(d.metrics.count).toHaveBeenCalledWith('TranslationFailures');
    expect(d.log.error).toHaveBeenCalledWith(
      'translation failed',
      expect.objectContaining({ language: 'de', errorName: 'UnsupportedLanguagePairError', engine: undefined }),
    );
    expect(d.events.publish).not.toHaveBeenCalled();
  });
});

describe('translateIncrement', () => {
  const increment = TranscriptStabilizedV1.schema.parse(stableSample);

  test("translates the increment's new words only and says how much of the source the increments cover", async () => {
    const d = deps(frenchOnly);
    const detail = await translateIncrement(d, { increment, targetLanguage: 'fr' });
    expect(TranslationPartialV1.schema.parse(detail)).toEqual(detail);
    expect(detail).toMatchObject({
      increment: increment.increment,
      sourceText: increment.text,
      sourceWords: increment.stableWords,
      text: `fr(${increment.text})`,
      targetLanguage: 'fr',
      sourceLanguage: 'en',
      segmentId: increment.segmentId,
    });
    expect(d.events.publish).toHaveBeenCalledWith(TranslationPartialV1, detail);
    expect(d.metrics.count).toHaveBeenCalledWith('PartialTranslationCharacters', increment.text.length);
  });

  test("a refused target fails with the engine's error and publishes nothing", async () => {
    const d = deps(frenchOnly);
    const error = await failureOf(translateIncrement(d, { increment, targetLanguage: 'de' }));
    expect(error).toBeInstanceOf(UnsupportedLanguagePairError);
    expect(d.metrics.count).toHaveBeenCalledWith('PartialTranslationFailures');
    expect(d.events.publish).not.toHaveBeenCalled();
  });
});

describe('the final translation after increments', () => {
  const echo: TranslationEngine = {
    name: () => 'echo',
    async translate(text) {
      return `<${text}>`;
    },
  };

  test('keeps the increments as listeners were shown them and translates only the rest', async () => {
    const d = deps(echo);
    const detail = await translateSegment(d, {
      transcript: {
        ...transcript,
        text: 'Good morning everyone and welcome',
        increments: ['Good morning', 'everyone and'],
      },
      targetLanguage: 'es',
    });
    expect(detail.text).toBe('<Good morning> <everyone and> <welcome>');
    expect(d.metrics.count).toHaveBeenCalledWith('FinalsKeepingShownWords');
  });

  test('translates the whole text again when the recogniser revised words listeners were shown', async () => {
    const d = deps(echo);
    const detail = await translateSegment(d, {
      transcript: { ...transcript, text: 'Good morning everyone and welcome', increments: ['Good mourning'] },
      targetLanguage: 'es',
    });
    expect(detail.text).toBe('<Good morning everyone and welcome>');
    expect(d.metrics.count).toHaveBeenCalledWith('FinalsRevisingShownWords');
  });

  test('an utterance with no increments is translated whole', async () => {
    const d = deps(echo);
    const detail = await translateSegment(d, { transcript, targetLanguage: 'es' });
    expect(detail.text).toBe(`<${transcript.text}>`);
  });
});

test('a piece that continues a sentence keeps a lower-case start however the engine capitalises it', async () => {
  const capitalising: TranslationEngine = {
    name: () => 'capitalising',
    async translate(text) {
      return (
        (
          { 'Good morning': 'Buenos días', 'everyone and': 'Todo el mundo y', 'I said': 'Yo dije' } as Record<
            string,
            string
          >
        )[text] ?? text
      );
    },
  };
  const increment = TranscriptStabilizedV1.schema.parse(stableSample);
  const d = deps(capitalising);
  expect(
    (await translateIncrement(d, { increment: { ...increment, text: 'everyone and' }, targetLanguage: 'es' })).text,
  ).toBe('todo el mundo y');
  expect(
    (await translateIncrement(d, { increment: { ...increment, increment: 5, text: 'I said' }, targetLanguage: 'es' }))
      .text,
  ).toBe('Yo dije');
  const final = await translateSegment(d, {
    transcript: { ...transcript, text: 'Good morning everyone and', increments: ['Good morning', 'everyone and'] },
    targetLanguage: 'es',
  });
  expect(final.text).toBe('Buenos días todo el mundo y');
});

describe('speech ahead of the end of the sentence', () => {
  const echo: TranslationEngine = {
    name: () => 'echo',
    async translate(text) {
      return `<${text}>`;
    },
  };

  test('an increment that ends a clause brings the clause translated, as its pieces were shown', async () => {
    const increment = TranscriptStabilizedV1.schema.parse(stableSample);
    const d = deps(echo);
    const detail = await translateIncrement(d, {
      increment: { ...increment, text: 'welcome to', clause: { index: 1, increments: ['and', 'welcome to'] } },
      targetLanguage: 'es',
    });
    expect(detail.text).toBe('<welcome to>');
    expect(detail.clause).toEqual({ index: 1, text: '<and> <welcome to>' });
  });

  test('the final says what is left to speak after the clauses spoken ahead, as the part after them', async () => {
    const d = deps(echo);
    const detail = await translateSegment(d, {
      transcript: {
        ...transcript,
        text: 'Good morning everyone and welcome',
        increments: ['Good morning', 'everyone and'],
        spoken: { clauses: 1, increments: 1 },
      },
      targetLanguage: 'es',
    });
    expect(detail.text).toBe('<Good morning> <everyone and> <welcome>');
    expect(detail.speech).toEqual({ text: '<everyone and> <welcome>', part: 1 });
  });

  test('the final lists what each clause part said, so speech can make again a part whose audio is missing', async () => {
    const d = deps(echo);
    const detail = await translateSegment(d, {
      transcript: {
        ...transcript,
        text: 'Good morning everyone and welcome to the meeting today',
        increments: ['Good morning', 'everyone and', 'welcome to', 'the meeting'],
        spoken: { clauses: 2, increments: 3, ends: [2, 3] },
      },
      targetLanguage: 'es',
    });
    expect(detail.speech).toEqual({
      text: '<the meeting> <today>',
      part: 2,
      clauses: ['<Good morning> <everyone and>', '<welcome to>'],
    });
    // A final that revised the words shown is spoken whole: its clause parts are not made again.
    const revised = await translateSegment(d, {
      transcript: {
        ...transcript,
        text: 'Good night',
        increments: ['Good morning'],
        spoken: { clauses: 1, increments: 1, ends: [1] },
      },
      targetLanguage: 'es',
    });
    expect(revised.speech).toEqual({ text: '<Good night>', part: 1 });
  });

  test('a revised final is spoken whole after the clauses; without clauses spoken there is no speech field', async () => {
    const d = deps(echo);
    const revised = await translateSegment(d, {
      transcript: {
        ...transcript,
        text: 'Good night',
        increments: ['Good morning'],
        spoken: { clauses: 1, increments: 1 },
      },
      targetLanguage: 'es',
    });
    expect(revised.speech).toEqual({ text: '<Good night>', part: 1 });
    const plain = await translateSegment(d, { transcript, targetLanguage: 'es' });
    expect(plain.speech).toBeUndefined();
  });
});

describe('the translation memo', () => {
  /** Echoes and counts what it was asked to translate. */
  function countingEcho() {
    const asked: string[] = [];
    const engine: TranslationEngine = {
      name: () => 'echo',
      async translate(text) {
        asked.push(text);
        return `<${text}>`;
      },
    };
    return { engine, asked };
  }
  const base = TranscriptStabilizedV1.schema.parse(stableSample);
  const inc = (increment: number, text: string, clause?: { index: number; increments: string[] }) => ({
    ...base,
    increment,
    text,
    ...(clause ? { clause } : {}),
  });

  test('a clause and the final after increments translate only their new words', async () => {
    const { engine, asked } = countingEcho();
    const d = deps(engine);
    await translateIncrement(d, { increment: inc(0, 'Good morning'), targetLanguage: 'es' });
    await translateIncrement(d, { increment: inc(1, 'everyone and'), targetLanguage: 'es' });
    const clause = await translateIncrement(d, {
      increment: inc(2, 'welcome to', { index: 0, increments: ['Good morning', 'everyone and', 'welcome to'] }),
      targetLanguage: 'es',
    });
    expect(clause.clause).toEqual({ index: 0, text: '<Good morning> <everyone and> <welcome to>' });
    const final = await translateSegment(d, {
      transcript: {
        ...transcript,
        text: 'Good morning everyone and welcome to the meeting',
        increments: ['Good morning', 'everyone and', 'welcome to'],
        spoken: { clauses: 1, increments: 3 },
      },
      targetLanguage: 'es',
    });
    expect(final.text).toBe('<Good morning> <everyone and> <welcome to> <the meeting>');
    expect(final.speech).toEqual({ text: '<the meeting>', part: 1 });
    // Each source word went to the engine once.
    expect(asked).toEqual(['Good morning', 'everyone and', 'welcome to', 'the meeting']);
    expect(d.metrics.count).toHaveBeenCalledWith('TranslationMemoHits', 3);
  });

  test('the final keeps the words shown even when the engine would now translate them differently', async () => {
    let calls = 0;
    const drifting: TranslationEngine = {
      name: () => 'drifting',
      async translate(text) {
        calls++;
        return `${text}#${calls}`;
      },
    };
    const d = deps(drifting);
    const shown = await translateIncrement(d, { increment: inc(0, 'Good morning'), targetLanguage: 'es' });
    const final = await translateSegment(d, {
      transcript: { ...transcript, text: 'Good morning everyone', increments: ['Good morning'] },
      targetLanguage: 'es',
    });
    expect(final.text).toBe(`${shown.text} everyone#2`);
  });

  test('pieces the memo misses are translated, and a clause remembers them for the final', async () => {
    const { engine, asked } = countingEcho();
    const d = deps(engine);
    // This language got its listener after increment 0 was translated for the others.
    await translateIncrement(d, { increment: inc(0, 'Good morning'), targetLanguage: 'ca' });
    await translateIncrement(d, {
      increment: inc(1, 'everyone and', { index: 0, increments: ['Good morning', 'everyone and'] }),
      targetLanguage: 'es',
    });
    expect(asked).toEqual(['Good morning', 'everyone and', 'Good morning']);
    expect(d.metrics.count).toHaveBeenCalledWith('TranslationMemoMisses', 1);
    asked.length = 0;
    const final = await translateSegment(d, {
      transcript: { ...transcript, text: 'Good morning everyone and', increments: ['Good morning', 'everyone and'] },
      targetLanguage: 'es',
    });
    expect(final.text).toBe('<Good morning> <everyone and>');
    expect(asked).toEqual([]);
  });

  test('entries of other sessions, segments and languages are never read', async () => {
    const { engine, asked } = countingEcho();
    const d = deps(engine);
    await translateIncrement(d, { increment: inc(0, 'Good morning'), targetLanguage: 'es' });
    await translateIncrement(d, {
      increment: { ...inc(0, 'Good morning'), sessionId: 's_other' },
      targetLanguage: 'fr',
    });
    asked.length = 0;
    for (const other of [
      { ...transcript, sessionId: 's_other' },
      { ...transcript, segmentIndex: transcript.segmentIndex + 1 },
    ]) {
      await translateSegment(d, {
        transcript: { ...other, text: 'Good morning everyone', increments: ['Good morning'] },
        targetLanguage: 'es',
      });
    }
    expect(asked.sort()).toEqual(['Good morning', 'Good morning', 'everyone', 'everyone']);
  });

  test('a memo that cannot be reached costs characters, never the translation', async () => {
    const { engine, asked } = countingEcho();
    const broken: TranslationMemo = {
      get: async () => {
        throw new Error('ProvisionedThroughputExceededException');
      },
      put: async () => {
        throw new Error('ProvisionedThroughputExceededException');
      },
    };
    const d = deps(engine, broken as ReturnType<typeof inMemoryMemo>);
    const partial = await translateIncrement(d, {
      increment: inc(1, 'everyone and', { index: 0, increments: ['Good morning', 'everyone and'] }),
      targetLanguage: 'es',
    });
    expect(partial.clause?.text).toBe('<Good morning> <everyone and>');
    const final = await translateSegment(d, {
      transcript: { ...transcript, text: 'Good morning everyone and', increments: ['Good morning', 'everyone and'] },
      targetLanguage: 'es',
    });
    expect(final.text).toBe('<Good morning> <everyone and>');
    expect(asked).toHaveLength(4);
    expect(d.metrics.count).toHaveBeenCalledWith('TranslationMemoFailures');
    expect(d.log.warn).toHaveBeenCalledWith(
      expect.stringContaining('translation memo'),
      expect.objectContaining({ sessionId: transcript.sessionId, language: 'es' }),
    );
    expect(d.events.publish).toHaveBeenCalledTimes(2);
  });
});

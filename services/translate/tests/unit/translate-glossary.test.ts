// Translating with the session glossary: the version a transcript names is read and handed to the engine for every
// piece of the sentence, the version is copied onto the translation, and a glossary that cannot be read never keeps
// a caption from being translated.
import {
  type GlossaryEntry,
  type TranscriptFinalizedV1,
  TranscriptStabilizedV1,
  TranslationPartialV1,
  TranslationReadyV1,
} from '@llt/events';
import finalSample from '@llt/events/samples/llt.transcribe@TranscriptFinalized.v1.json';
import stableSample from '@llt/events/samples/llt.transcribe@TranscriptStabilized.v1.json';
import { expect, test } from 'vitest';
import type { GlossaryStore, TermOptions, TranslationEngine, TranslationMemo } from '#core/ports';
import { type TranslateDeps, translateIncrement, translateSegment } from '#core/translate';

const GLOSSARY: GlossaryEntry[] = [{ term: 'Nguyen', spoken: 'win', targets: { fr: 'Nguyễn' } }];

/** Writes each term of the glossary it is given as its target form, marks the rest as translated. */
function fakeEngine(calls: { text: string; terms?: TermOptions }[]): TranslationEngine {
  return {
    name: () => 'fake',
    async translate(text, _source, target, terms) {
      calls.push({ text, ...(terms ? { terms } : {}) });
      let out = `${target}(${text})`;
      for (const entry of terms?.glossary ?? [])
        out = out.replaceAll(entry.term, entry.targets?.[target] ?? entry.term);
      if (text.includes('drop')) terms?.lost?.(['Nguyen']);
      return out;
    },
  };
}

const noMemo: TranslationMemo = { get: async () => new Map(), put: async () => undefined };

function world(glossary?: GlossaryStore) {
  const calls: { text: string; terms?: TermOptions }[] = [];
  const counts: string[] = [];
  const warnings: string[] = [];
  const published: unknown[] = [];
  const deps: TranslateDeps = {
    engine: fakeEngine(calls),
    memo: noMemo,
    events: { publish: async (def, detail) => void published.push(def.schema.parse(detail)) },
    log: { info: () => undefined, warn: (message) => warnings.push(message), error: () => undefined },
    metrics: { latency: () => undefined, count: (name) => counts.push(name) },
    clock: { now: () => 1761213667000 },
    ...(glossary ? { glossary } : {}),
  };
  return { deps, calls, counts, warnings, published };
}

const store = (entries: GlossaryEntry[] | undefined, reads: string[] = []): GlossaryStore => ({
  get: async (sessionId, version) => {
    reads.push(`${sessionId}@${version}`);
    return entries;
  },
});

const transcript = (text: string, extra: Partial<TranscriptFinalizedV1> = {}) =>
  ({ ...(finalSample as TranscriptFinalizedV1), text, ...extra }) as TranscriptFinalizedV1;

test('a final naming a version is translated with its terms and carries the version on', async () => {
  const reads: string[] = [];
  const w = world(store(GLOSSARY, reads));
  const detail = await translateSegment(w.deps, {
    transcript: transcript('The report of Nguyen.', { glossaryVersion: 3 }),
    targetLanguage: 'fr',
  });
  expect(reads).toEqual([`${finalSample.sessionId}@3`]);
  expect(w.calls.map((c) => c.terms?.glossary)).toEqual([GLOSSARY]);
  expect(detail.text).toBe('fr(The report of Nguyễn.)');
  expect(detail.glossaryVersion).toBe(3);
  expect(TranslationReadyV1.schema.parse(detail)).toEqual(detail);
});

test('every piece of a kept final gets the terms: the increments the memo lacks and the rest', async () => {
  const w = world(store(GLOSSARY));
  await translateSegment(w.deps, {
    transcript: transcript('Nguyen said hello to Nguyen', { glossaryVersion: 1, increments: ['Nguyen said'] }),
    targetLanguage: 'es',
  });
  // The two pieces are translated at once: in either order.
  expect(w.calls.map((c) => [c.text, c.terms?.glossary === GLOSSARY]).sort()).toEqual([
    ['Nguyen said', true],
    ['hello to Nguyen', true],
  ]);
});

test('an increment naming a version is translated with its terms and carries the version on', async () => {
  const w = world(store(GLOSSARY));
  const increment = TranscriptStabilizedV1.schema.parse({ ...stableSample, text: 'and Nguyen', glossaryVersion: 2 });
  const detail = await translateIncrement(w.deps, { increment, targetLanguage: 'fr' });
  expect(w.calls[0]?.terms?.glossary).toEqual(GLOSSARY);
  expect(detail.text).toBe('fr(and Nguyễn)');
  expect(detail.glossaryVersion).toBe(2);
  expect(TranslationPartialV1.schema.parse(detail)).toEqual(detail);
});

test('without a version nothing is read, the engine gets no terms and the translation names no version', async () => {
  const reads: string[] = [];
  const w = world(store(GLOSSARY, reads));
  const detail = await translateSegment(w.deps, { transcript: transcript('Nguyen.'), targetLanguage: 'fr' });
  expect(reads).toEqual([]);
  expect(w.calls).toEqual([{ text: 'Nguyen.' }]);
  expect(detail).not.toHaveProperty('glossaryVersion');
});

test('a version not found, or a store that fails: logged, counted, translated without the glossary', async () => {
  const missing = world(store(undefined));
  const detail = await translateSegment(missing.deps, {
    transcript: transcript('Nguyen.', { glossaryVersion: 5 }),
    targetLanguage: 'fr',
  });
  expect(missing.calls).toEqual([{ text: 'Nguyen.' }]);
  expect(missing.counts).toContain('GlossaryVersionsMissing');
  // Speech reads the version itself: it is still named.
  expect(detail.glossaryVersion).toBe(5);

  const failing = world({
    get: async () => {
      throw new Error('throttled');
    },
  });
  await translateSegment(failing.deps, {
    transcript: transcript('Nguyen.', { glossaryVersion: 5 }),
    targetLanguage: 'fr',
  });
  expect(failing.calls).toEqual([{ text: 'Nguyen.' }]);
  expect(failing.counts).toContain('GlossaryReadFailures');
  expect(failing.warnings).toEqual([expect.stringMatching(/could not be read/)]);
});

test('terms the engine lost are counted and logged', async () => {
  const w = world(store(GLOSSARY));
  await translateSegment(w.deps, {
    transcript: transcript('Nguyen will drop by.', { glossaryVersion: 1 }),
    targetLanguage: 'es',
  });
  expect(w.counts).toContain('GlossaryTermsLost');
  expect(w.warnings).toContain('glossary terms lost in translation');
});

// Speaking an utterance whole, or in parts (clauses while the sentence goes on, then the rest at its end): what is
// said, where each part is stored, and what listeners are told about it.
import { SpeechSynthesizedV1, TranslationPartialV1, TranslationReadyV1 } from '@llt/events';
import { InvalidTaskInputError } from '@llt/platform';
import { failureOf } from '@llt/platform/testing';
import { expect, test } from 'vitest';
import type { SynthesizeDeps } from '#core/synthesize';
import { InvalidTextError } from '#errors';
import { makeSynthesizeHandler } from '#handlers/workflow';
import partialSample from '../../../../shared/events/samples/llt.translate@TranslationPartial.v1.json';
import readySample from '../../../../shared/events/samples/llt.translate@TranslationReady.v1.json';

function world() {
  const spoken: { text: string; language: string }[] = [];
  const stored = new Map<string, Uint8Array>();
  const published: unknown[] = [];
  const counts: string[] = [];
  const latencies: string[] = [];
  const deps: SynthesizeDeps = {
    engine: {
      synthesize: async (text, language) => {
        spoken.push({ text, language });
        return {
          audio: new TextEncoder().encode(text),
          contentType: 'audio/mpeg',
          durationMs: 1200,
          engine: 'fake:es',
        };
      },
    },
    store: {
      put: async (key, audio) => {
        stored.set(key, audio);
      },
      exists: async (key) => stored.has(key),
      presign: async (key, expiresInS) => `https://audio.example/${key}?expires=${expiresInS}`,
    },
    events: {
      publish: async (def, detail) => {
        published.push(def.schema.parse(detail));
      },
    },
    log: { info: () => undefined, warn: () => undefined, error: () => undefined },
    metrics: { latency: (name) => latencies.push(name), count: (name) => counts.push(name) },
    clock: { now: () => 1761213667000 },
    settings: { bucket: 'llt-audio', urlTtlSeconds: 300, clausePartWaitMs: 0 },
  };
  return { deps, spoken, stored, published, counts, latencies, synthesize: makeSynthesizeHandler(deps) };
}

const final = TranslationReadyV1.schema.parse(readySample);
const clause = (index: number, text: string) =>
  TranslationPartialV1.schema.parse({ ...partialSample, clause: { index, text } });
const prefix = `sessions/${final.sessionId}/es`;

/** Synthesize's answer to a final: the parts it made, in order. */
const made = (result: unknown) => result as SpeechSynthesizedV1[];

test('a final without parts is spoken whole under the segment key, as before', async () => {
  const w = world();
  const [detail, ...more] = made(await w.synthesize(final));
  expect(more).toEqual([]);
  if (!detail) throw new Error('nothing made');
  expect(w.spoken).toEqual([{ text: final.text, language: 'es' }]);
  expect([...w.stored.keys()]).toEqual([`${prefix}/seg-000003.mp3`]);
  expect(detail).not.toHaveProperty('part');
  expect(detail).not.toHaveProperty('last');
  expect(detail.audio.key).toBe(`${prefix}/seg-000003.mp3`);
  expect(w.published).toEqual([detail]);
  expect(w.latencies).toContain('SpeechSynthesizedMs');
  expect(w.counts).not.toContain('ClausesSynthesized');
});

test('a clause is spoken as its own part, with more to follow', async () => {
  const w = world();
  const detail = (await w.synthesize(clause(1, 'y bienvenidos a la reunión'))) as SpeechSynthesizedV1;
  expect(w.spoken).toEqual([{ text: 'y bienvenidos a la reunión', language: 'es' }]);
  expect(detail).toMatchObject({ part: 1, last: false, segmentId: 'seg-000003', language: 'es' });
  expect(detail.audio.key).toBe(`${prefix}/seg-000003-p1.mp3`);
  expect(detail.url).toBe(`https://audio.example/${prefix}/seg-000003-p1.mp3?expires=300`);
  expect(SpeechSynthesizedV1.schema.parse(w.published[0])).toEqual(detail);
  expect(w.counts).toEqual(['ClausesSynthesized']);
  // Its capture ends mid-sentence: not a figure from the end of speech.
  expect(w.latencies).not.toContain('SpeechSynthesizedMs');
});

test('a final after spoken clauses speaks only what is left, as the last part', async () => {
  const w = world();
  const [detail] = made(await w.synthesize({ ...final, speech: { text: 'la reunión anual.', part: 2 } }));
  expect(w.spoken).toEqual([{ text: 'la reunión anual.', language: 'es' }]);
  expect(detail).toMatchObject({ part: 2, last: true });
  expect(detail?.audio.key).toBe(`${prefix}/seg-000003-p2.mp3`);
  expect(w.latencies).toContain('SpeechSynthesizedMs');
});

test('a final makes again each clause part whose audio is missing, with the same key, then the rest', async () => {
  const w = world();
  await w.synthesize(clause(0, 'Buenos días a todos'));
  // Part 1's task failed: the final finds p0 stored and p1 not.
  const parts = made(
    await w.synthesize({
      ...final,
      speech: { text: 'a la reunión anual.', part: 2, clauses: ['Buenos días a todos', 'y bienvenidos'] },
    }),
  );
  expect(parts.map((p) => [p.part, p.last, p.audio.key])).toEqual([
    [1, false, `${prefix}/seg-000003-p1.mp3`],
    [2, true, `${prefix}/seg-000003-p2.mp3`],
  ]);
  // The rest is made while the parts are looked for.
  expect(w.spoken.map((s) => s.text).sort()).toEqual(['Buenos días a todos', 'a la reunión anual.', 'y bienvenidos']);
  expect(w.counts).toContain('ClausePartsRemade');
});

test('when the clauses said everything, the final makes only missing parts, the last of them ending the speech', async () => {
  const w = world();
  const everything = { ...final, speech: { text: '', part: 2, clauses: ['Buenos días a todos', 'y bienvenidos'] } };
  // Nobody made them (the language had no listener when the clauses ended): both, the second one last.
  const parts = made(await w.synthesize(everything));
  expect(parts.map((p) => [p.part, p.last])).toEqual([
    [0, false],
    [1, true],
  ]);
  // All there: nothing is made, nothing published.
  const again = world();
  await again.synthesize(clause(0, 'Buenos días a todos'));
  await again.synthesize(clause(1, 'y bienvenidos'));
  expect(made(await again.synthesize(everything))).toEqual([]);
  expect(again.published).toHaveLength(2);
});

test('every part of an utterance gets its own object, and a retried part rewrites only its own', async () => {
  const w = world();
  await w.synthesize(clause(0, 'Buenos días a todos'));
  await w.synthesize(clause(1, 'y bienvenidos'));
  await w.synthesize(clause(1, 'y bienvenidos'));
  await w.synthesize({ ...final, speech: { text: 'a la reunión anual.', part: 2 } });
  expect([...w.stored.keys()]).toEqual([
    `${prefix}/seg-000003-p0.mp3`,
    `${prefix}/seg-000003-p1.mp3`,
    `${prefix}/seg-000003-p2.mp3`,
  ]);
});

test('a clause with nothing to say fails without a retryable error and publishes no clip', async () => {
  const w = world();
  const error = await failureOf(w.synthesize(clause(1, '  ')));
  expect(error).toBeInstanceOf(InvalidTextError);
  expect(error.message).toContain('part 1 of seg-000003');
  expect(w.spoken).toEqual([]);
  expect(w.stored.size).toBe(0);
  expect(w.published).toEqual([]);
  expect(w.counts).toEqual([]);
});

test('an increment that ends no clause, or a payload of neither kind, is refused as task input', async () => {
  const w = world();
  const noClause = await failureOf(w.synthesize(TranslationPartialV1.schema.parse(partialSample)));
  expect(noClause).toBeInstanceOf(InvalidTaskInputError);
  expect(noClause.message).toMatch(/^SynthesizeClause received an invalid payload/);
  const junk = await failureOf(w.synthesize({ sessionId: final.sessionId }));
  expect(junk).toBeInstanceOf(InvalidTaskInputError);
  expect(junk.message).toMatch(/^Synthesize received an invalid payload/);
  expect(w.published).toEqual([]);
});

test('a final waits a moment for a clause part still being made rather than making it twice', async () => {
  const w = world();
  w.deps.settings.clausePartWaitMs = 2000;
  const everything = { ...final, speech: { text: '', part: 1, clauses: ['Buenos días a todos'] } };
  // The clause that ends the sentence lands while the final looks for it.
  setTimeout(() => void w.synthesize(clause(0, 'Buenos días a todos')), 200);
  expect(made(await w.synthesize(everything))).toEqual([]);
  expect(w.spoken.map((s) => s.text)).toEqual(['Buenos días a todos']);
});

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
    settings: { bucket: 'llt-audio', urlTtlSeconds: 300 },
  };
  return { deps, spoken, stored, published, counts, latencies, synthesize: makeSynthesizeHandler(deps) };
}

const final = TranslationReadyV1.schema.parse(readySample);
const clause = (index: number, text: string) =>
  TranslationPartialV1.schema.parse({ ...partialSample, clause: { index, text } });
const prefix = `sessions/${final.sessionId}/es`;

test('a final without parts is spoken whole under the segment key, as before', async () => {
  const w = world();
  const detail = await w.synthesize(final);
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
  const detail = await w.synthesize(clause(1, 'y bienvenidos a la reunión'));
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
  const detail = await w.synthesize({ ...final, speech: { text: 'la reunión anual.', part: 2 } });
  expect(w.spoken).toEqual([{ text: 'la reunión anual.', language: 'es' }]);
  expect(detail).toMatchObject({ part: 2, last: true });
  expect(detail.audio.key).toBe(`${prefix}/seg-000003-p2.mp3`);
  expect(w.latencies).toContain('SpeechSynthesizedMs');
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

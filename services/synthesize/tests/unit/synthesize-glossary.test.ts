// Speaking with the session glossary: the version a translation names is read, each term kept as written is handed
// to the engine with its spoken form, and a glossary that cannot be read never keeps a sentence from being spoken.
import type { GlossaryEntry } from '@llt/events';
import { TranslationPartialV1, TranslationReadyV1 } from '@llt/events';
import { expect, test } from 'vitest';
import type { GlossaryStore, Pronunciation } from '#core/ports';
import { type SynthesizeDeps, synthesizeClause, synthesizeSegment } from '#core/synthesize';
import partialSample from '../../../../shared/events/samples/llt.translate@TranslationPartial.v1.json';
import readySample from '../../../../shared/events/samples/llt.translate@TranslationReady.v1.json';

const GLOSSARY: GlossaryEntry[] = [
  { term: 'Nguyen', spoken: 'win' },
  { term: 'New Bridge Fund', spoken: 'new bridge fund', targets: { es: 'Fondo Puente Nuevo' } },
];

function world(glossary?: GlossaryStore) {
  const spoken: { text: string; language: string; pronunciations?: readonly Pronunciation[] }[] = [];
  const counts: string[] = [];
  const warnings: string[] = [];
  const reads: string[] = [];
  const deps: SynthesizeDeps = {
    engine: {
      synthesize: async (text, language, pronunciations) => {
        spoken.push({ text, language, ...(pronunciations ? { pronunciations } : {}) });
        return { audio: new Uint8Array([1]), contentType: 'audio/mpeg', durationMs: 900, engine: 'fake:es' };
      },
    },
    store: { put: async () => undefined, exists: async () => false, presign: async (key) => `https://a/${key}` },
    events: { publish: async () => undefined },
    log: { info: () => undefined, warn: (message) => warnings.push(message), error: () => undefined },
    metrics: { latency: () => undefined, count: (name) => counts.push(name) },
    clock: { now: () => 1761213667000 },
    settings: { bucket: 'llt-audio', urlTtlSeconds: 300, clausePartWaitMs: 0 },
    ...(glossary ? { glossary } : {}),
  };
  return { deps, spoken, counts, warnings, reads };
}

const store = (entries: GlossaryEntry[] | undefined, reads: string[] = []): GlossaryStore => ({
  get: async (sessionId, version) => {
    reads.push(`${sessionId}@${version}`);
    return entries;
  },
});

const ready = (text: string, glossaryVersion?: number) =>
  TranslationReadyV1.schema.parse({ ...readySample, text, ...(glossaryVersion ? { glossaryVersion } : {}) });

test("a term kept as written is spoken as its spoken form, in the source language's letters", async () => {
  const reads: string[] = [];
  const w = world(store(GLOSSARY, reads));
  await synthesizeSegment(w.deps, ready('El informe de Nguyen y del Fondo Puente Nuevo.', 4));
  expect(reads).toEqual([`${readySample.sessionId}@4`]);
  expect(w.spoken).toEqual([
    {
      text: 'El informe de Nguyen y del Fondo Puente Nuevo.',
      language: 'es',
      pronunciations: [{ start: 14, end: 20, spoken: 'win', language: 'en' }],
    },
  ]);
  expect(w.counts).toContain('GlossaryTermsSpoken');
});

test('a clause reads the version it names too', async () => {
  const w = world(store(GLOSSARY));
  const partial = TranslationPartialV1.schema.parse({
    ...partialSample,
    glossaryVersion: 2,
    clause: { index: 0, text: 'Nguyen dijo' },
  });
  await synthesizeClause(w.deps, partial as Parameters<typeof synthesizeClause>[1]);
  expect(w.spoken[0]?.pronunciations).toEqual([{ start: 0, end: 6, spoken: 'win', language: 'en' }]);
});

test('without a glossary version, or without a term in the text, the engine gets the text alone', async () => {
  const reads: string[] = [];
  const w = world(store(GLOSSARY, reads));
  await synthesizeSegment(w.deps, ready('El informe de Nguyen.'));
  await synthesizeSegment(w.deps, ready('Buenos días.', 4));
  expect(reads).toEqual([`${readySample.sessionId}@4`]);
  expect(w.spoken).toEqual([
    { text: 'El informe de Nguyen.', language: 'es' },
    { text: 'Buenos días.', language: 'es' },
  ]);
});

test('a version not found, or a store that fails, is logged and counted; the text is spoken as written', async () => {
  const missing = world(store(undefined));
  await synthesizeSegment(missing.deps, ready('El informe de Nguyen.', 9));
  expect(missing.spoken).toEqual([{ text: 'El informe de Nguyen.', language: 'es' }]);
  expect(missing.counts).toContain('GlossaryVersionsMissing');
  expect(missing.warnings).toEqual([expect.stringMatching(/not found/)]);

  const failing = world({
    get: async () => {
      throw new Error('throttled');
    },
  });
  await synthesizeSegment(failing.deps, ready('El informe de Nguyen.', 9));
  expect(failing.spoken).toEqual([{ text: 'El informe de Nguyen.', language: 'es' }]);
  expect(failing.counts).toContain('GlossaryReadFailures');
});

// Real local voices (SVOX Pico, festival, espeak-ng) + LAME: MP3 per product language, the Catalan voice's Latin-1
// input, markup that must not steer a voice, falling back to espeak-ng, and the engine on worker threads.
import { existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { LocalSpeechEngine } from '#adapters/local-speech';
import { localSpeechCapabilities, resolveLocalVoices } from '#adapters/local-voices';
import { WorkerSpeechEngine } from '#adapters/worker-speech-engine';
import { SynthesisError, UnsupportedLanguageError } from '#errors';
import { expectPlausibleSpeech } from '../speech.ts';

const SENTENCES: Record<string, string> = {
  es: 'Buenos días, hoy vamos a hablar de la historia de la ciudad.',
  ca: 'Bon dia, avui parlarem de la història de la nostra ciutat.',
  fr: "Bonjour à tous, aujourd'hui nous allons parler de l'histoire de la ville.",
  it: 'Buongiorno a tutti, oggi parliamo della storia della nostra città.',
  pt: 'Bom dia, hoje vamos falar da história da nossa cidade velha.',
  oc: "Bonjorn a totes, uèi parlarem de l'istòria de la nòstra vila.",
  gl: 'Bos días, hoxe imos falar da historia da nosa cidade vella.',
  eo: 'Bonan tagon, hodiaŭ ni parolos pri la historio de la urbo.',
};

/** The voice the declaration promises for each language on this machine. */
const DECLARED = Object.fromEntries(localSpeechCapabilities().voices.map((v) => [v.language, v.voice]));

describe('LocalSpeechEngine', () => {
  const engine = new LocalSpeechEngine();

  beforeAll(async () => {
    await engine.warm();
  }, 60_000);

  afterAll(() => engine.close());

  it.each(Object.entries(SENTENCES))('speaks %s to MP3 with the declared voice', async (language, text) => {
    const result = await engine.synthesize(text, language);
    expectPlausibleSpeech(result, 9000);
    expect(result.engine).toBe(DECLARED[language]);
  });

  it('speaks a regional tag with its base language voice', async () => {
    const result = await engine.synthesize(SENTENCES.fr ?? '', 'fr-CA');
    expect(result.engine).toBe(DECLARED.fr);
  });

  it('speaks Catalan with apostrophes, accents and characters Latin-1 lacks', async () => {
    const result = await engine.synthesize("L'àudio d'avui: què en penses? Costa 5 € — diu l’Łukasz.", 'ca');
    expectPlausibleSpeech(result, 9000);
    expect(result.engine).toBe(DECLARED.ca);
  });

  it('rejects an unknown language with a clear message', async () => {
    const error = await engine.synthesize('hola', 'xx').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnsupportedLanguageError);
    expect((error as Error).message).toMatch(/no local voice for language "xx" \(voiced: .*es.*\)/);
  });

  it.each(['', '   \n\t '])('rejects empty or whitespace text %j', async (text) => {
    await expect(engine.synthesize(text, 'es')).rejects.toBeInstanceOf(SynthesisError);
  });

  it.each(['es', 'ca', 'eo'])('does not let markup in the text steer the %s voice', async (language) => {
    const plain = await engine.synthesize('uno, dos', language);
    const injected = await engine.synthesize('uno <break time="20s"/> dos <break time="20s"/>', language);
    // A honoured break would add 20 s; spelled-out markup adds a few.
    expect(injected.durationMs - plain.durationMs).toBeLessThan(10_000);
  });

  it('reads festival input as text, never as Scheme', async () => {
    const marker = join(tmpdir(), `llt-festival-injection-${process.pid}`);
    rmSync(marker, { force: true });
    const text = `hola") (system "touch ${marker}") ("\\`;
    const result = await engine.synthesize(text, 'ca');
    expect(result.durationMs).toBeGreaterThan(500);
    expect(existsSync(marker)).toBe(false);
  });

  it('serves 12 parallel requests across voices', async () => {
    const languages = Object.keys(SENTENCES);
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) => {
        const language = languages[i % languages.length] ?? 'es';
        return engine.synthesize(SENTENCES[language] ?? '', language);
      }),
    );
    for (const r of results) expectPlausibleSpeech(r, 9000);
  });
});

describe('LocalSpeechEngine falling back to espeak-ng', () => {
  it('warms only the languages it is asked to: a voice of another language is never loaded', async () => {
    const warn = vi.fn();
    const engine = new LocalSpeechEngine(
      {
        voices: {
          es: [{ engine: 'festival', voice: 'upc_ca_ona_hts', kind: 'hts', festivalBinary: '/nonexistent/festival' }],
          eo: [{ engine: 'espeak-ng', voice: 'eo', kind: 'formant' }],
        },
      },
      { warn },
    );
    try {
      await engine.warm(['eo']);
      expect(warn).not.toHaveBeenCalled();
      await expect(engine.synthesize(SENTENCES.es ?? '', 'es')).rejects.toThrow();
      expect(warn).toHaveBeenCalled();
    } finally {
      engine.close();
    }
  });

  it('speaks with espeak-ng when a better voice fails to load, and says so once', async () => {
    const installed = resolveLocalVoices();
    const warn = vi.fn();
    const engine = new LocalSpeechEngine(
      {
        voices: {
          es: [
            {
              engine: 'pico',
              voice: 'es-ES',
              kind: 'hts',
              textAnalysisFile: '/nonexistent/es-ES_ta.bin',
              signalGenerationFile: '/nonexistent/es-ES_zl0_sg.bin',
            },
            ...(installed.es ?? []).filter((v) => v.engine === 'espeak-ng'),
          ],
          ca: [
            { engine: 'festival', voice: 'upc_ca_ona_hts', kind: 'hts', festivalBinary: '/nonexistent/festival' },
            { engine: 'espeak-ng', voice: 'ca', kind: 'formant' },
          ],
        },
      },
      { warn },
    );
    try {
      for (let i = 0; i < 2; i++) {
        expect((await engine.synthesize(SENTENCES.es ?? '', 'es')).engine).toBe('espeak-ng:es');
        expect((await engine.synthesize(SENTENCES.ca ?? '', 'ca')).engine).toBe('espeak-ng:ca');
      }
      expect(warn).toHaveBeenCalledTimes(2);
      expect(warn.mock.calls.map((c) => (c[1] as { voice: string }).voice).sort()).toEqual([
        'festival:upc_ca_ona_hts',
        'pico:es-ES',
      ]);
    } finally {
      engine.close();
    }
  });
});

describe('WorkerSpeechEngine (local voices)', () => {
  const engine = new WorkerSpeechEngine({ workers: 2, engine: 'local' });

  afterAll(() => engine.close());

  it('speaks on worker threads with the declared voices', async () => {
    await engine.warm();
    const results = await Promise.all(
      ['ca', 'fr', 'es', 'eo'].map((language) => engine.synthesize(SENTENCES[language] ?? '', language)),
    );
    for (const r of results) expectPlausibleSpeech(r, 9000);
    expect(results.map((r) => r.engine)).toEqual([DECLARED.ca, DECLARED.fr, DECLARED.es, DECLARED.eo]);
  }, 90_000);

  it('passes an unsupported language on under its own error name', async () => {
    const error = await engine.synthesize('hola', 'xx').catch((e: unknown) => e);
    expect((error as Error).name).toBe('UnsupportedLanguageError');
  });
});

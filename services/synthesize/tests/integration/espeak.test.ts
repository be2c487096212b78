// Real espeak-ng + LAME (WebAssembly): MP3 output per catalog language, input validation and concurrency.
import { beforeAll, describe, expect, it } from 'vitest';
import { EspeakSpeechEngine } from '#adapters/espeak';
import { SynthesisError } from '#errors';
import { expectPlausibleSpeech, startsLikeMp3 } from '../speech.ts';

const SENTENCES: Record<string, string> = {
  es: 'Buenos días, hoy vamos a hablar de la historia de la ciudad.',
  ca: 'Bon dia, avui parlarem de la història de la nostra ciutat.',
  eo: 'Bonan tagon, hodiaŭ ni parolos pri la historio de la urbo.',
  gl: 'Bos días, hoxe imos falar da historia da nosa cidade vella.',
};

describe.each(['wasm', 'cli'] as const)('EspeakSpeechEngine (%s)', (backend) => {
  const engine = new EspeakSpeechEngine({ backend });

  beforeAll(async () => {
    await engine.warm();
  });

  it.each(Object.entries(SENTENCES))('synthesizes %s to MP3 with a plausible duration', async (language, text) => {
    expectPlausibleSpeech(await engine.synthesize(text, language), 8000);
  });

  it.each(['', '   \n\t '])('rejects empty or whitespace text %j', async (text) => {
    await expect(engine.synthesize(text, 'es')).rejects.toBeInstanceOf(SynthesisError);
  });

  it('rejects an unknown language with a clear message', async () => {
    const error = await engine.synthesize('hola', 'xx').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SynthesisError);
    expect((error as Error).message).toMatch(/no espeak-ng voice for language "xx"/);
  });

  it('does not interpret SSML or phoneme markup in the text', async () => {
    const plain = await engine.synthesize('uno dos', 'es');
    const injected = await engine.synthesize('uno <break time="5s"/> dos', 'es');
    // A honoured break would add 5 s; spelled-out markup adds well under that.
    expect(injected.durationMs - plain.durationMs).toBeLessThan(4000);
    const dashed = await engine.synthesize('--help', 'es');
    expect(dashed.durationMs).toBeGreaterThan(0);
  });

  it('serves 10 parallel requests', async () => {
    const languages = Object.keys(SENTENCES);
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => {
        const language = languages[i % languages.length] ?? 'es';
        return engine.synthesize(SENTENCES[language] ?? '', language);
      }),
    );
    for (const r of results) {
      expect(startsLikeMp3(r.audio)).toBe(true);
      expect(r.durationMs).toBeGreaterThan(1500);
    }
  });
});

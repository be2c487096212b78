// Glossary terms spoken by the real local voices: espeak-ng says the spoken form with the source language's
// phonemes (checked on espeak-ng's own phoneme output), every voice's speech of a term differs from the term read
// as written, and the voice is itself again for the next sentence.
import { execFileSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { Espeak, EspeakSpeechEngine, espeakText } from '#adapters/espeak';
import { LocalSpeechEngine } from '#adapters/local-speech';
import { WorkerSpeechEngine } from '#adapters/worker-speech-engine';
import type { Pronunciation } from '#core/ports';

/** A sentence per language with the name "Nguyen" in it, kept as written (no target form). */
const SENTENCES: Record<string, string> = {
  es: 'El informe de Nguyen es muy bueno.',
  ca: "L'informe de Nguyen és molt bo.",
  eo: 'La raporto de Nguyen estas tre bona.',
  gl: 'O informe de Nguyen é moi bo.',
  fr: 'Le rapport de Nguyen est très bon.',
  it: 'Il rapporto di Nguyen è molto buono.',
  pt: 'O relatório de Nguyen é muito bom.',
  oc: "L'informe de Nguyen es plan bon.",
};
const ESPEAK_VOICE: Record<string, string> = {
  es: 'es',
  ca: 'ca',
  eo: 'eo',
  gl: 'pt',
  fr: 'fr',
  it: 'it',
  pt: 'pt',
  oc: 'ca',
};

function nguyen(text: string, spoken = 'win'): Pronunciation[] {
  const start = text.indexOf('Nguyen');
  return [{ start, end: start + 'Nguyen'.length, spoken, language: 'en' }];
}

/** espeak-ng's phonemes for what `espeakText` makes of the sentence (the CLI reading the same SSML). */
function phonemes(text: string, voice: string, pronunciations: Pronunciation[]): string {
  const ssml = espeakText(text, pronunciations, { ssml: true });
  return execFileSync('espeak-ng', ['-m', '-q', '-x', '-v', voice], { input: ssml }).toString();
}

describe('espeak-ng says a term as its spoken form, with the source language phonemes', () => {
  it.each(Object.entries(SENTENCES))('%s', (language, text) => {
    const voice = ESPEAK_VOICE[language]!;
    const plain = phonemes(text, voice, []);
    const said = phonemes(text, voice, nguyen(text));
    // English "win" (w'In), where the target voice reads the name by its own rules.
    expect(said).toMatch(/w'In/);
    expect(plain).not.toMatch(/w'In/);
    // The rest of the sentence is the target voice's as before: the words after the name are the same phonemes.
    const tail = (s: string) => s.replace(/\s+/g, ' ').trim().split(' ').slice(-2).join(' ');
    expect(tail(said)).toBe(tail(plain));
  });

  it('a longer spoken form takes longer to say, and the voice is itself again afterwards', async () => {
    const espeak = new Espeak({ backend: 'wasm' });
    const text = SENTENCES.es!;
    const before = await espeak.synthesize(text, 'es');
    const short = await espeak.synthesize(text, 'es', nguyen(text, 'win'));
    const long = await espeak.synthesize(text, 'es', nguyen(text, 'koo ber net eez win'));
    const after = await espeak.synthesize(text, 'es');
    expect(long.samples.length).toBeGreaterThan(short.samples.length + short.sampleRate * 0.3);
    // espeak-ng varies a sentence by a few samples from one synthesis to the next; a voice left in English would
    // read the Spanish sentence by English rules, hundreds of milliseconds apart.
    expect(Math.abs(after.samples.length - before.samples.length)).toBeLessThan(before.sampleRate * 0.02);
  });

  it.each(['wasm', 'cli'] as const)(
    'the %s build speaks the term differently from the name as written',
    async (backend) => {
      const engine = new EspeakSpeechEngine({ backend });
      const text = SENTENCES.es!;
      const plain = await engine.synthesize(text, 'es');
      const said = await engine.synthesize(text, 'es', nguyen(text, 'koo ber net eez'));
      expect(said.durationMs).toBeGreaterThan(plain.durationMs);
    },
  );
});

describe('every local voice speaks the spoken form', () => {
  const engine = new LocalSpeechEngine();
  afterAll(() => engine.close());

  it.each(Object.entries(SENTENCES))('%s', async (language, text) => {
    const plain = await engine.synthesize(text, language);
    const said = await engine.synthesize(text, language, nguyen(text, 'koo ber net eez win'));
    expect(said.engine).toBe(plain.engine);
    // Five syllables in place of two or three: clearly longer whatever the voice.
    expect(said.durationMs - plain.durationMs, `${plain.engine}`).toBeGreaterThan(300);
  });
});

describe('on worker threads', () => {
  const engine = new WorkerSpeechEngine({ engine: 'local', workers: 1 });
  afterAll(() => engine.close());

  it('the pronunciations reach the voice', async () => {
    const text = SENTENCES.es!;
    const plain = await engine.synthesize(text, 'es');
    const said = await engine.synthesize(text, 'es', nguyen(text, 'koo ber net eez win'));
    expect(said.durationMs - plain.durationMs).toBeGreaterThan(300);
  });
});

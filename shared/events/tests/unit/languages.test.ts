// Deriving a deployment's languages from what its engines declare.
import { describe, expect, test } from 'vitest';
import {
  deriveLanguages,
  languageName,
  matchLanguage,
  nativeLanguageName,
  parseLanguages,
  serializeLanguages,
  targetsOf,
} from '../../src/languages.ts';

const recognition = (...codes: string[]) => ({
  engine: 'asr',
  languages: codes.map((code) => ({ code, engineCode: code })),
});
const anyToAny = (...codes: string[]) => ({
  engine: 'mt',
  pairs: codes.flatMap((source) => codes.filter((t) => t !== source).map((target) => ({ source, target }))),
});
const voices = (...languages: string[]) => ({
  engine: 'tts',
  voices: languages.map((language) => ({ language, voice: `v-${language}`, kind: 'neural' as const })),
});

describe('deriveLanguages', () => {
  test('offers recognised sources the translator reads, its targets, spoken where a voice exists', () => {
    const languages = deriveLanguages(
      recognition('en-US', 'es-US', 'zu-ZA'),
      anyToAny('en', 'es', 'fr', 'fr-CA'),
      voices('es', 'fr'),
    );
    // Zulu is recognised but not translated: not offered. fr-CA is spoken by the French voice.
    expect(languages).toEqual({
      sources: ['en-US', 'es-US'],
      targets: ['es', 'fr', 'fr-CA', 'en'],
      spoken: ['es', 'fr', 'fr-CA'],
    });
    expect(targetsOf(languages, 'en-US')).toEqual(['es', 'fr', 'fr-CA']);
    expect(targetsOf(languages, 'es-US')).toEqual(['fr', 'fr-CA', 'en']);
    expect(targetsOf(languages, 'de')).toEqual([]);
  });

  test('spells out the pairs when a source does not reach every target (pivots from English only)', () => {
    const languages = deriveLanguages(
      recognition('en', 'ca'),
      {
        engine: 'apertium',
        pairs: [
          { source: 'en', target: 'es' },
          { source: 'en', target: 'fr', via: ['ca'] },
          { source: 'ca', target: 'en' },
        ],
      },
      voices('es'),
    );
    expect(languages.pairs).toEqual({ en: ['es', 'fr'], ca: ['en'] });
    expect(targetsOf(languages, 'ca')).toEqual(['en']);
    expect(languages.spoken).toEqual(['es']);
  });

  test('survives LLT_LANGUAGES and refuses a malformed one plainly', () => {
    const languages = deriveLanguages(recognition('en'), anyToAny('en', 'es'), voices());
    expect(parseLanguages(serializeLanguages(languages))).toEqual(languages);
    expect(() => parseLanguages(undefined)).toThrow(/LLT_LANGUAGES is not set/);
    expect(() => parseLanguages('{')).toThrow(/not JSON/);
    expect(() => parseLanguages('{"sources":"en"}')).toThrow(/malformed/);
  });
});

test('a bare language matches the first variant offered; an exact one itself', () => {
  expect(matchLanguage(['en-US', 'es-US', 'es-ES'], 'es')).toBe('es-US');
  expect(matchLanguage(['en-US', 'es-US', 'es-ES'], 'es-ES')).toBe('es-ES');
  expect(matchLanguage(['en-US'], 'fr')).toBeUndefined();
});

test('names come from CLDR, in English and in the language itself', () => {
  expect(languageName('ca')).toBe('Catalan');
  expect(nativeLanguageName('ca')).toBe('Català');
  expect(languageName('es-US')).toBe('Spanish (United States)');
  expect(languageName('qq')).toBe('qq');
});

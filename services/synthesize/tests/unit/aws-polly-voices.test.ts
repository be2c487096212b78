// Amazon Polly's declared voices: one per language it can speak, well formed, neural where it can be. That each is a
// Translate target is checked where both are composed (infra/tests/services.test.ts).
import { VOICE_KINDS } from '@llt/events';
import { describe, expect, test } from 'vitest';
import { AMAZON_POLLY_CAPABILITIES, AMAZON_POLLY_VOICES } from '#adapters/aws-polly-voices';

const { voices } = AMAZON_POLLY_CAPABILITIES;

describe('AMAZON_POLLY_CAPABILITIES', () => {
  test('is the amazon-polly engine with a voice for at least 25 languages', () => {
    expect(AMAZON_POLLY_CAPABILITIES.engine).toBe('amazon-polly');
    expect(voices.length).toBeGreaterThanOrEqual(25);
  });

  test('has exactly the contract shape: language, voice, kind', () => {
    for (const voice of voices) expect(Object.keys(voice).sort()).toEqual(['kind', 'language', 'voice']);
    expect(voices).toEqual(AMAZON_POLLY_VOICES.map(({ language, voice, kind }) => ({ language, voice, kind })));
  });

  test.each(AMAZON_POLLY_VOICES.map((v) => [v.language, v.voice, v.kind, v.pollyLanguage] as const))(
    '%s: %s is a %s voice in %s',
    (language, voice, kind, pollyLanguage) => {
      expect(language).toMatch(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$/);
      expect(voice).toMatch(/^[A-Z][a-z]+$/);
      expect(['neural', 'standard']).toContain(kind);
      expect(VOICE_KINDS).toContain(kind);
      expect(pollyLanguage).toMatch(/^[a-z]{2,3}-[A-Z]{2}$/);
    },
  );

  test('chooses one voice per language', () => {
    const languages = voices.map((v) => v.language);
    expect(new Set(languages).size).toBe(languages.length);
  });

  test('speaks the regional targets with their own voices, and neural voices for the widely spoken languages', () => {
    const byLanguage = new Map(voices.map((v) => [v.language, v]));
    expect(byLanguage.get('fr-CA')?.voice).not.toBe(byLanguage.get('fr')?.voice);
    expect(byLanguage.get('pt-PT')?.voice).not.toBe(byLanguage.get('pt')?.voice);
    expect(byLanguage.get('es-MX')?.voice).not.toBe(byLanguage.get('es')?.voice);
    for (const language of ['en', 'es', 'fr', 'de', 'it', 'pt', 'ja', 'ko', 'zh']) {
      expect(byLanguage.get(language)?.kind).toBe('neural');
    }
  });
});

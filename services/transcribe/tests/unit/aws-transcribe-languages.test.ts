// Amazon Transcribe Streaming's declared languages: well formed, unique, and the preferred locale of each first.
import { matchLanguage } from '@llt/events';
import { describe, expect, test } from 'vitest';
import { AMAZON_TRANSCRIBE_CAPABILITIES } from '#adapters/aws-transcribe-languages';

const { languages } = AMAZON_TRANSCRIBE_CAPABILITIES;
const codes = languages.map((l) => l.code);

describe('AMAZON_TRANSCRIBE_CAPABILITIES', () => {
  test('is the amazon-transcribe engine with well over 25 locales', () => {
    expect(AMAZON_TRANSCRIBE_CAPABILITIES.engine).toBe('amazon-transcribe');
    expect(languages.length).toBeGreaterThanOrEqual(25);
  });

  test.each(languages.map((l) => [l.code, l.engineCode]))(
    '%s is a product code and %s a Transcribe locale',
    (code, engineCode) => {
      expect(code).toMatch(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$/);
      expect(engineCode).toMatch(/^[a-z]{2,3}-[A-Z]{2}$/);
    },
  );

  test('lists no product code and no Transcribe code twice', () => {
    expect(new Set(codes).size).toBe(codes.length);
    expect(new Set(languages.map((l) => l.engineCode)).size).toBe(languages.length);
  });

  test.each([
    ['en', 'en-US'],
    ['es', 'es-US'],
    ['fr', 'fr-FR'],
    ['de', 'de-DE'],
    ['pt', 'pt-BR'],
    ['zh', 'zh-CN'],
    ['ar', 'ar-SA'],
    ['fa', 'fa-IR'],
    ['sw', 'sw-KE'],
  ])('a bare %s resolves to %s', (language, locale) => {
    expect(matchLanguage(codes, language)).toBe(locale);
  });
});

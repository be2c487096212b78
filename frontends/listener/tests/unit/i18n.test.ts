import { describe, expect, test } from 'vitest';
import { en } from '../../src/i18n/en.ts';
import { formatMessage, LOCALES, pickLocale, placeholders } from '../../src/i18n/index.ts';

const englishKeys = Object.keys(en).sort();

describe('message files', () => {
  for (const [locale, messages] of Object.entries(LOCALES)) {
    describe(locale, () => {
      test('has exactly the English keys', () => {
        expect(Object.keys(messages).sort()).toEqual(englishKeys);
      });

      test('keeps the placeholders of every English message', () => {
        for (const key of englishKeys) {
          const k = key as keyof typeof en;
          expect({ key, placeholders: placeholders(messages[k]) }).toEqual({ key, placeholders: placeholders(en[k]) });
        }
      });

      test('plurals where English has them, with an "other" form and only the plural categories of the locale', () => {
        const categories = new Intl.PluralRules(locale).resolvedOptions().pluralCategories;
        for (const key of englishKeys) {
          const k = key as keyof typeof en;
          const message = messages[k];
          expect({ key, plural: typeof message !== 'string' }).toEqual({ key, plural: typeof en[k] !== 'string' });
          if (typeof message === 'string') continue;
          expect(message.other, key).toBeTruthy();
          for (const form of Object.keys(message)) expect(categories, `${key}: ${form}`).toContain(form);
        }
      });

      test('has no empty message', () => {
        for (const [key, message] of Object.entries(messages)) {
          const texts = typeof message === 'string' ? [message] : Object.values(message);
          for (const text of texts) expect(text?.trim(), key).toBeTruthy();
        }
      });
    });
  }
});

describe('pickLocale', () => {
  test('takes the first preferred language that has messages, by its language subtag', () => {
    expect(pickLocale(['de-DE', 'es-MX', 'en'])).toBe('es');
    expect(pickLocale(['pt-BR', 'en'])).toBe('pt');
    expect(pickLocale(['fr-CA'])).toBe('fr');
    expect(pickLocale(['CA'])).toBe('ca');
    expect(pickLocale([undefined, 'gl-ES'])).toBe('gl');
  });

  test('falls back to English for a language without a message file', () => {
    expect(pickLocale(['ja-JP', 'de'])).toBe('en');
    expect(pickLocale([])).toBe('en');
  });
});

describe('formatMessage', () => {
  test('fills named placeholders', () => {
    expect(formatMessage('es', 'join.unknownCode', { code: 'K7M2QX' })).toContain('K7M2QX');
    expect(formatMessage('en', 'session.changeLanguage', { language: 'Español' })).toBe('Español: change language');
  });

  test('formats numbers for the locale', () => {
    expect(formatMessage('en', 'audio.catchingUp', { rate: 1.25 })).toBe('Catching up (1.25×)');
    expect(formatMessage('es', 'audio.catchingUp', { rate: 1.25 })).toBe('Recuperando el retraso (1,25×)');
  });

  test('chooses the plural form by count', () => {
    expect(formatMessage('en', 'audio.waiting', { count: 1 })).toBe('1 waiting');
    expect(formatMessage('ca', 'audio.waiting', { count: 3 })).toBe('3 en espera');
    // French has a "many" category (a million); a message without that form takes "other".
    expect(formatMessage('fr', 'audio.waiting', { count: 1_000_000 })).toMatch(/^1\D000\D000 en attente$/);
  });

  test('an unknown locale is English', () => {
    expect(formatMessage('xx', 'audio.jump')).toBe('Jump to live');
  });
});

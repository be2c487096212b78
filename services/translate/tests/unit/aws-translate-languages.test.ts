// Amazon Translate's declared languages: well formed, unique, every one to every other.
import { describe, expect, test } from 'vitest';
import { AMAZON_TRANSLATE_CAPABILITIES, AMAZON_TRANSLATE_LANGUAGES } from '#adapters/aws-translate-languages';

const { pairs } = AMAZON_TRANSLATE_CAPABILITIES;
const targets = [...new Set(pairs.map((p) => p.target))];

describe('AMAZON_TRANSLATE_CAPABILITIES', () => {
  test('is the amazon-translate engine with at least 70 target languages', () => {
    expect(AMAZON_TRANSLATE_CAPABILITIES.engine).toBe('amazon-translate');
    expect(targets.length).toBeGreaterThanOrEqual(70);
  });

  test.each(AMAZON_TRANSLATE_LANGUAGES.map((code) => [code]))('%s is a well-formed language code', (code) => {
    expect(code).toMatch(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$/);
  });

  test('lists no language twice, and no "auto"', () => {
    expect(new Set(AMAZON_TRANSLATE_LANGUAGES).size).toBe(AMAZON_TRANSLATE_LANGUAGES.length);
    expect(AMAZON_TRANSLATE_LANGUAGES).not.toContain('auto');
  });

  test('translates every language into every other, and none into itself', () => {
    const n = AMAZON_TRANSLATE_LANGUAGES.length;
    expect(pairs).toHaveLength(n * (n - 1));
    expect(new Set(pairs.map((p) => `${p.source}>${p.target}`)).size).toBe(pairs.length);
    expect(pairs.every((p) => p.source !== p.target && p.via === undefined)).toBe(true);
    expect([...targets].sort()).toEqual([...AMAZON_TRANSLATE_LANGUAGES].sort());
  });

  test('has the regional variants Translate names as languages of their own', () => {
    for (const code of ['fr-CA', 'es-MX', 'pt-PT', 'zh-TW', 'fa-AF'])
      expect(AMAZON_TRANSLATE_LANGUAGES).toContain(code);
  });
});

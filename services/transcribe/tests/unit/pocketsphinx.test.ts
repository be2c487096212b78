import { describe, expect, test } from 'vitest';
import { cleanHypothesis } from '#adapters/pocketsphinx';

describe('cleanHypothesis', () => {
  test('keeps engine text as it is, trimmed', () => {
    expect(cleanHypothesis('  the quick brown fox ')).toBe('the quick brown fox');
    expect(cleanHypothesis("we'll meet at nine o'clock")).toBe("we'll meet at nine o'clock");
  });

  test('drops fillers and sentence markers', () => {
    expect(cleanHypothesis('<s> hello <sil> [NOISE] world ++BREATH++ </s>')).toBe('hello world');
  });

  test('drops alternate-pronunciation markers', () => {
    expect(cleanHypothesis('i read(2) the(3) book')).toBe('i read the book');
  });

  test('returns an empty text when nothing but fillers was heard', () => {
    expect(cleanHypothesis('<sil> [NOISE]')).toBe('');
    expect(cleanHypothesis('')).toBe('');
  });
});

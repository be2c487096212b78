// Word error rate counts on hand-made cases, where the right answer can be checked by eye.
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { aggregateWer, normalizeForWer, wordErrorRate } from '../support/wer.ts';

describe('normalizeForWer', () => {
  test('lower-cases, drops punctuation and collapses whitespace', () => {
    expect(normalizeForWer('  Good morning,   everyone!\tHow are you?\n')).toBe('good morning everyone how are you');
  });

  test('keeps apostrophes inside words and drops them at word edges', () => {
    expect(normalizeForWer("I don't know; it's the speakers' 'best' idea")).toBe(
      "i don't know it's the speakers best idea",
    );
    expect(normalizeForWer('We’re here')).toBe("we're here");
  });

  test('splits hyphenated words and leaves numbers as they are written', () => {
    expect(normalizeForWer('Page forty-two, not 42.')).toBe('page forty two not 42');
  });

  test('is empty for text without words', () => {
    expect(normalizeForWer(' ... ?! ')).toBe('');
  });
});

describe('wordErrorRate', () => {
  const reference = 'the cat sat on the mat';

  test('identical text, ignoring case and punctuation', () => {
    expect(wordErrorRate(reference, 'The cat sat on the mat.')).toEqual({
      wer: 0,
      substitutions: 0,
      deletions: 0,
      insertions: 0,
      referenceWords: 6,
    });
  });

  test('one substitution', () => {
    expect(wordErrorRate(reference, 'the cat sat on the hat')).toEqual({
      wer: 1 / 6,
      substitutions: 1,
      deletions: 0,
      insertions: 0,
      referenceWords: 6,
    });
  });

  test('one deletion', () => {
    expect(wordErrorRate(reference, 'the cat on the mat')).toEqual({
      wer: 1 / 6,
      substitutions: 0,
      deletions: 1,
      insertions: 0,
      referenceWords: 6,
    });
  });

  test('one insertion', () => {
    expect(wordErrorRate(reference, 'the cat sat down on the mat')).toEqual({
      wer: 1 / 6,
      substitutions: 0,
      deletions: 0,
      insertions: 1,
      referenceWords: 6,
    });
  });

  test('a mix of all three', () => {
    // the cat [sat→sit] on [the→∅] mat [+today]
    expect(wordErrorRate(reference, 'the cat sit on mat today')).toEqual({
      wer: 3 / 6,
      substitutions: 1,
      deletions: 1,
      insertions: 1,
      referenceWords: 6,
    });
  });

  test('empty hypothesis: every reference word is deleted', () => {
    expect(wordErrorRate(reference, '')).toEqual({
      wer: 1,
      substitutions: 0,
      deletions: 6,
      insertions: 0,
      referenceWords: 6,
    });
  });

  test('more inserted words than reference words gives a rate above 1', () => {
    expect(wordErrorRate('yes', 'yes yes yes')).toMatchObject({ wer: 2, insertions: 2 });
  });

  test('empty reference: 0 for an empty hypothesis, Infinity for any word', () => {
    expect(wordErrorRate('', '  ')).toEqual({
      wer: 0,
      substitutions: 0,
      deletions: 0,
      insertions: 0,
      referenceWords: 0,
    });
    expect(wordErrorRate('...', 'hello there')).toEqual({
      wer: Number.POSITIVE_INFINITY,
      substitutions: 0,
      deletions: 0,
      insertions: 2,
      referenceWords: 0,
    });
  });

  test('contractions are single words', () => {
    expect(wordErrorRate("I don't think so", 'I do not think so')).toMatchObject({
      substitutions: 1,
      insertions: 1,
      referenceWords: 4,
    });
  });
});

describe('aggregateWer', () => {
  test('divides all errors by all reference words, not the mean of sentence rates', () => {
    const result = aggregateWer([
      { reference: 'one two', hypothesis: 'one three' }, // 1 error in 2 words: 50 %
      { reference: 'a b c d e f g h', hypothesis: 'a b c d e f g h' }, // 0 errors in 8 words
    ]);
    // The mean of the sentence rates would be 25 %.
    expect(result).toEqual({ wer: 0.1, substitutions: 1, deletions: 0, insertions: 0, referenceWords: 10 });
  });

  test('sums every kind of error and counts empty references', () => {
    const result = aggregateWer([
      { reference: 'the cat sat on the mat', hypothesis: 'the cat sit on mat today' },
      { reference: '', hypothesis: 'uh' },
      { reference: 'hello', hypothesis: '' },
    ]);
    expect(result).toEqual({ wer: 5 / 7, substitutions: 1, deletions: 2, insertions: 2, referenceWords: 7 });
  });

  test('no pairs at all is a rate of 0', () => {
    expect(aggregateWer([])).toEqual({ wer: 0, substitutions: 0, deletions: 0, insertions: 0, referenceWords: 0 });
  });
});

describe('wordErrorRate invariants', () => {
  const sentence = fc.array(fc.constantFrom('a', 'b', 'c', 'd'), { maxLength: 9 }).map((w) => w.join(' '));

  test('the counts account for every word on both sides, and errors are the edit distance', () => {
    fc.assert(
      fc.property(sentence, sentence, (reference, hypothesis) => {
        const r = wordErrorRate(reference, hypothesis);
        const n = reference === '' ? 0 : reference.split(' ').length;
        const m = hypothesis === '' ? 0 : hypothesis.split(' ').length;
        expect(r.referenceWords).toBe(n);
        // Matched words are what the reference keeps after its substitutions and deletions; the hypothesis
        // is those plus its substitutions and insertions.
        expect(n - r.deletions + r.insertions).toBe(m);
        expect(r.substitutions + r.deletions + r.insertions).toBe(
          editDistance(reference.split(' '), hypothesis.split(' ')),
        );
      }),
    );
  });
});

/** Textbook Levenshtein distance, independent of the implementation under test. */
function editDistance(a: string[], b: string[]): number {
  const x = a.filter((w) => w !== '');
  const y = b.filter((w) => w !== '');
  let row = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const next = [i];
    for (let j = 1; j <= y.length; j++) {
      next[j] = Math.min(row[j]! + 1, next[j - 1]! + 1, row[j - 1]! + (x[i - 1] === y[j - 1] ? 0 : 1));
    }
    row = next;
  }
  return row[y.length]!;
}

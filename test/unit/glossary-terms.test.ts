// Scoring a session glossary on hand-made captions: which terms count as shown, and the WER of the other words.
import { describe, expect, test } from 'vitest';
import {
  countForm,
  type ScoredTerm,
  speakTerms,
  targetForm,
  termRecall,
  werOutsideTerms,
  werWithoutTerms,
  withoutTerms,
} from '../support/glossary-terms.ts';
import { wordErrorRate } from '../support/wer.ts';

const GLOSSARY: ScoredTerm[] = [
  { term: 'Nguyen', spoken: 'win' },
  { term: 'Kharkiv', spoken: 'car keev', targets: { es: 'Járkov', ca: 'Khàrkiv' } },
  { term: 'New Bridge Fund', spoken: 'new bridge fund' },
  { term: 'Bridge' },
];

describe('countForm', () => {
  test('counts whole words in any letter case', () => {
    expect(countForm('Professor NGUYEN met nguyen', 'Nguyen')).toBe(2);
  });

  test('a term inside a longer word is not the term', () => {
    expect(countForm('the Nguyens and Nguyenville', 'Nguyen')).toBe(0);
    expect(countForm('Bridgetown', 'Bridge')).toBe(0);
  });

  test('a possessive or punctuation after the term still shows it', () => {
    expect(countForm("Nguyen's report, and Nguyen.", 'Nguyen')).toBe(2);
  });

  test('a term of several words matches across any run of spaces, not across other words', () => {
    expect(countForm('the New  Bridge Fund pays', 'New Bridge Fund')).toBe(1);
    expect(countForm('the new big bridge fund', 'New Bridge Fund')).toBe(0);
  });

  test('accented forms match whether written composed or decomposed', () => {
    expect(countForm('de J\u0061\u0301rkov', 'Járkov')).toBe(1);
    expect(countForm('JÁRKOV', 'Járkov')).toBe(1);
  });
});

describe('targetForm', () => {
  test("a language's target form, its base language's, or the term unchanged", () => {
    const kharkiv = GLOSSARY[1]!;
    expect(targetForm(kharkiv, 'es')).toBe('Járkov');
    expect(targetForm(kharkiv, 'es-US')).toBe('Járkov');
    expect(targetForm(kharkiv, 'gl')).toBe('Kharkiv');
    expect(targetForm(kharkiv)).toBe('Kharkiv');
  });
});

describe('termRecall', () => {
  test('only the terms the reference says are expected, each found when the caption shows it', () => {
    expect(termRecall('Professor Nguyen is here', 'professor nguyen is here', GLOSSARY)).toEqual([
      { term: 'Nguyen', expected: 1, found: 1 },
    ]);
    expect(termRecall('Professor Nguyen is here', 'professor win is here', GLOSSARY)).toEqual([
      { term: 'Nguyen', expected: 1, found: 0 },
    ]);
  });

  test("a translated caption must show the language's target form, not the source term", () => {
    const reference = 'Our partners in Kharkiv sent their wishes';
    expect(termRecall(reference, 'Nuestros socios en Járkov enviaron', GLOSSARY, 'es')).toEqual([
      { term: 'Kharkiv', expected: 1, found: 1 },
    ]);
    expect(termRecall(reference, 'Nuestros socios en Kharkiv enviaron', GLOSSARY, 'es')[0]!.found).toBe(0);
    expect(termRecall(reference, 'Els nostres socis a Khàrkiv', GLOSSARY, 'ca')[0]!.found).toBe(1);
    expect(termRecall(reference, 'Os nosos socios en Kharkiv', GLOSSARY, 'gl')[0]!.found).toBe(1);
  });

  test('a caption that never came shows nothing', () => {
    expect(termRecall('Professor Nguyen', null, GLOSSARY)).toEqual([{ term: 'Nguyen', expected: 1, found: 0 }]);
  });

  test('a term shown more often than said counts once per saying', () => {
    expect(termRecall('Nguyen spoke', 'Nguyen Nguyen spoke', GLOSSARY)).toEqual([
      { term: 'Nguyen', expected: 1, found: 1 },
    ]);
  });
});

describe('werWithoutTerms', () => {
  test('a recognised term is left out of both sides', () => {
    const r = werWithoutTerms('Professor Nguyen asked me', 'professor nguyen asked me', GLOSSARY);
    expect(r).toMatchObject({ wer: 0, referenceWords: 3 });
  });

  test('a missed term takes no reference word, and what was heard in its place counts as errors', () => {
    const pair = withoutTerms('Professor Nguyen asked me', 'professor win asked me', GLOSSARY);
    expect(pair.reference.split(/\s+/).filter(Boolean)).toEqual(['Professor', 'asked', 'me']);
    expect(wordErrorRate(pair.reference, pair.hypothesis)).toMatchObject({ insertions: 1, referenceWords: 3 });
  });

  test('errors in the other words count as in any WER', () => {
    expect(werWithoutTerms('Professor Nguyen asked me', 'professor nguyen asks me', GLOSSARY)).toMatchObject({
      substitutions: 1,
      referenceWords: 3,
    });
  });

  test('a term heard where none was said stays in the hypothesis as an error', () => {
    expect(werWithoutTerms('we will win', 'we will nguyen', GLOSSARY)).toMatchObject({ substitutions: 1 });
    expect(werWithoutTerms('Nguyen spoke', 'Nguyen Nguyen spoke', GLOSSARY)).toMatchObject({ insertions: 1 });
  });
});

describe('speakTerms', () => {
  test('each term is said as its spoken form; a term without one as written', () => {
    expect(speakTerms("Professor Nguyen's talk on the Bridge", GLOSSARY)).toBe("Professor win's talk on the Bridge");
  });

  test('a longer term is said whole before a shorter one inside it', () => {
    expect(speakTerms('the New Bridge Fund', [{ term: 'Bridge', spoken: 'bridj' }, GLOSSARY[2]!])).toBe(
      'the new bridge fund',
    );
  });
});

describe('werOutsideTerms', () => {
  test("a missed term's stand-in words are the term's; the other words' errors count", () => {
    // "Nguyen" heard as "when you in": not counted; "asked" → "asks" is.
    expect(werOutsideTerms('Professor Nguyen asked me', 'professor when you in asks me', GLOSSARY)).toMatchObject({
      substitutions: 1,
      deletions: 0,
      insertions: 0,
      referenceWords: 3,
    });
    expect(werOutsideTerms('Professor Nguyen asked me', 'professor nguyen asked me', GLOSSARY).wer).toBe(0);
    // A word lost away from the term still counts.
    expect(werOutsideTerms('Professor Nguyen asked me', 'nguyen asked me', GLOSSARY)).toMatchObject({ deletions: 1 });
  });
});

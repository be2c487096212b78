// pronounce() against the real espeak-ng and Debian's PocketSphinx dictionary: espeak-ng's derived pronunciations
// of common words are compared with the dictionary's own (phone error rate), and names the dictionary lacks get
// pronunciations close to hand-written ones. Skipped, saying why, when espeak-ng is not installed.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import {
  CMU_PHONES,
  DEFAULT_DICTIONARY_PATH,
  espeakPronunciations,
  loadDictionary,
  pronounce,
  pronounceWithReport,
} from '#adapters/pronounce';

const espeakInstalled = !spawnSync('espeak-ng', ['--version']).error;
const dictionaryInstalled = existsSync(DEFAULT_DICTIONARY_PATH);
const missing = [
  ...(espeakInstalled ? [] : ['espeak-ng (apt-get install espeak-ng)']),
  ...(dictionaryInstalled ? [] : [`${DEFAULT_DICTIONARY_PATH} (apt-get install pocketsphinx-en-us)`]),
];
if (missing.length > 0) console.warn(`pronounce integration test skipped: missing ${missing.join(', ')}`);

// The 100 most frequent English words (Fry's list) plus words for the phones that list lacks (ZH, OY, CH, JH, TH,
// NG, AW, UH, ER) and for flaps, glottal stops and syllabic consonants.
const COMMON = (
  'the of and to in is you that it he was for on are as with his they at be this have from or one had by word but ' +
  'not what all were we when your can said there use an each which she do how their if will up other about out ' +
  'many then them these so some her would make like him into time has look two more write go see number no way ' +
  'could people my than first water been call who oil its now find long down day did get come made may part ' +
  'measure boy voice church judge think thing sing house good book bird nurse father button bottle city ladder'
).split(' ');

const edits = (reference: readonly string[], hypothesis: readonly string[]): number => {
  let previous = Array.from({ length: hypothesis.length + 1 }, (_, j) => j);
  for (let i = 1; i <= reference.length; i++) {
    const current = [i];
    for (let j = 1; j <= hypothesis.length; j++) {
      const substitution = previous[j - 1]! + (reference[i - 1] === hypothesis[j - 1] ? 0 : 1);
      current.push(Math.min(previous[j]! + 1, current[j - 1]! + 1, substitution));
    }
    previous = current;
  }
  return previous[hypothesis.length]!;
};

const phones = (pronunciation: string): string[] => pronunciation.split(' ');

/** Phone error rate of espeak-ng's pronunciations against the closest of each word's dictionary entries. */
async function phoneErrorRate(
  words: readonly string[],
): Promise<{ rate: number; errors: number; phones: number; misses: string[] }> {
  const dictionary = await loadDictionary();
  const derived = await espeakPronunciations(words);
  let errors = 0;
  let reference = 0;
  const misses: string[] = [];
  for (const word of words) {
    const variants = dictionary.get(word);
    expect(variants, `${word} is in the dictionary`).toBeDefined();
    const mapping = derived.get(word);
    expect(mapping?.skipped, `${word}: every espeak-ng symbol mapped`).toEqual([]);
    const hypothesis = mapping?.phones ?? [];
    // espeak-ng says one of a word's pronunciations: compare with the closest of the dictionary's.
    const scored = variants!.map((variant) => ({ variant, errors: edits(phones(variant), hypothesis) }));
    const best = scored.reduce((a, b) => (b.errors < a.errors ? b : a));
    errors += best.errors;
    reference += phones(best.variant).length;
    if (best.errors > 0) misses.push(`${word}: ${best.variant} ≠ ${hypothesis.join(' ')}`);
  }
  return { rate: errors / reference, errors, phones: reference, misses };
}

describe.skipIf(missing.length > 0)('pronounce (real espeak-ng and PocketSphinx dictionary)', () => {
  // Thresholds are about twice the rates measured (0.3 % and 10.7 % with espeak-ng 1.51 on Debian 12): a missing or
  // wrong row in the mapping table costs several points on 300 words, while espeak-ng's own letter-to-sound guesses
  // for rare names (the bulk of the second figure) are what the glossary's respelled forms are there to correct.
  test('espeak-ng pronunciations of common words match the dictionary (phone error rate under 5 %)', async () => {
    expect(COMMON.length).toBeGreaterThanOrEqual(50);
    const { rate, errors, phones: total, misses } = await phoneErrorRate(COMMON);
    console.info(
      `phone error rate, ${COMMON.length} common words: ${(100 * rate).toFixed(1)} % (${errors}/${total})\n  ${misses.join('\n  ')}`,
    );
    expect(rate).toBeLessThan(0.05);
  });

  test('espeak-ng pronunciations of 300 dictionary words read by rule, many of them names (under 20 %)', async () => {
    const dictionary = await loadDictionary();
    const words = [...dictionary.keys()].filter((word) => /^[a-z]{4,}$/.test(word));
    // Every n-th word: the same sample on every run, spread over the alphabet.
    const step = Math.floor(words.length / 300);
    const sample = words.filter((_, index) => index % step === 0).slice(0, 300);
    const { rate, errors, phones: total, misses } = await phoneErrorRate(sample);
    console.info(
      `phone error rate, ${sample.length} dictionary words: ${(100 * rate).toFixed(1)} % (${errors}/${total}); e.g.\n  ${misses.slice(0, 15).join('\n  ')}`,
    );
    expect(rate).toBeLessThan(0.2);
  });

  test('names the dictionary lacks get pronunciations close to hand-written ones', async () => {
    const expected: Record<string, string> = {
      terraform: 'T EH R AH F AO R M',
      grafana: 'G R AH F AA N AH',
      zelensky: 'Z EH L EH N S K IY',
      anthropic: 'AE N TH R AA P IH K',
      tensorflow: 'T EH N S ER F L OW',
      'koo ber net eez': 'K UW B ER N EH T IY Z',
    };
    const dictionary = await loadDictionary();
    const report = await pronounceWithReport([...Object.keys(expected), 'Kubernetes'].map((w) => w.toUpperCase()));
    expect(report.missing).toEqual([]);
    for (const [word, pronunciation] of Object.entries(expected)) {
      if (!word.includes(' ')) expect(dictionary.has(word), `${word} is not in the dictionary`).toBe(false);
      const derived = report.pronunciations.get(word);
      expect(derived, word).toBeDefined();
      for (const phone of phones(derived!)) expect(CMU_PHONES.has(phone), `${word}: ${phone}`).toBe(true);
      // At most two phones off (a reduced vowel, a flap read as T): close enough for the decoder to match.
      expect(edits(phones(pronunciation), phones(derived!)), `${word}: ${derived}`).toBeLessThanOrEqual(2);
    }
    // The spelling alone is guessed as "kyoo-ber-neets": the respelled spoken form is what gets the name right.
    expect(report.pronunciations.get('kubernetes')).toMatch(/^K .* N .*[SZ]$/);
    expect(report.pronunciations.get('koo ber net eez')).toBe('K UW B ER N EH T IY Z');
    expect(report.derived).toEqual(expect.arrayContaining(['kubernetes', 'koo ber net eez']));
  });

  test('dictionary words keep the dictionary pronunciation', async () => {
    const result = await pronounce(['Nguyen', 'read', 'Kafka']);
    expect(result).toEqual(
      new Map([
        ['nguyen', 'N UW Y EH N'],
        ['read', 'R EH D'],
        ['kafka', 'K AA F K AH'],
      ]),
    );
  });
});

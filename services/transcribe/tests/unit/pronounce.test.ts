// espeak-ng IPA → CMU phone mapping, and how pronounce() combines the dictionary with espeak-ng's answers (against a
// small dictionary file and stand-in espeak-ng scripts, so no real engine runs here).
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { CMU_PHONES, espeakIpaToCmu, normalizeWord, pronounce, pronounceWithReport } from '#adapters/pronounce';
import { RecognizerError } from '#errors';

const cmu = (ipa: string, spelling?: string): string => espeakIpaToCmu(ipa, spelling).phones.join(' ');

describe('espeakIpaToCmu', () => {
  // Inputs are espeak-ng en-us --ipa output as it writes it (stress marks, length marks, flaps, syllabic consonants).
  test.each([
    ['hello', 'həlˈoʊ', 'HH AH L OW'],
    ['the quick brown fox', 'ðə kwˈɪk bɹˈaʊn fˈɑːks', 'DH AH K W IH K B R AW N F AA K S'],
    ['cat', 'kˈæt', 'K AE T'],
    ['bird (r-coloured vowel)', 'bˈɜːd', 'B ER D'],
    ['letter (r-coloured schwa)', 'lˈɛɾɚ', 'L EH T ER'],
    ['fire (diphthong + ɚ)', 'fˈaɪɚ', 'F AY ER'],
    ['more (oː before ɹ is AO)', 'mˈoːɹ', 'M AO R'],
    ['go', 'ɡˈoʊ', 'G OW'],
    ['boy', 'bˈɔɪ', 'B OY'],
    ['house', 'hˈaʊs', 'HH AW S'],
    ['day', 'dˈeɪ', 'D EY'],
    ['church (affricates)', 'tʃˈɜːtʃ', 'CH ER CH'],
    ['judge (affricates)', 'dʒˈʌdʒ', 'JH AH JH'],
    ['church with ties (--ipa=1)', 't͡ʃˈɜːt͡ʃ', 'CH ER CH'],
    ['measure', 'mˈɛʒɚ', 'M EH ZH ER'],
    ['thinking', 'θˈɪŋkɪŋ', 'TH IH NG K IH NG'],
    ['this', 'ðˈɪs', 'DH IH S'],
    ['shoe', 'ʃˈuː', 'SH UW'],
    ['good', 'ɡˈʊd', 'G UH D'],
    ['thought', 'θˈɔːt', 'TH AO T'],
    ['about (ɐ)', 'ɐbˈaʊt', 'AH B AW T'],
    ['wanted (reduced ᵻ)', 'wˈɑːntᵻd', 'W AA N T IH D'],
    ['drawing (length keeps ɔː and ɪ apart)', 'dɹˈɔːɪŋ', 'D R AO IH NG'],
    ['yes', 'jˈɛs', 'Y EH S'],
    ['city (final i)', 'sˈɪɾi', 'S IH T IY'],
    ['kubernetes (secondary stress)', 'kuːbɚnˈɛɾiːz', 'K UW B ER N EH T IY Z'],
  ])('%s: %s → %s', (_word, ipa, expected) => {
    expect(cmu(ipa)).toBe(expected);
  });

  test('a syllabic consonant gets the schwa the dictionary writes, and a glottal stop stands for t', () => {
    expect(cmu('bˈʌʔn̩', 'button')).toBe('B AH T AH N');
    expect(cmu('bˈɑːɾl̩', 'bottle')).toBe('B AA T AH L');
    // The same syllabic n, precomposed differently, reads the same.
    expect(cmu('bˈʌʔn\u0329'.normalize('NFC'))).toBe('B AH T AH N');
  });

  test('the flap is D when the word is spelt with a d and no t, else T', () => {
    expect(cmu('lˈæɾɚ', 'ladder')).toBe('L AE D ER');
    expect(cmu('wˈɔːɾɚ', 'water')).toBe('W AO T ER');
    expect(cmu('wˈɔːɾɚ')).toBe('W AO T ER');
  });

  test('stress, length and syllable marks leave no trace', () => {
    expect(cmu('ˌɛkspˈɛɹɪmˌɛnt')).toBe(cmu('ɛkspɛɹɪmɛnt'));
    expect(cmu('siː.ɪŋ')).toBe('S IY IH NG');
  });

  test('unknown symbols are skipped and counted; the rest is still mapped', () => {
    expect(espeakIpaToCmu('kʘæt')).toEqual({ phones: ['K', 'AE', 'T'], skipped: ['ʘ'] });
    // A word read by French rules: language marks dropped, nasalisation dropped, uvular r unknown.
    expect(espeakIpaToCmu('(fr)bɔ̃ʒuʁ(en-us)')).toEqual({ phones: ['B', 'AO', 'ZH', 'UW'], skipped: ['ʁ'] });
  });

  test('empty output maps to no phones', () => {
    expect(espeakIpaToCmu('')).toEqual({ phones: [], skipped: [] });
    expect(espeakIpaToCmu(' ˈ ')).toEqual({ phones: [], skipped: [] });
  });

  test('never throws and only ever returns phones of the dictionary', () => {
    const symbols = ['ˈ', 'ˌ', 'ː', 'ɪ', 'aɪ', 'tʃ', 'n̩', 'ɾ', 'ʔ', 'ɚ', 'ʁ', 'ʘ', '(fr)', ' ', 'x', '\u0361', 'é'];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...symbols)), fc.string(), (parts, noise) => {
        const { phones } = espeakIpaToCmu(parts.join('') + noise);
        for (const phone of phones) expect(CMU_PHONES.has(phone)).toBe(true);
      }),
    );
  });
});

describe('normalizeWord', () => {
  test('lower-cases and collapses spaces', () => {
    expect(normalizeWord('  Koo  Ber Net\tEez ')).toBe('koo ber net eez');
  });
});

describe('pronounce (dictionary file and stand-in espeak-ng)', () => {
  let dir: string;
  let dictionaryPath: string;
  /** Writes an executable stand-in for espeak-ng. */
  const script = (name: string, body: string): string => {
    const path = join(dir, name);
    writeFileSync(path, `#!/bin/sh\n${body}\n`);
    chmodSync(path, 0o755);
    return path;
  };
  // Echoes every input line back as its "IPA": ASCII letters are IPA symbols too ("kab" → K AA B).
  let echo: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'pronounce-test-'));
    dictionaryPath = join(dir, 'test.dict');
    writeFileSync(
      dictionaryPath,
      ['hello HH AH L OW', 'hello(2) HH EH L OW', 'koo K UW', 'real R IY L', 'time T AY M', ''].join('\n'),
    );
    echo = script('echo-espeak', 'sed "s/^/ /"');
  });

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('dictionary words take the dictionary main entry and never start espeak-ng', async () => {
    const missing = join(dir, 'no-such-espeak');
    const result = await pronounce(['Hello', 'KOO'], { dictionaryPath, espeakCommand: missing });
    expect(result).toEqual(
      new Map([
        ['hello', 'HH AH L OW'],
        ['koo', 'K UW'],
      ]),
    );
  });

  test('other words come from espeak-ng, several tokens in a row, hyphenated words part by part', async () => {
    const report = await pronounceWithReport(['Kab', 'koo bem', 'real-time', 'kab'], {
      dictionaryPath,
      espeakCommand: echo,
    });
    expect(report.pronunciations).toEqual(
      new Map([
        ['kab', 'K AA B'],
        ['koo bem', 'K UW B EH M'],
        ['real-time', 'R IY L T AY M'],
      ]),
    );
    expect(report.derived).toEqual(['kab', 'koo bem']);
    expect(report.missing).toEqual([]);
  });

  test('a word with an unknown symbol keeps the rest and reports the symbol; one with no phones is missing', async () => {
    const report = await pronounceWithReport(['kaqb', 'qq', 'koo'], { dictionaryPath, espeakCommand: echo });
    expect(report.pronunciations).toEqual(
      new Map([
        ['kaqb', 'K AA B'],
        ['koo', 'K UW'],
      ]),
    );
    expect(report.skipped).toEqual(
      new Map([
        ['kaqb', ['q']],
        ['qq', ['q', 'q']],
      ]),
    );
    expect(report.missing).toEqual(['qq']);
  });

  test('runs one espeak-ng process for the whole batch, one line per word', async () => {
    const log = join(dir, 'calls.log');
    const counting = script('counting-espeak', `echo run >> "${log}"\nsed "s/^/ /"`);
    const words = Array.from({ length: 40 }, (_, i) => `kab${'a'.repeat(i)}`);
    const result = await pronounce(words, { dictionaryPath, espeakCommand: counting });
    expect(result.size).toBe(40);
    expect(result.get('kabaa')).toBe('K AA B AA AA');
    expect(readFileSync(log, 'utf8')).toBe('run\n');
  });

  test('words with nothing to say (punctuation only) are missing without asking espeak-ng', async () => {
    const report = await pronounceWithReport(['--', "'"], {
      dictionaryPath,
      espeakCommand: join(dir, 'no-such-espeak'),
    });
    expect(report.pronunciations.size).toBe(0);
    expect(report.missing).toEqual(['--', "'"]);
  });

  test('a missing espeak-ng, a timeout or misaligned output fail the batch with a RecognizerError', async () => {
    const options = { dictionaryPath };
    await expect(pronounce(['kab'], { ...options, espeakCommand: join(dir, 'no-such-espeak') })).rejects.toThrow(
      /not installed/,
    );
    const hanging = script('hanging-espeak', 'exec sleep 30');
    await expect(pronounce(['kab'], { ...options, espeakCommand: hanging, timeoutMs: 200 })).rejects.toThrow(
      /did not answer within 200 ms/,
    );
    const oneLine = script('one-line-espeak', 'cat > /dev/null\necho " kab"');
    await expect(pronounce(['kab', 'bak'], { ...options, espeakCommand: oneLine })).rejects.toBeInstanceOf(
      RecognizerError,
    );
  });

  test('an unreadable dictionary fails with a RecognizerError naming the package', async () => {
    await expect(
      pronounce(['kab'], { dictionaryPath: join(dir, 'missing.dict'), espeakCommand: echo }),
    ).rejects.toThrow(/pocketsphinx-en-us/);
  });
});

// The spoken corpus generator: real flite output, checked for format, padding, text, manifest and caching.
import { mkdtempSync, readFileSync, rmSync, statSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readWav } from '@llt/cli';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  CORPUS_SETS,
  type CorpusEntry,
  type CorpusResult,
  corpusSetOptions,
  DEFAULT_VOICES,
  GLOSSARY_CSV,
  generateCorpus,
  planCorpus,
  readGlossaryCsv,
} from '../corpus/generate.ts';
import { GLOSSARY_SENTENCES, LONG_SENTENCES, SENTENCES } from '../corpus/sentences.ts';
import { voicedSpan } from '../support/audio.ts';
import { interleave } from '../support/corpus.ts';
import { countForm } from '../support/glossary-terms.ts';

describe('SENTENCES', () => {
  test('forty distinct sentences of five to sixteen words', () => {
    expect(SENTENCES).toHaveLength(40);
    expect(new Set(SENTENCES).size).toBe(SENTENCES.length);
    for (const sentence of SENTENCES) {
      const count = sentence.split(/\s+/).length;
      expect(count, sentence).toBeGreaterThanOrEqual(5);
      expect(count, sentence).toBeLessThanOrEqual(16);
      // Digits would be read out by flite but written as words by a recogniser: errors nobody made.
      expect(sentence, sentence).not.toMatch(/\d/);
    }
  });
});

describe('LONG_SENTENCES', () => {
  test('twelve distinct sentences of twenty-five to forty words in several clauses', () => {
    expect(LONG_SENTENCES).toHaveLength(12);
    expect(new Set(LONG_SENTENCES).size).toBe(LONG_SENTENCES.length);
    for (const sentence of LONG_SENTENCES) {
      const count = sentence.split(/\s+/).length;
      expect(count, sentence).toBeGreaterThanOrEqual(25);
      expect(count, sentence).toBeLessThanOrEqual(40);
      expect(sentence.split(',').length, sentence).toBeGreaterThanOrEqual(2);
      expect(sentence, sentence).not.toMatch(/\d/);
      expect(SENTENCES).not.toContain(sentence);
    }
  });
});

describe('GLOSSARY_SENTENCES', () => {
  const glossary = readGlossaryCsv(GLOSSARY_CSV);

  test('each sentence names one glossary term, the glossary in order, every term with a spoken form', () => {
    expect(GLOSSARY_SENTENCES).toHaveLength(20);
    expect(glossary.map((e) => e.term)).toHaveLength(GLOSSARY_SENTENCES.length);
    GLOSSARY_SENTENCES.forEach((sentence, i) => {
      const named = glossary.filter((e) => countForm(sentence, e.term) > 0).map((e) => e.term);
      expect(named, sentence).toEqual([glossary[i]!.term]);
      expect(sentence, sentence).not.toMatch(/\d/);
    });
    for (const entry of glossary) expect(entry.spoken, entry.term).toBeDefined();
  });

  test('some terms have target forms in Spanish or Catalan, most keep the term', () => {
    const withTargets = glossary.filter((e) => e.targets);
    expect(withTargets.length).toBeGreaterThan(0);
    expect(withTargets.length).toBeLessThan(glossary.length / 4);
  });

  test("the voices read each term as the glossary's spoken form, and the reference keeps the term", () => {
    const options = corpusSetOptions('glossary', ['rms'], 1);
    expect(options.voiceText?.(GLOSSARY_SENTENCES[4]!)).toBe(
      'Professor win asked me to share the results of the study with you.',
    );
    expect(planCorpus(['rms'], 1, options.sentences, options.namePrefix)[0]).toEqual({
      name: 'glossary-rms-01',
      voice: 'rms',
      text: GLOSSARY_SENTENCES[0],
    });
  });
});

describe('planCorpus', () => {
  test('the default plan speaks every sentence exactly once, ten per voice', () => {
    const plan = planCorpus(['slt', 'rms', 'awb', 'kal16'], 10);
    expect(plan).toHaveLength(40);
    expect(new Set(plan.map(({ text }) => text))).toEqual(new Set(SENTENCES));
    expect(plan[0]).toEqual({ name: 'slt-01', voice: 'slt', text: SENTENCES[0] });
    expect(plan[12]).toEqual({ name: 'rms-03', voice: 'rms', text: SENTENCES[12] });
  });

  test('the long set speaks each long sentence once, three per voice, under names of their own', () => {
    const { sentences, perVoice, namePrefix } = CORPUS_SETS.long;
    const plan = planCorpus(DEFAULT_VOICES, perVoice, sentences, namePrefix);
    expect(plan.map(({ text }) => text)).toEqual(LONG_SENTENCES);
    expect(plan[3]).toEqual({ name: 'long-rms-01', voice: 'rms', text: LONG_SENTENCES[3] });
    const short = new Set(planCorpus(DEFAULT_VOICES, CORPUS_SETS.short.perVoice).map(({ name }) => name));
    expect(plan.filter(({ name }) => short.has(name))).toEqual([]);
  });

  test('more utterances than sentences wraps around instead of failing', () => {
    const plan = planCorpus(['a', 'b', 'c'], 3, ['one', 'two', 'three', 'four']);
    expect(plan.map(({ text }) => text)).toEqual(['one', 'two', 'three', 'four', 'one', 'two', 'three', 'four', 'one']);
  });
});

describe('generateCorpus', () => {
  const SAMPLE_RATE = 16_000;
  const LEAD_MS = 300;
  const TAIL_MS = 300;
  // slt is a 16 kHz voice and kal an 8 kHz one, so both the copy and the resampling path are exercised.
  const voices = ['slt', 'kal'];
  const options = { voices, sentencesPerVoice: 2, leadSilenceMs: LEAD_MS, tailSilenceMs: TAIL_MS };
  let dir: string;
  let first: CorpusResult;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'llt-corpus-test-'));
    first = await generateCorpus(dir, options);
  });
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const expected = [
    { name: 'slt-01', voice: 'slt', text: SENTENCES[0] },
    { name: 'slt-02', voice: 'slt', text: SENTENCES[1] },
    { name: 'kal-01', voice: 'kal', text: SENTENCES[2] },
    { name: 'kal-02', voice: 'kal', text: SENTENCES[3] },
  ];

  test('writes a WAV and a text file per voice and sentence, different sentences for different voices', () => {
    expect(first.written).toEqual(expected.map(({ name }) => name));
    expect(first.cached).toEqual([]);
    for (const { name, text } of expected) {
      expect(readFileSync(join(dir, `${name}.txt`), 'utf8')).toBe(text);
      expect(statSync(join(dir, `${name}.wav`)).isFile()).toBe(true);
    }
  });

  test.each(expected)('$name.wav is 16 kHz mono speech between silent padding', ({ name }) => {
    const wav = readWav(join(dir, `${name}.wav`));
    expect(wav.sampleRate).toBe(SAMPLE_RATE);
    expect(wav.channels).toBe(1);
    const lead = (LEAD_MS * SAMPLE_RATE) / 1000;
    const tail = (TAIL_MS * SAMPLE_RATE) / 1000;
    const { samples } = wav;
    expect(peak(samples.subarray(0, lead))).toBeLessThanOrEqual(1);
    expect(peak(samples.subarray(samples.length - tail))).toBeLessThanOrEqual(1);
    // Something audible in between, or the padding check would pass on an all-silent file.
    expect(peak(samples.subarray(lead, samples.length - tail))).toBeGreaterThan(3000);
    // A spoken sentence of ten words or so takes seconds, not milliseconds: catches a wrong resampling ratio.
    const speechSeconds = (samples.length - lead - tail) / SAMPLE_RATE;
    expect(speechSeconds).toBeGreaterThan(1.5);
    expect(speechSeconds).toBeLessThan(8);
  });

  test('manifest.json lists every file with its text, voice and duration', () => {
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as CorpusEntry[];
    expect(manifest).toEqual(first.entries);
    expect(manifest.map(({ name, voice, text }) => ({ name, voice, text }))).toEqual(expected);
    for (const entry of manifest) {
      const samples = readWav(join(dir, `${entry.name}.wav`)).samples.length;
      expect(entry.durationMs).toBe(Math.round((samples * 1000) / SAMPLE_RATE));
      expect(entry).toMatchObject({ leadSilenceMs: LEAD_MS, tailSilenceMs: TAIL_MS });
    }
  });

  test('a second call keeps the files that already hold the same text', async () => {
    const paths = expected.flatMap(({ name }) => [join(dir, `${name}.wav`), join(dir, `${name}.txt`)]);
    // Back-date the files so a rewrite within the same clock tick as the first run would still show.
    const past = new Date(Date.now() - 60_000);
    for (const path of paths) utimesSync(path, past, past);
    const mtimes = paths.map((path) => statSync(path).mtimeMs);

    const second = await generateCorpus(dir, options);

    expect(second.written).toEqual([]);
    expect(second.cached).toEqual(expected.map(({ name }) => name));
    expect(second.entries).toEqual(first.entries);
    expect(paths.map((path) => statSync(path).mtimeMs)).toEqual(mtimes);
  });

  test('rejects a voice flite does not have instead of getting its default voice', async () => {
    await expect(generateCorpus(dir, { voices: ['nosuchvoice'], sentencesPerVoice: 1 })).rejects.toThrow(
      /no voice nosuchvoice/,
    );
  });
});

describe('interleave', () => {
  test('spreads the shorter list evenly through the longer one, both in order', () => {
    expect(interleave(['a', 'b', 'c', 'd', 'e', 'f'], ['1', '2'])).toEqual(['a', 'b', '1', 'c', 'd', 'e', '2', 'f']);
    expect(interleave([], [1, 2])).toEqual([1, 2]);
  });
});

describe('the long corpus', () => {
  let dir: string;
  let result: CorpusResult;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'llt-corpus-long-test-'));
    result = await generateCorpus(dir, corpusSetOptions('long', DEFAULT_VOICES));
  });
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('every utterance is 8 to 15 s of speech with no pause longer than 0.5 s', () => {
    expect(result.entries).toHaveLength(LONG_SENTENCES.length);
    for (const { name } of result.entries) {
      const { samples } = readWav(join(dir, `${name}.wav`));
      const span = voicedSpan(samples)!;
      const seconds = (span.last + 1 - span.first) / 16_000;
      expect(seconds, name).toBeGreaterThanOrEqual(8);
      expect(seconds, name).toBeLessThanOrEqual(15);
      expect(longestPauseMs(samples.subarray(span.first, span.last + 1)), name).toBeLessThanOrEqual(500);
    }
  });
});

/** Longest run of 10 ms windows with no sample above the quiet threshold. */
function longestPauseMs(samples: Int16Array): number {
  const window = 160;
  let run = 0;
  let longest = 0;
  for (let at = 0; at < samples.length; at += window) {
    run = peak(samples.subarray(at, at + window)) > 300 ? 0 : run + 1;
    longest = Math.max(longest, run);
  }
  return longest * 10;
}

function peak(samples: Int16Array): number {
  let max = 0;
  for (const s of samples) max = Math.max(max, Math.abs(s));
  return max;
}

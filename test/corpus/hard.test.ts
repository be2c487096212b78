// The harder corpora (hard.ts) and their room noise (noise.ts): plans, levels, determinism, files and caching.
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readWav } from '@llt/cli';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loadUtterances } from '../support/corpus.ts';
import {
  generateHardCorpus,
  type HardCorpusResult,
  librivoxTranscripts,
  type PlannedUtterance,
  planHardSet,
  planNoisySet,
  spreadThrough,
} from './hard.ts';
import { activeSpeechPower, mixRoomNoise, roomNoise, seedOf } from './noise.ts';
import { LONG_SENTENCES } from './sentences.ts';

const IDS = ['0870', '0880', '0890', '0920', '0930'].map((id) => `sense_and_sensibility_01_austen_64kb-${id}`);

/** A 200 Hz tone of amplitude `amplitude`, `ms` long, with `padMs` of silence either side. */
function tone(amplitude: number, ms: number, padMs: number): Int16Array {
  const pad = (padMs * 16_000) / 1000;
  const out = new Int16Array(pad * 2 + (ms * 16_000) / 1000);
  for (let i = 0; i < out.length - 2 * pad; i++)
    out[pad + i] = Math.round(amplitude * Math.sin((2 * Math.PI * i) / 80));
  return out;
}

const meanSquare = (xs: ArrayLike<number>, from = 0, to = xs.length) => {
  let sum = 0;
  for (let i = from; i < to; i++) sum += xs[i]! * xs[i]!;
  return sum / (to - from);
};

describe('room noise', () => {
  test('the same seed gives the same samples, another seed others, at unit RMS', () => {
    const a = roomNoise(16_000, 7);
    expect(roomNoise(16_000, 7)).toEqual(a);
    expect(roomNoise(16_000, 8)).not.toEqual(a);
    expect(meanSquare(a)).toBeCloseTo(1, 6);
  });

  test('is low-passed: far less energy in sample-to-sample differences than white noise (which has 2×)', () => {
    const n = roomNoise(32_000, 1);
    const diff = n.slice(1).map((v, i) => v - n[i]!);
    expect(meanSquare(diff)).toBeLessThan(0.5);
  });

  test('is the same, bit for bit, as when these figures were first measured', () => {
    // Benchmark figures measured on noisy files hold only if every machine makes the same files: a change to
    // the generator or the mixing must change NOISE_KIND (so cached files are remade) and this digest.
    const { samples } = mixRoomNoise(tone(8000, 1000, 300), 15, seedOf('noisy15-test'));
    const digest = createHash('sha256').update(Buffer.from(samples.buffer)).digest('hex').slice(0, 16);
    expect(digest).toMatchInlineSnapshot(`"902c53df701a649f"`);
  });
});

describe('active speech level', () => {
  test('does not depend on the silence around the speech', () => {
    const short = activeSpeechPower(tone(8000, 1000, 100));
    expect(short / (8000 ** 2 / 2)).toBeCloseTo(1, 3);
    expect(activeSpeechPower(tone(8000, 1000, 3000)) / short).toBeCloseTo(1, 6);
    expect(activeSpeechPower(new Int16Array(1600))).toBe(0);
  });
});

describe('mixRoomNoise', () => {
  test.each([10, 15, 20])('puts noise %i dB under the active speech level', (snr) => {
    const speech = tone(6000, 2000, 300);
    const mix = mixRoomNoise(speech, snr, 42);
    const noise = mix.samples.map((v, i) => v - speech[i]!);
    // Away from the fades at the file's edges.
    const measured = 10 * Math.log10(activeSpeechPower(speech) / meanSquare(noise, 800, noise.length - 800));
    expect(measured).toBeGreaterThan(snr - 0.3);
    expect(measured).toBeLessThan(snr + 0.3);
    expect(mix.scaledBy).toBe(1);
    expect(mix.speechDbfs - mix.noiseDbfs).toBeCloseTo(snr, 1);
  });

  test('scales a mix that would clip as a whole instead of clipping it', () => {
    const mix = mixRoomNoise(tone(32_000, 500, 100), 10, 3);
    expect(mix.scaledBy).toBeLessThan(1);
    expect(Math.max(...mix.samples.map(Math.abs))).toBeLessThanOrEqual(32_767);
  });
});

describe('plans', () => {
  test('LibriVox transcripts: five clips, words only', () => {
    const transcripts = librivoxTranscripts();
    expect([...transcripts.keys()].sort()).toEqual(IDS);
    expect(transcripts.get(IDS[1]!)).toBe('he was not an ill disposed young man');
  });

  test('hard: 25 utterances, long ones clean and in noise, a human reader, no text twice, SNR in the name', () => {
    const plan = planHardSet();
    expect(plan).toHaveLength(25);
    expect(new Set(plan.map((p) => p.name)).size).toBe(plan.length);
    const texts = plan.map((p) => (p.source.kind === 'flite' ? p.source.text : p.source.fileid));
    expect(new Set(texts).size).toBe(plan.length);
    for (const p of plan) {
      expect(p.name.startsWith('hard-')).toBe(true);
      expect(p.name.includes(`noisy${p.snrDb}-`), p.name).toBe(p.snrDb !== undefined);
    }
    const long = plan.filter((p) => p.source.kind === 'flite' && LONG_SENTENCES.includes(p.source.text));
    expect(long).toHaveLength(12);
    expect(long.filter((p) => p.snrDb !== undefined).map((p) => p.snrDb)).toEqual([10, 15, 20, 10, 15, 20]);
    expect(plan.filter((p) => p.source.kind === 'librivox')).toHaveLength(5);
    expect(new Set(plan.flatMap((p) => (p.snrDb === undefined ? [] : [p.snrDb])))).toEqual(new Set([10, 15, 20]));
    // Spread through each other: the stream does not begin with a run of one kind.
    expect(new Set(plan.slice(0, 5).map((p) => `${p.source.kind}${p.snrDb === undefined}`)).size).toBeGreaterThan(2);
  });

  test('noisy: every clean utterance has a twin at 15 dB', () => {
    const plan = planNoisySet();
    expect(plan).toHaveLength(50);
    const clean = plan.filter((p) => p.snrDb === undefined);
    const noisy = plan.filter((p) => p.snrDb === 15);
    expect(noisy.map((p) => p.source)).toEqual(clean.map((p) => p.source));
    expect(noisy.map((p) => p.name)).toEqual(clean.map((p) => p.name.replace(/^clean-/, 'noisy15-')));
  });

  test('spreadThrough keeps each list in order', () => {
    expect(spreadThrough([['a', 'b', 'c', 'd'], ['1', '2'], ['x']])).toEqual(['a', '1', 'b', 'x', 'c', '2', 'd']);
  });
});

describe('generateHardCorpus', () => {
  const plan: PlannedUtterance[] = [
    { name: 'clean-slt-01', source: { kind: 'flite', voice: 'slt', text: 'Please take your seats.' } },
    { name: 'noisy10-slt-01', source: { kind: 'flite', voice: 'slt', text: 'Please take your seats.' }, snrDb: 10 },
    { name: 'noisy20-librivox-0880', source: { kind: 'librivox', fileid: IDS[1]! }, snrDb: 20 },
  ];
  let dir: string;
  let again: string;
  let first: HardCorpusResult;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'llt-corpus-hard-test-'));
    again = mkdtempSync(join(tmpdir(), 'llt-corpus-hard-test-'));
    first = await generateHardCorpus(dir, plan);
    await generateHardCorpus(again, plan);
  });
  afterAll(() => {
    for (const d of [dir, again]) if (d) rmSync(d, { recursive: true, force: true });
  });

  test('16 kHz mono files with their text, padded, the noisy one the clean one plus noise', () => {
    expect(first.written).toEqual(plan.map((p) => p.name));
    const clean = readWav(join(dir, 'clean-slt-01.wav'));
    const noisy = readWav(join(dir, 'noisy10-slt-01.wav'));
    expect([clean.sampleRate, clean.channels, noisy.sampleRate, noisy.channels]).toEqual([16_000, 1, 16_000, 1]);
    expect(noisy.samples.length).toBe(clean.samples.length);
    expect(clean.samples.subarray(0, 4800).every((v) => v === 0)).toBe(true);
    expect(meanSquare(noisy.samples, 1000, 4000)).toBeGreaterThan(1000);
    const [, n10, lv] = first.entries;
    expect(n10).toMatchObject({ group: 'flite 10 dB', snrDb: 10, voice: 'slt', source: 'flite' });
    expect(n10!.speech).toEqual(first.entries[0]!.speech);
    expect(lv).toMatchObject({
      group: 'librivox 20 dB',
      voice: 'librivox',
      text: 'he was not an ill disposed young man',
    });
    expect(readFileSync(join(dir, 'noisy20-librivox-0880.txt'), 'utf8')).toBe(lv!.text);
    // The clip is 2.99 s; with 300 ms either side.
    expect(lv!.durationMs).toBe(2990 + 600);
  });

  test('the speech spans of the manifest are what the benchmarks stream by', () => {
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
    expect(manifest).toEqual(first.entries);
    const [, noisy] = loadUtterances(dir, first.entries);
    expect(noisy!.span).toEqual(first.entries[1]!.speech);
    expect(noisy!.span.first).toBeGreaterThan(4800);
  });

  test('the same files on a second machine (directory), and kept when run again', async () => {
    for (const p of plan) {
      expect(readFileSync(join(again, `${p.name}.wav`))).toEqual(readFileSync(join(dir, `${p.name}.wav`)));
    }
    const paths = plan.map((p) => join(dir, `${p.name}.wav`));
    const past = new Date(Date.now() - 60_000);
    for (const path of paths) utimesSync(path, past, past);
    const mtimes = paths.map((path) => statSync(path).mtimeMs);
    const second = await generateHardCorpus(dir, plan);
    expect(second.cached).toEqual(plan.map((p) => p.name));
    expect(second.entries).toEqual(first.entries);
    expect(paths.map((path) => statSync(path).mtimeMs)).toEqual(mtimes);
    // Another SNR is another recipe: remade.
    const louder = await generateHardCorpus(dir, [{ ...plan[1]!, snrDb: 15 }]);
    expect(louder.written).toEqual(['noisy10-slt-01']);
  });
});

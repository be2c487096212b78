// The PocketSphinx adapter against the real engine (Debian pocketsphinx + pocketsphinx-en-us), fed flite speech
// in 100 ms chunks as the live pipeline does. Loads two decoders in total (~0.3 s and ~90 MB each).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { pocketSphinxArgs } from '#adapters/index';
import { PocketSphinxRecognizer } from '#adapters/pocketsphinx';
import { loadConfig } from '#config';
import type { Hypothesis, RecognizerStream } from '#core/ports';
import { RecognizerError } from '#errors';

const FOX = 'the quick brown fox jumps over the lazy dog';
const LIGHTS = 'please turn off the lights when you leave the room';
const CHUNK = 1600; // 100 ms at 16 kHz

/** Samples of a 16 kHz mono s16le WAV; fails loudly on anything else rather than decoding garbage. */
function readWav(path: string): Int16Array {
  const file = readFileSync(path);
  if (file.toString('ascii', 0, 4) !== 'RIFF' || file.toString('ascii', 8, 12) !== 'WAVE') {
    throw new Error(`${path} is not a WAV file`);
  }
  let offset = 12;
  let format: { channels: number; rate: number; bits: number } | undefined;
  while (offset + 8 <= file.length) {
    const id = file.toString('ascii', offset, offset + 4);
    const size = file.readUInt32LE(offset + 4);
    const body = offset + 8;
    if (id === 'fmt ') {
      format = {
        channels: file.readUInt16LE(body + 2),
        rate: file.readUInt32LE(body + 4),
        bits: file.readUInt16LE(body + 14),
      };
    } else if (id === 'data') {
      if (format?.channels !== 1 || format.rate !== 16_000 || format.bits !== 16) {
        throw new Error(`${path}: expected 16 kHz mono 16-bit, got ${JSON.stringify(format)}`);
      }
      // Copy: the data chunk may start at an odd offset, which an Int16Array view cannot.
      const bytes = file.subarray(body, Math.min(body + size, file.length));
      return new Int16Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length - (bytes.length % 2)));
    }
    offset = body + size + (size % 2);
  }
  throw new Error(`${path} has no data chunk`);
}

/** Word error rate: word-level edit distance over the reference length. */
function wordErrorRate(reference: string, hypothesis: string): number {
  const ref = reference.split(/\s+/).filter(Boolean);
  const hyp = hypothesis.split(/\s+/).filter(Boolean);
  let previous = Array.from({ length: hyp.length + 1 }, (_, j) => j);
  for (let i = 1; i <= ref.length; i++) {
    const current = [i];
    for (let j = 1; j <= hyp.length; j++) {
      const substitution = previous[j - 1]! + (ref[i - 1] === hyp[j - 1] ? 0 : 1);
      current.push(Math.min(previous[j]! + 1, current[j - 1]! + 1, substitution));
    }
    previous = current;
  }
  return previous[hyp.length]! / ref.length;
}

function chunks(samples: Int16Array): Int16Array[] {
  const out: Int16Array[] = [];
  for (let i = 0; i < samples.length; i += CHUNK) out.push(samples.subarray(i, i + CHUNK));
  return out;
}

async function feed(stream: RecognizerStream, samples: Int16Array): Promise<Hypothesis[]> {
  const hypotheses: Hypothesis[] = [];
  for (const chunk of chunks(samples)) hypotheses.push(await stream.write(chunk));
  return hypotheses;
}

const words = (text: string): number => text.split(' ').filter(Boolean).length;

describe('PocketSphinxRecognizer (real engine)', () => {
  const recognizer = new PocketSphinxRecognizer();
  let dir: string;
  let fox: Int16Array;
  let lights: Int16Array;
  let stream: RecognizerStream;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pocketsphinx-test-'));
    const speak = (text: string, name: string): Int16Array => {
      const path = join(dir, name);
      try {
        execFileSync('flite', ['-voice', 'slt', '-t', text, '-o', path]);
      } catch (cause) {
        throw new Error('flite failed; is the Debian package flite installed?', { cause });
      }
      return readWav(path);
    };
    fox = speak(FOX, 'fox.wav');
    lights = speak(LIGHTS, 'lights.wav');
    stream = await recognizer.open('session-a', 'en');
  });

  afterAll(async () => {
    await stream?.release();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('streams partial hypotheses that grow before finish, then returns the sentence', async () => {
    const hypotheses = await feed(stream, fox);
    const partials = hypotheses.map((h) => h.text).filter(Boolean);

    expect(partials.length).toBeGreaterThan(3);
    expect(words(partials.at(-1)!)).toBeGreaterThan(words(partials[0]!));
    expect(hypotheses.some((h) => h.inSpeech)).toBe(true);
    for (const text of partials) expect(text).toMatch(/^[a-z' ]+$/);

    const text = await stream.finish();
    expect(wordErrorRate(FOX, text)).toBeLessThanOrEqual(0.2);
  });

  test("the service's default cap on active HMMs leaves clean speech's words as the uncapped search has them", async () => {
    const options = pocketSphinxArgs(
      loadConfig({ LLT_EVENT_BUS: 'b', LLT_TRANSCRIPTS_TABLE: 't', LLT_SESSIONS_TABLE: 's' }),
    );
    expect(options).toEqual({ '-fwdflat': 'no', '-bestpath': 'no', '-maxhmmpf': '6000' });
    const { '-maxhmmpf': _cap, ...uncapped } = options;
    const finals = async (extraArgs: Record<string, string>) => {
      const decoder = await new PocketSphinxRecognizer({ extraArgs }).open('session-capped', 'en');
      try {
        await feed(decoder, lights);
        const first = await decoder.finish();
        await feed(decoder, fox);
        return [first, await decoder.finish()];
      } finally {
        await decoder.release();
      }
    };
    const capped = await finals(options);
    expect(capped).toEqual(await finals(uncapped));
    expect(capped[0]).toMatch(/^please turn off the lights/);
  });

  test('decodes consecutive utterances on one stream', async () => {
    await feed(stream, lights);
    const first = await stream.finish();
    await feed(stream, fox);
    const second = await stream.finish();

    expect(wordErrorRate(LIGHTS, first)).toBeLessThanOrEqual(0.2);
    expect(wordErrorRate(FOX, second)).toBeLessThanOrEqual(0.2);
  });

  test("says how likely a sentence ends after the words, by the language model's trigrams", async () => {
    const endAfter = (text: string) => stream.sentenceEndLogProb?.(text.split(' '));
    const ended = endAfter('the meeting will start in five minutes');
    const within = endAfter('when the meeting ends and the');
    expect(ended).toBeGreaterThan(-1.2);
    expect(ended).toBeLessThan(0);
    expect(within).toBeLessThan(-2);
    // Only the last two words count.
    expect(endAfter('please start in five minutes')).toBe(ended);
    // A word the model does not know says nothing.
    expect(endAfter('the meeting with zzxqv')).toBeUndefined();
    expect(endAfter('')).toBeUndefined();
  });

  test('finishing an utterance without speech returns an empty text', async () => {
    await stream.write(new Int16Array(8000));
    await expect(stream.finish()).resolves.toBe('');
  });

  test('two sessions decode in parallel without cross-talk, and a stream serializes calls it did not await', async () => {
    const other = await recognizer.open('session-b', 'en');
    try {
      // Session b fires every call at once; the adapter must still run them one after another, in order.
      const otherCalls = chunks(fox).map((chunk) => other.write(chunk));
      const otherText = other.finish();
      const ownText = await feed(stream, lights).then(() => stream.finish());
      await Promise.all(otherCalls);

      expect(wordErrorRate(LIGHTS, ownText)).toBeLessThanOrEqual(0.2);
      expect(wordErrorRate(FOX, await otherText)).toBeLessThanOrEqual(0.2);
    } finally {
      await other.release();
    }
  });

  test('release is idempotent and the stream refuses calls afterwards', async () => {
    const doomed = await recognizer.open('session-c', 'en');
    await doomed.write(fox.subarray(0, CHUNK));

    await doomed.release();
    await doomed.release();

    await expect(doomed.write(fox.subarray(0, CHUNK))).rejects.toThrow(RecognizerError);
    await expect(doomed.write(fox.subarray(0, CHUNK))).rejects.toThrow(/after release/);
    await expect(doomed.finish()).rejects.toThrow(RecognizerError);
  });

  test('refuses languages it has no model for', async () => {
    await expect(recognizer.open('session-d', 'fr')).rejects.toThrow(RecognizerError);
    await expect(recognizer.open('session-d', 'fr')).rejects.toThrow(/no model for language 'fr'/);
  });
});

// The microphone resampler: 44.1 kHz stereo (what Chromium's fake microphone delivers) and 48 kHz to 16 kHz.
import { describe, expect, test } from 'vitest';
import { mixToMono, Resampler } from '../../src/lib/resampler.ts';

const OUT = 16_000;

function sine(rate: number, frequency: number, samples: number, amplitude = 0.5, phase = 0): Float32Array {
  return Float32Array.from(
    { length: samples },
    (_, i) => amplitude * Math.sin((2 * Math.PI * frequency * i) / rate + phase),
  );
}

/** Feeds `input` in chunks of the given sizes (cycled), then flushes; returns all output. */
function resample(resampler: Resampler, input: Float32Array, chunkSizes: number[] = [128]): Float32Array {
  const parts: Float32Array[] = [];
  let offset = 0;
  for (let i = 0; offset < input.length; i++) {
    const size = chunkSizes[i % chunkSizes.length]!;
    parts.push(resampler.process(input.subarray(offset, offset + size)));
    offset += size;
  }
  parts.push(resampler.flush());
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

function rms(samples: Float32Array): number {
  let sum = 0;
  for (const s of samples) sum += s * s;
  return Math.sqrt(sum / samples.length);
}

/** Frequency from the average spacing of rising zero crossings (sub-sample interpolated). */
function frequencyOf(samples: Float32Array, rate: number): number {
  const crossings: number[] = [];
  for (let i = 1; i < samples.length; i++) {
    const a = samples[i - 1]!;
    const b = samples[i]!;
    if (a < 0 && b >= 0) crossings.push(i - 1 + a / (a - b));
  }
  const first = crossings[0]!;
  const last = crossings[crossings.length - 1]!;
  return ((crossings.length - 1) * rate) / (last - first);
}

/** The steady part of a resampled signal: the filter's start-up and tail transients cut off. */
function steady(samples: Float32Array, margin = 200): Float32Array {
  return samples.subarray(margin, samples.length - margin);
}

/** 44.1 kHz planar stereo through mixdown (128-frame quanta, like an AudioWorklet) and the resampler. */
function stereoThroughWorkletPath(left: Float32Array, right: Float32Array): Float32Array {
  const resampler = new Resampler({ inputRate: 44_100, outputRate: OUT });
  const mono = new Float32Array(128);
  const out: number[] = [];
  for (let offset = 0; offset < left.length; offset += 128) {
    const frames = Math.min(128, left.length - offset);
    mixToMono([left.subarray(offset, offset + frames), right.subarray(offset, offset + frames)], frames, mono);
    out.push(...resampler.process(mono.subarray(0, frames)));
  }
  out.push(...resampler.flush());
  return Float32Array.from(out);
}

describe('44.1 kHz stereo to 16 kHz mono', () => {
  const seconds = 2;
  const n = 44_100 * seconds;

  test('keeps the frequency and the level of a 1 kHz tone', () => {
    const tone = sine(44_100, 1000, n);
    const out = stereoThroughWorkletPath(tone, tone);
    expect(frequencyOf(steady(out), OUT)).toBeCloseTo(1000, 0);
    const gainDb = 20 * Math.log10(rms(steady(out)) / rms(tone));
    expect(Math.abs(gainDb)).toBeLessThan(0.05);
  });

  test('averages the two channels', () => {
    const out = stereoThroughWorkletPath(sine(44_100, 440, n, 0.8), new Float32Array(n));
    expect(frequencyOf(steady(out), OUT)).toBeCloseTo(440, 0);
    expect(rms(steady(out))).toBeCloseTo((0.4 / Math.SQRT2) * 1, 2);
  });

  test('produces inputLength × 160/441 samples', () => {
    const resampler = new Resampler({ inputRate: 44_100, outputRate: OUT });
    const out = resample(resampler, sine(44_100, 300, n), [128]);
    expect(out.length).toBe(Math.ceil((n * 160) / 441));
    expect(resampler.outputCount).toBe(out.length);
  });

  test('output does not depend on how the input is chunked (no clicks at chunk boundaries)', () => {
    const input = sine(44_100, 1000, 44_100);
    const whole = resample(new Resampler({ inputRate: 44_100, outputRate: OUT }), input, [input.length]);
    const chunked = resample(new Resampler({ inputRate: 44_100, outputRate: OUT }), input, [128, 1, 441, 7, 1000, 3]);
    expect(chunked.length).toBe(whole.length);
    let maxDiff = 0;
    for (let i = 0; i < whole.length; i++) maxDiff = Math.max(maxDiff, Math.abs(whole[i]! - chunked[i]!));
    expect(maxDiff).toBeLessThan(1e-6);
    // And the waveform is smooth: no step larger than a 1 kHz sine can make between two 16 kHz samples.
    const body = steady(chunked);
    let maxStep = 0;
    for (let i = 1; i < body.length; i++) maxStep = Math.max(maxStep, Math.abs(body[i]! - body[i - 1]!));
    expect(maxStep).toBeLessThan(0.5 * 2 * Math.sin((Math.PI * 1000) / OUT) * 1.01);
  });

  test('keeps 6 kHz (speech band) within 0.1 dB', () => {
    const tone = sine(44_100, 6000, n);
    const out = resample(new Resampler({ inputRate: 44_100, outputRate: OUT }), tone);
    expect(Math.abs(20 * Math.log10(rms(steady(out)) / rms(tone)))).toBeLessThan(0.1);
  });

  test.each([12_000, 9_000, 15_000, 20_000])('attenuates a %d Hz tone (above 8 kHz) by more than 60 dB', (hz) => {
    const tone = sine(44_100, hz, n);
    const out = resample(new Resampler({ inputRate: 44_100, outputRate: OUT }), tone);
    expect(20 * Math.log10(rms(steady(out)) / rms(tone))).toBeLessThan(-60);
  });

  test('adds no delay: an impulse comes out at the same time', () => {
    const input = new Float32Array(44_100);
    const at = 22_050; // 0.5 s
    input[at] = 1;
    const out = resample(new Resampler({ inputRate: 44_100, outputRate: OUT }), input);
    let peak = 0;
    for (let i = 1; i < out.length; i++) if (out[i]! > out[peak]!) peak = i;
    expect(Math.abs(peak - (at * OUT) / 44_100)).toBeLessThanOrEqual(1);
  });
});

describe('other rates', () => {
  test('48 kHz to 16 kHz: a third of the samples, the frequency kept, 12 kHz gone', () => {
    const n = 48_000;
    const out = resample(new Resampler({ inputRate: 48_000, outputRate: OUT }), sine(48_000, 1000, n));
    expect(out.length).toBe(n / 3);
    expect(frequencyOf(steady(out), OUT)).toBeCloseTo(1000, 0);
    const high = sine(48_000, 12_000, n);
    const gone = resample(new Resampler({ inputRate: 48_000, outputRate: OUT }), high);
    expect(20 * Math.log10(rms(steady(gone)) / rms(high))).toBeLessThan(-60);
  });

  test('an odd rate (44 101 Hz, computed kernels) still keeps the frequency', () => {
    const out = resample(new Resampler({ inputRate: 44_101, outputRate: OUT }), sine(44_101, 1000, 44_101));
    expect(frequencyOf(steady(out), OUT)).toBeCloseTo(1000, 0);
  });

  test('refuses rates that are not positive integers', () => {
    expect(() => new Resampler({ inputRate: 0, outputRate: OUT })).toThrow(RangeError);
    expect(() => new Resampler({ inputRate: 44_100.5, outputRate: OUT })).toThrow(RangeError);
  });
});

describe('mixToMono', () => {
  test('no channels is silence', () => {
    const out = mixToMono([], 4, new Float32Array([1, 1, 1, 1]));
    expect([...out]).toEqual([0, 0, 0, 0]);
  });
});

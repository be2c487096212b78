// The MPEG frame walker: durations of real LAME output, hand-built MPEG-1/2/2.5 and VBR streams, tags, rejections.
import { describe, expect, test } from 'vitest';
import { encodeMp3 } from '#adapters/mp3';
import { Mp3FormatError, mp3Info } from '#adapters/mp3-frames';
import { SynthesisError } from '#errors';

/** LAME's fixed encoder delay (576 + 529 samples of priming) that every encoded stream starts with. */
const LAME_DELAY_SAMPLES = 1105;

function tone(sampleRate: number, seconds: number): Int16Array {
  const pcm = new Int16Array(Math.round(sampleRate * seconds));
  for (let i = 0; i < pcm.length; i++) pcm[i] = Math.round(8000 * Math.sin((2 * Math.PI * 220 * i) / sampleRate));
  return pcm;
}

/** Deterministic pseudo-random bytes (mulberry32), so a failure reproduces. */
function randomBytes(length: number, seed: number): Uint8Array {
  let a = seed;
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    out[i] = ((t ^ (t >>> 14)) >>> 0) & 0xff;
  }
  return out;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

const VERSION_BITS = { 1: 0b11, 2: 0b10, 2.5: 0b00 } as const;

/** One Layer III frame with a zero body, sized as the header says (no CRC). */
function frame(version: 1 | 2 | 2.5, bitrateIndex: number, sampleRateIndex: number, opts: { mono?: boolean } = {}) {
  const bitrates =
    version === 1
      ? [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320]
      : [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160];
  const rates = { 1: [44_100, 48_000, 32_000], 2: [22_050, 24_000, 16_000], 2.5: [11_025, 12_000, 8_000] }[version];
  const coefficient = version === 1 ? 144 : 72;
  const length = Math.floor((coefficient * bitrates[bitrateIndex]! * 1000) / rates[sampleRateIndex]!);
  const bytes = new Uint8Array(length);
  bytes[0] = 0xff;
  bytes[1] = 0xe0 | (VERSION_BITS[version] << 3) | (0b01 << 1) | 1; // Layer III, no CRC
  bytes[2] = (bitrateIndex << 4) | (sampleRateIndex << 2);
  bytes[3] = (opts.mono ? 0b11 : 0b00) << 6;
  return bytes;
}

function id3v2(bodyLength: number): Uint8Array {
  const tag = new Uint8Array(10 + bodyLength);
  tag.set([0x49, 0x44, 0x33, 4, 0, 0]);
  tag.set([(bodyLength >> 21) & 0x7f, (bodyLength >> 14) & 0x7f, (bodyLength >> 7) & 0x7f, bodyLength & 0x7f], 6);
  return tag;
}

function id3v1(): Uint8Array {
  const tag = new Uint8Array(128);
  tag.set([0x54, 0x41, 0x47]); // "TAG"
  return tag;
}

describe('mp3Info on LAME output', () => {
  test.each([
    [22_050, 1],
    [22_050, 2.5],
    [16_000, 1],
    [16_000, 2.5],
  ])('%i Hz, %f s: the duration is the PCM plus LAME delay, within one frame', async (sampleRate, seconds) => {
    const pcm = tone(sampleRate, seconds);
    const mp3 = await encodeMp3(pcm, { sampleRate, bitrateKbps: 48 });
    const info = mp3Info(mp3);
    const frameMs = (576 / sampleRate) * 1000; // MPEG-2 Layer III
    const pcmMs = (pcm.length / sampleRate) * 1000;
    const delayMs = (LAME_DELAY_SAMPLES / sampleRate) * 1000;
    expect(info.sampleRate).toBe(sampleRate);
    expect(info.channels).toBe(1);
    expect(info.bitrateKbps).toBe(48);
    expect(info.frames).toBe(Math.ceil((pcm.length + LAME_DELAY_SAMPLES) / 576));
    // Whatever the frame count, the stream covers the delayed audio and ends inside the frame after it.
    expect(info.durationMs - pcmMs - delayMs).toBeGreaterThanOrEqual(-0.5);
    expect(info.durationMs - pcmMs - delayMs).toBeLessThan(frameMs);
  });

  test('the frames account for every byte of the stream', async () => {
    const mp3 = await encodeMp3(tone(22_050, 1), { sampleRate: 22_050, bitrateKbps: 48 });
    const info = mp3Info(mp3);
    // CBR 48 kbps at 22 050 Hz: 156 or 157 bytes per frame (padding bit).
    expect(mp3.length).toBeGreaterThanOrEqual(info.frames * 156);
    expect(mp3.length).toBeLessThanOrEqual(info.frames * 157);
  });
});

describe('mp3Info on hand-built streams', () => {
  test('MPEG-1 stereo, 44.1 kHz, 128 kbps', () => {
    const f = frame(1, 9, 0);
    expect(f.length).toBe(417);
    const info = mp3Info(concat(f, f, f, f));
    expect(info).toEqual({
      frames: 4,
      durationMs: Math.round((4 * 1152 * 1000) / 44_100),
      sampleRate: 44_100,
      bitrateKbps: 128,
      channels: 2,
    });
  });

  test('MPEG-2.5 mono at 8 kHz', () => {
    const f = frame(2.5, 1, 2, { mono: true });
    const info = mp3Info(concat(f, f, f));
    expect(info).toEqual({ frames: 3, durationMs: 216, sampleRate: 8000, bitrateKbps: 8, channels: 1 });
  });

  test('VBR: frame sizes vary and the bitrate is the average', () => {
    // 24 kHz MPEG-2: 32 kbps frames (96 bytes) and 64 kbps frames (192 bytes), equal duration each.
    const low = frame(2, 4, 1);
    const high = frame(2, 8, 1);
    const info = mp3Info(concat(low, high, low, high, high, low));
    expect(info.frames).toBe(6);
    expect(info.sampleRate).toBe(24_000);
    expect(info.durationMs).toBe(144);
    expect(info.bitrateKbps).toBe(48);
  });

  test('skips an ID3v2 tag and accepts an ID3v1 tag or a few stray bytes at the end', () => {
    const f = frame(2, 6, 0);
    const expected = mp3Info(concat(f, f));
    expect(mp3Info(concat(id3v2(300), f, f))).toEqual(expected);
    expect(mp3Info(concat(id3v2(40), f, f, id3v1()))).toEqual(expected);
    expect(mp3Info(concat(f, f, randomBytes(127, 7)))).toEqual(expected);
  });

  test('a Xing/Info header frame counts as an ordinary frame', () => {
    const info = frame(2, 6, 0);
    info.set([0x49, 0x6e, 0x66, 0x6f], 4 + 9); // "Info" after MPEG-2 mono side info
    const f = frame(2, 6, 0);
    expect(mp3Info(concat(info, f, f)).frames).toBe(3);
  });
});

const oneSecond = await encodeMp3(tone(22_050, 1), { sampleRate: 22_050, bitrateKbps: 48 });

describe('mp3Info rejects what is not a frame sequence', () => {
  const mp3 = oneSecond;

  function rejection(bytes: Uint8Array): Mp3FormatError {
    try {
      mp3Info(bytes);
    } catch (error) {
      expect(error).toBeInstanceOf(Mp3FormatError);
      expect(error).toBeInstanceOf(SynthesisError);
      expect((error as Error).name).toBe('Mp3FormatError');
      return error as Mp3FormatError;
    }
    throw new Error('mp3Info accepted the bytes');
  }

  test('empty input', () => {
    expect(rejection(new Uint8Array(0)).message).toMatch(/empty/);
  });

  test.each([1, 2, 3, 4, 5])('random bytes (seed %i)', (seed) => {
    rejection(randomBytes(4096, seed));
  });

  test('random bytes behind one valid frame header', () => {
    const bytes = randomBytes(4096, 11);
    bytes.set(frame(2, 6, 0).subarray(0, 4));
    expect(rejection(bytes).message).toMatch(/no MPEG frame sync at byte 156 after 1 frame/);
  });

  test('a WAV file', () => {
    const pcm = tone(16_000, 0.5);
    const wav = new Uint8Array(44 + pcm.byteLength);
    const view = new DataView(wav.buffer);
    wav.set(new TextEncoder().encode('RIFF'), 0);
    view.setUint32(4, 36 + pcm.byteLength, true);
    wav.set(new TextEncoder().encode('WAVEfmt '), 8);
    view.setUint32(16, 16, true);
    view.setUint16(20, 1, true);
    view.setUint16(22, 1, true);
    view.setUint32(24, 16_000, true);
    view.setUint32(28, 32_000, true);
    view.setUint16(32, 2, true);
    view.setUint16(34, 16, true);
    wav.set(new TextEncoder().encode('data'), 36);
    view.setUint32(40, pcm.byteLength, true);
    wav.set(new Uint8Array(pcm.buffer), 44);
    expect(rejection(wav).message).toMatch(/no MPEG Layer III frame header at byte 0/);
  });

  test('a stream cut inside its last frame', () => {
    expect(rejection(mp3.subarray(0, mp3.length - 60)).message).toMatch(/truncated stream/);
  });

  test('a stream with its first byte missing', () => {
    rejection(mp3.subarray(1));
  });

  test('a frame whose sample rate differs from the first', () => {
    const f = frame(2, 6, 0);
    rejection(concat(f, f, frame(2, 6, 2), f));
  });

  test('more than 128 bytes of trailing garbage', () => {
    rejection(concat(mp3, randomBytes(200, 3)));
  });

  test('an ID3v2 tag with nothing after it', () => {
    expect(rejection(id3v2(100)).message).toMatch(/no MPEG Layer III frame header at byte 110/);
  });
});

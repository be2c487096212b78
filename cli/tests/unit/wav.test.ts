// WAV parsing against files built in memory: layouts real writers produce, encodings, and clear refusals.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { WavFormatError, WavReadError } from '../../src/errors.ts';
import { encodeWav, parseWav, readWav, toMono16k, writeWav } from '../../src/wav.ts';

/** A chunk with an explicit (possibly lying) size field. */
function chunk(id: string, body: Uint8Array, size = body.byteLength): Uint8Array {
  const out = new Uint8Array(8 + body.byteLength + (body.byteLength % 2));
  out.set(Buffer.from(id, 'ascii'), 0);
  new DataView(out.buffer).setUint32(4, size, true);
  out.set(body, 8);
  return out;
}

function fmtBody(format: number, channels: number, rate: number, bits: number, extensibleSub?: number): Uint8Array {
  const size = extensibleSub === undefined ? 16 : 40;
  const out = new Uint8Array(size);
  const v = new DataView(out.buffer);
  v.setUint16(0, extensibleSub === undefined ? format : 0xfffe, true);
  v.setUint16(2, channels, true);
  v.setUint32(4, rate, true);
  v.setUint32(8, (rate * channels * bits) / 8, true);
  v.setUint16(12, (channels * bits) / 8, true);
  v.setUint16(14, bits, true);
  if (extensibleSub !== undefined) {
    v.setUint16(16, 22, true);
    v.setUint16(18, bits, true);
    v.setUint32(20, channels === 2 ? 3 : 4, true);
    v.setUint16(24, extensibleSub, true);
  }
  return out;
}

function riff(chunks: Uint8Array[], tag = 'RIFF'): Uint8Array {
  const body = Buffer.concat([Buffer.from('WAVE', 'ascii'), ...chunks]);
  const out = new Uint8Array(8 + body.byteLength);
  out.set(Buffer.from(tag, 'ascii'), 0);
  new DataView(out.buffer).setUint32(4, body.byteLength, true);
  out.set(body, 8);
  return out;
}

function int16Bytes(values: number[]): Uint8Array {
  const out = new Uint8Array(values.length * 2);
  const v = new DataView(out.buffer);
  for (const [i, x] of values.entries()) v.setInt16(i * 2, x, true);
  return out;
}

function float32Bytes(values: number[]): Uint8Array {
  const out = new Uint8Array(values.length * 4);
  const v = new DataView(out.buffer);
  for (const [i, x] of values.entries()) v.setFloat32(i * 4, x, true);
  return out;
}

describe('parseWav', () => {
  test('reads canonical 16-bit PCM', () => {
    const wav = parseWav(encodeWav(Int16Array.from([0, 1, -1, 32767, -32768]), 16_000));
    expect(wav).toEqual({ sampleRate: 16_000, channels: 1, samples: Int16Array.from([0, 1, -1, 32767, -32768]) });
  });

  test('walks past unknown chunks in any order, including odd-sized ones with a pad byte', () => {
    const bytes = riff([
      chunk('LIST', new Uint8Array(5)), // odd size: followed by a pad byte
      chunk('fmt ', fmtBody(1, 2, 44_100, 16)),
      chunk('fact', new Uint8Array(4)),
      chunk('data', int16Bytes([1, 2, 3, 4])),
      chunk('id3 ', new Uint8Array(10)),
    ]);
    const wav = parseWav(bytes);
    expect(wav.channels).toBe(2);
    expect(wav.sampleRate).toBe(44_100);
    expect([...wav.samples]).toEqual([1, 2, 3, 4]);
  });

  test.each([0, 0xffffffff])('a data size of %d (streaming placeholder) means "the rest of the file"', (size) => {
    const bytes = riff([chunk('fmt ', fmtBody(1, 1, 16_000, 16)), chunk('data', int16Bytes([5, 6, 7]), size)]);
    expect([...parseWav(bytes).samples]).toEqual([5, 6, 7]);
  });

  test('a data size beyond the end of a truncated file takes what is there, dropping a partial sample', () => {
    const full = riff([chunk('fmt ', fmtBody(1, 1, 16_000, 16)), chunk('data', int16Bytes([5, 6, 7]), 1000)]);
    const truncated = full.subarray(0, full.byteLength - 1);
    expect([...parseWav(truncated).samples]).toEqual([5, 6]);
  });

  test('RF64 with the 0xFFFFFFFF size convention', () => {
    const bytes = riff(
      [
        chunk('ds64', new Uint8Array(28)),
        chunk('fmt ', fmtBody(1, 1, 8000, 16)),
        chunk('data', int16Bytes([9]), 0xffffffff),
      ],
      'RF64',
    );
    expect([...parseWav(bytes).samples]).toEqual([9]);
  });

  test('32-bit float (format 3) is clamped and scaled to 16 bits', () => {
    const bytes = riff([
      chunk('fmt ', fmtBody(3, 1, 48_000, 32)),
      chunk('data', float32Bytes([0, 0.5, -0.5, 1, -1, 2, -2])),
    ]);
    expect([...parseWav(bytes).samples]).toEqual([0, 16384, -16384, 32767, -32768, 32767, -32768]);
  });

  test('WAVE_FORMAT_EXTENSIBLE takes the real format from the SubFormat GUID', () => {
    const float = riff([chunk('fmt ', fmtBody(0, 2, 48_000, 32, 3)), chunk('data', float32Bytes([0.25, -0.25]))]);
    expect([...parseWav(float).samples]).toEqual([8192, -8192]);
    const pcm = riff([chunk('fmt ', fmtBody(0, 1, 16_000, 16, 1)), chunk('data', int16Bytes([42]))]);
    expect([...parseWav(pcm).samples]).toEqual([42]);
  });

  test('8-bit unsigned and 24-bit PCM keep their most significant bits', () => {
    const eight = riff([chunk('fmt ', fmtBody(1, 1, 8000, 8)), chunk('data', Uint8Array.from([128, 255, 0]))]);
    expect([...parseWav(eight).samples]).toEqual([0, 127 << 8, -128 << 8]);
    const twentyFour = riff([
      chunk('fmt ', fmtBody(1, 1, 16_000, 24)),
      chunk('data', Uint8Array.from([0xff, 0x34, 0x12, 0x00, 0x00, 0x80])),
    ]);
    expect([...parseWav(twentyFour).samples]).toEqual([0x1234, -32768]);
  });

  test.each([
    ['too short', new Uint8Array(4), /only 4 bytes/],
    ['not RIFF', Buffer.from('ID3\u0003 not a wav file at all'), /RIFF\/WAVE/],
    ['RIFF but not WAVE', riff([]).map((b, i) => (i === 8 ? 65 : b)), /RIFF\/WAVE/],
    ['big-endian RIFX', riff([], 'RIFX'), /RIFX/],
    ['no fmt chunk', riff([chunk('data', int16Bytes([1]))]), /no "fmt " chunk/],
    ['no data chunk', riff([chunk('fmt ', fmtBody(1, 1, 16_000, 16))]), /no "data" chunk/],
    ['A-law', riff([chunk('fmt ', fmtBody(6, 1, 8000, 8)), chunk('data', new Uint8Array(2))]), /format 6/],
    ['12-bit PCM', riff([chunk('fmt ', fmtBody(1, 1, 8000, 12)), chunk('data', new Uint8Array(2))]), /12 bits/],
    ['0 channels', riff([chunk('fmt ', fmtBody(1, 0, 8000, 16)), chunk('data', new Uint8Array(2))]), /0 channels/],
  ])('refuses %s with WavFormatError', (_name, bytes, message) => {
    expect(() => parseWav(bytes)).toThrowError(WavFormatError);
    expect(() => parseWav(bytes)).toThrowError(message);
  });
});

describe('toMono16k', () => {
  test('16 kHz mono passes through unchanged', () => {
    const samples = Int16Array.from([1, -2, 3]);
    expect([...toMono16k({ sampleRate: 16_000, channels: 1, samples })]).toEqual([1, -2, 3]);
  });

  test('downmixes by averaging the channels', () => {
    const samples = Int16Array.from([100, 300, -32768, -32768, 32767, -32767]);
    expect([...toMono16k({ sampleRate: 16_000, channels: 2, samples })]).toEqual([200, -32768, 0]);
  });

  test('downsamples 48 kHz by interpolating at every third sample', () => {
    const samples = Int16Array.from({ length: 48 }, (_, i) => i * 10);
    const out = toMono16k({ sampleRate: 48_000, channels: 1, samples });
    expect(out.length).toBe(16);
    expect([...out]).toEqual(Array.from({ length: 16 }, (_, i) => i * 30));
  });

  test('upsamples 8 kHz with linear interpolation between neighbours', () => {
    const out = toMono16k({ sampleRate: 8000, channels: 1, samples: Int16Array.from([0, 100, 200]) });
    expect([...out]).toEqual([0, 50, 100, 150, 200, 200]);
  });

  test('44.1 kHz yields 16000 samples per second', () => {
    const out = toMono16k({ sampleRate: 44_100, channels: 2, samples: new Int16Array(44_100 * 2) });
    expect(out.length).toBe(16_000);
  });
});

describe('readWav / writeWav', () => {
  const dir = mkdtempSync(join(tmpdir(), 'llt-wav-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('round-trips through a file', () => {
    const path = join(dir, 'a.wav');
    const samples = Int16Array.from({ length: 1000 }, (_, i) => (i * 37) % 30000);
    writeWav(path, samples, 22_050);
    expect(readWav(path)).toEqual({ sampleRate: 22_050, channels: 1, samples });
  });

  test('a missing file is a WavReadError naming the path; a bad one a WavFormatError naming it', () => {
    expect(() => readWav(join(dir, 'missing.wav'))).toThrowError(WavReadError);
    expect(() => readWav(join(dir, 'missing.wav'))).toThrowError(/missing\.wav/);
    const bad = join(dir, 'bad.wav');
    writeFileSync(bad, 'this is not audio');
    expect(() => readWav(bad)).toThrowError(WavFormatError);
    expect(() => readWav(bad)).toThrowError(/bad\.wav: Not a WAV file/);
  });
});

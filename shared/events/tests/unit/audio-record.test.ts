import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  AudioRecordFormatError,
  type AudioRecordHeader,
  decodeAudioRecord,
  encodeAudioRecord,
} from '../../src/protocol/audio-record.ts';

const sample = (variant: 'audio' | 'marker') =>
  JSON.parse(
    readFileSync(new URL(`../../samples/audio-record.v1.${variant}.json`, import.meta.url), 'utf8'),
  ) as AudioRecordHeader;
const audioHeader = sample('audio') as Extract<AudioRecordHeader, { kind: 'audio' }>;
const markerHeader = sample('marker');
const pcmOf = (samples: number) => new Uint8Array(samples * 2).map((_, i) => (i * 53) & 0xff);

/** A record whose header bytes are given verbatim, for headers the encoder would never write. */
function rawRecord(header: string, pcm = new Uint8Array(0)): Uint8Array {
  const json = new TextEncoder().encode(header);
  const out = new Uint8Array(4 + json.byteLength + pcm.byteLength);
  new DataView(out.buffer).setUint32(0, json.byteLength, false);
  out.set(json, 4);
  out.set(pcm, 4 + json.byteLength);
  return out;
}

function formatError(run: () => unknown): AudioRecordFormatError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(AudioRecordFormatError);
    return error as AudioRecordFormatError;
  }
  throw new Error('expected an AudioRecordFormatError');
}

describe('encodeAudioRecord / decodeAudioRecord', () => {
  it('round-trips an audio record with its PCM', () => {
    const pcm = pcmOf(audioHeader.samples);
    expect(decodeAudioRecord(encodeAudioRecord(audioHeader, pcm))).toEqual({ header: audioHeader, pcm });
  });

  it('round-trips markers, with and without afterSeq, carrying no PCM', () => {
    expect(decodeAudioRecord(encodeAudioRecord(markerHeader))).toEqual({ header: markerHeader, pcm: new Uint8Array() });
    const first = { v: 1, kind: 'marker', sessionId: 's_7Hq2xK9pLmN3', marker: 'pause', receivedAt: 1 } as const;
    expect(decodeAudioRecord(encodeAudioRecord(first)).header).toEqual(first);
  });

  it('writes a big-endian header length followed by the JSON header and the PCM', () => {
    const pcm = pcmOf(audioHeader.samples);
    const record = encodeAudioRecord(audioHeader, pcm);
    const length = new DataView(record.buffer).getUint32(0, false);
    expect(JSON.parse(new TextDecoder().decode(record.subarray(4, 4 + length)))).toEqual(audioHeader);
    expect(record.subarray(4 + length)).toEqual(pcm);
  });

  it('decodes a record at an offset inside a larger buffer, returning the PCM as a view', () => {
    const record = encodeAudioRecord(audioHeader, pcmOf(audioHeader.samples));
    const backing = new Uint8Array(record.byteLength + 7);
    backing.set(record, 3);
    const decoded = decodeAudioRecord(backing.subarray(3, 3 + record.byteLength));
    expect(decoded.header).toEqual(audioHeader);
    expect(decoded.pcm.buffer).toBe(backing.buffer);
  });
});

describe('decodeAudioRecord rejects', () => {
  it('a record too short to hold the header length', () => {
    expect(formatError(() => decodeAudioRecord(new Uint8Array(3))).message).toBe(
      'record of 3 bytes has no header length',
    );
  });

  it('a header length that is zero, too large, or longer than the record', () => {
    expect(formatError(() => decodeAudioRecord(new Uint8Array(4))).message).toBe(
      'record header length 0 does not fit a 4-byte record',
    );
    const truncated = encodeAudioRecord(markerHeader).subarray(0, 30);
    const declared = new DataView(truncated.buffer).getUint32(0, false);
    expect(formatError(() => decodeAudioRecord(truncated)).message).toBe(
      `record header length ${declared} does not fit a 30-byte record`,
    );
    const huge = rawRecord(`{"pad":"${'x'.repeat(4100)}"}`);
    expect(formatError(() => decodeAudioRecord(huge)).message).toBe(
      `record header length 4110 does not fit a ${huge.byteLength}-byte record`,
    );
  });

  it('a header that is not JSON, keeping the parse error as the cause', () => {
    const error = formatError(() => decodeAudioRecord(rawRecord('{"v":1,')));
    expect(error.message).toBe('record header is not valid JSON');
    expect(error.cause).toBeInstanceOf(SyntaxError);
  });

  it('a header that fails the schema, naming the field', () => {
    const error = formatError(() =>
      decodeAudioRecord(rawRecord(JSON.stringify({ ...audioHeader, sessionId: 'short' }), pcmOf(320))),
    );
    expect(error.message).toMatch(/^record header invalid: /);
    expect(error.message).toContain('session id must be 8-64 URL-safe characters');
    expect(error.message).toContain('sessionId');
    expect(formatError(() => decodeAudioRecord(rawRecord('{"v":1,"kind":"video"}'))).message).toMatch(
      /^record header invalid: /,
    );
    expect(formatError(() => decodeAudioRecord(rawRecord('null'))).message).toMatch(/^record header invalid: /);
  });

  it('an audio record whose PCM does not match its sample count', () => {
    const error = formatError(() => decodeAudioRecord(encodeAudioRecord(audioHeader, new Uint8Array(638))));
    expect(error.message).toBe('record declares 320 samples but carries 638 bytes of PCM');
  });

  it('a marker that carries PCM', () => {
    const error = formatError(() => decodeAudioRecord(encodeAudioRecord(markerHeader, pcmOf(2))));
    expect(error.message).toBe('record marker "end" carries 4 bytes; markers carry no PCM');
  });
});

describe('decodeAudioRecord properties', () => {
  const header = fc.record({
    v: fc.constant(1 as const),
    kind: fc.constant('audio' as const),
    sessionId: fc.stringMatching(/^[A-Za-z0-9_-]{8,64}$/),
    seq: fc.nat(),
    captureTime: fc.double({ min: 0, max: 4_102_444_800_000, noNaN: true, noDefaultInfinity: true }),
    receivedAt: fc.integer({ min: 0, max: 4_102_444_800_000 }),
    sampleRate: fc.constant(16_000 as const),
    channels: fc.constant(1 as const),
    encoding: fc.constant('s16le' as const),
    samples: fc.integer({ min: 1, max: 1600 }),
  });

  it('decodes every valid audio record to the header and PCM it was built from', () => {
    fc.assert(
      fc.property(header, fc.integer({ min: 0, max: 255 }), (h, fill) => {
        const pcm = new Uint8Array(h.samples * 2).fill(fill);
        const decoded = decodeAudioRecord(encodeAudioRecord(h, pcm));
        // JSON cannot write -0; it comes back as 0.
        expect(decoded).toEqual({ header: { ...h, captureTime: h.captureTime + 0 }, pcm });
      }),
    );
  });

  it('only ever throws AudioRecordFormatError on arbitrary bytes', () => {
    const bytes = fc.oneof(
      fc.uint8Array({ maxLength: 256 }),
      fc.string().map((text) => rawRecord(text)),
      fc.jsonValue().map((value) => rawRecord(JSON.stringify(value) ?? '')),
    );
    fc.assert(
      fc.property(bytes, (data) => {
        try {
          decodeAudioRecord(data);
        } catch (error) {
          expect(error).toBeInstanceOf(AudioRecordFormatError);
        }
      }),
    );
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeAudioFrame,
  decodeAudioFrameText,
  encodeAudioFrame,
  encodeAudioFrameText,
  FRAME_HEADER_BYTES,
  type FrameDecodeResult,
  isAudioFrameText,
  MAX_FRAME_BYTES,
  MAX_FRAME_SAMPLES,
  MAX_FRAME_TEXT_CHARS,
  MIN_FRAME_SAMPLES,
} from '../../src/protocol/audio-frame.ts';
import { ErrorCode } from '../../src/protocol/messages.ts';

const CAPTURE_TIME = 1_761_213_662_140.375;
const pcmOf = (samples: number) => new Uint8Array(samples * 2).map((_, i) => (i * 37) & 0xff);
const frameWith = (patch: (view: DataView) => void, samples = 320): Uint8Array => {
  const frame = encodeAudioFrame(7, CAPTURE_TIME, pcmOf(samples));
  patch(new DataView(frame.buffer));
  return frame;
};
const rejection = (result: FrameDecodeResult) => (result.ok ? result : { code: result.code, message: result.message });

describe('encodeAudioFrame / decodeAudioFrame', () => {
  it('round-trips seq, capture time and PCM, and reports the duration', () => {
    const pcm = pcmOf(640);
    const result = decodeAudioFrame(encodeAudioFrame(4_294_967_295, CAPTURE_TIME, pcm));
    expect(result).toEqual({ ok: true, frame: { seq: 4_294_967_295, captureTime: CAPTURE_TIME, pcm, durationMs: 40 } });
  });

  it('writes the documented 20-byte header', () => {
    const frame = encodeAudioFrame(258, CAPTURE_TIME, pcmOf(320));
    const view = new DataView(frame.buffer);
    expect([...frame.subarray(0, 4)]).toEqual([1, 1, 1, 0]);
    expect(view.getUint32(4, true)).toBe(16_000);
    expect(view.getUint32(8, true)).toBe(258);
    expect(view.getFloat64(12, true)).toBe(CAPTURE_TIME);
    expect(frame.byteLength).toBe(FRAME_HEADER_BYTES + 640);
  });

  it('accepts exactly 20 ms and exactly 100 ms', () => {
    expect(decodeAudioFrame(encodeAudioFrame(0, CAPTURE_TIME, pcmOf(MIN_FRAME_SAMPLES)))).toMatchObject({
      ok: true,
      frame: { durationMs: 20 },
    });
    const longest = encodeAudioFrame(0, CAPTURE_TIME, pcmOf(MAX_FRAME_SAMPLES));
    expect(longest.byteLength).toBe(MAX_FRAME_BYTES);
    expect(decodeAudioFrame(longest)).toMatchObject({ ok: true, frame: { durationMs: 100 } });
  });

  it('decodes a frame that sits at an offset inside a larger buffer, returning a view rather than a copy', () => {
    const frame = encodeAudioFrame(9, CAPTURE_TIME, pcmOf(320));
    const backing = new Uint8Array(frame.byteLength + 13);
    backing.set(frame, 5);
    const result = decodeAudioFrame(backing.subarray(5, 5 + frame.byteLength));
    if (!result.ok) throw new Error(result.message);
    expect(result.frame.seq).toBe(9);
    expect(result.frame.captureTime).toBe(CAPTURE_TIME);
    expect(result.frame.pcm.buffer).toBe(backing.buffer);
    expect(result.frame.pcm.byteOffset).toBe(5 + FRAME_HEADER_BYTES);
  });

  it('refuses to encode a seq the u32 field cannot hold instead of wrapping it', () => {
    for (const seq of [-1, 1.5, 4_294_967_296, Number.NaN]) {
      expect(() => encodeAudioFrame(seq, CAPTURE_TIME, pcmOf(320))).toThrow(RangeError);
    }
  });
});

describe('decodeAudioFrame rejects', () => {
  it('a message shorter than the header', () => {
    expect(rejection(decodeAudioFrame(new Uint8Array(19)))).toEqual({
      code: 'malformed_frame',
      message: 'Audio frame of 19 bytes is shorter than the 20-byte header',
    });
    expect(rejection(decodeAudioFrame(new Uint8Array(0)))).toEqual({
      code: 'malformed_frame',
      message: 'Audio frame of 0 bytes is shorter than the 20-byte header',
    });
  });

  it('another header version', () => {
    expect(rejection(decodeAudioFrame(frameWith((v) => v.setUint8(0, 2))))).toEqual({
      code: 'malformed_frame',
      message: 'Audio frame header version 2 is not supported; expected 1',
    });
  });

  it('another sample rate', () => {
    expect(rejection(decodeAudioFrame(frameWith((v) => v.setUint32(4, 48_000, true))))).toEqual({
      code: 'unsupported_audio_format',
      message: 'Audio must be 16000 Hz mono s16le (encoding 1); got 48000 Hz, 1 channel(s), encoding 1',
    });
  });

  it('more than one channel', () => {
    expect(rejection(decodeAudioFrame(frameWith((v) => v.setUint8(2, 2))))).toEqual({
      code: 'unsupported_audio_format',
      message: 'Audio must be 16000 Hz mono s16le (encoding 1); got 16000 Hz, 2 channel(s), encoding 1',
    });
  });

  it('another encoding', () => {
    expect(rejection(decodeAudioFrame(frameWith((v) => v.setUint8(1, 3))))).toEqual({
      code: 'unsupported_audio_format',
      message: 'Audio must be 16000 Hz mono s16le (encoding 1); got 16000 Hz, 1 channel(s), encoding 3',
    });
  });

  it('a payload with an odd number of bytes', () => {
    const frame = encodeAudioFrame(1, CAPTURE_TIME, new Uint8Array(641));
    expect(rejection(decodeAudioFrame(frame))).toEqual({
      code: 'malformed_frame',
      message: 'Audio payload of 641 bytes is not a whole number of 16-bit samples',
    });
  });

  it('less than 20 ms of audio', () => {
    expect(rejection(decodeAudioFrame(encodeAudioFrame(1, CAPTURE_TIME, pcmOf(319))))).toEqual({
      code: 'malformed_frame',
      message: 'Audio frame holds 19.9375 ms; frames must hold 20-100 ms',
    });
    expect(rejection(decodeAudioFrame(encodeAudioFrame(1, CAPTURE_TIME, new Uint8Array(0))))).toEqual({
      code: 'malformed_frame',
      message: 'Audio frame holds 0 ms; frames must hold 20-100 ms',
    });
  });

  it('more than the maximum frame size, before looking at the header', () => {
    expect(rejection(decodeAudioFrame(encodeAudioFrame(1, CAPTURE_TIME, pcmOf(MAX_FRAME_SAMPLES + 1))))).toEqual({
      code: 'frame_too_large',
      message:
        'Audio frame of 3222 bytes exceeds the 3220-byte maximum (100 ms of 16 kHz mono s16le plus a 20-byte header)',
    });
    expect(rejection(decodeAudioFrame(new Uint8Array(1_000_000)))).toMatchObject({ code: 'frame_too_large' });
  });

  it.each([0, -1, -0, Number.NaN, Number.POSITIVE_INFINITY])('capture time %s', (captureTime) => {
    expect(rejection(decodeAudioFrame(encodeAudioFrame(1, captureTime, pcmOf(320))))).toEqual({
      code: 'malformed_frame',
      message: 'Audio frame capture time must be a positive epoch-millisecond value',
    });
  });

  it('only with codes a client can be sent', () => {
    for (const code of ['malformed_frame', 'unsupported_audio_format', 'frame_too_large'] as const) {
      expect(ErrorCode.options).toContain(code);
    }
  });
});

describe('decodeAudioFrame properties', () => {
  const validFrame = fc.record({
    seq: fc.integer({ min: 0, max: 0xffff_ffff }),
    captureTime: fc.double({ min: Number.MIN_VALUE, max: 4_102_444_800_000, noNaN: true }),
    pcm: fc
      .integer({ min: MIN_FRAME_SAMPLES, max: MAX_FRAME_SAMPLES })
      .chain((samples) => fc.uint8Array({ minLength: samples * 2, maxLength: samples * 2 })),
  });

  it('decodes every valid encoded frame to the values it was built from', () => {
    fc.assert(
      fc.property(validFrame, ({ seq, captureTime, pcm }) => {
        const result = decodeAudioFrame(encodeAudioFrame(seq, captureTime, pcm));
        expect(result).toEqual({ ok: true, frame: { seq, captureTime, pcm, durationMs: pcm.byteLength / 32 } });
      }),
    );
  });

  it('never throws on arbitrary bytes, at any offset', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: MAX_FRAME_BYTES + 64 }), fc.nat(16), (bytes, offset) => {
        const result = decodeAudioFrame(bytes.subarray(Math.min(offset, bytes.byteLength)));
        expect(typeof result.ok).toBe('boolean');
      }),
    );
  });

  it('never throws on a valid frame with corrupted bytes, and then rejects or decodes consistently', () => {
    fc.assert(
      fc.property(
        validFrame,
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 8 }),
        ({ seq, captureTime, pcm }, edits) => {
          const frame = encodeAudioFrame(seq, captureTime, pcm);
          for (const [index, value] of edits) frame[index % FRAME_HEADER_BYTES] = value;
          const result = decodeAudioFrame(frame);
          if (result.ok) {
            expect(result.frame.captureTime).toBeGreaterThan(0);
            expect(result.frame.pcm.byteLength).toBe(pcm.byteLength);
          } else {
            expect(ErrorCode.options).toContain(result.code);
            expect(result.message.length).toBeGreaterThan(0);
          }
        },
      ),
    );
  });
});

describe('audio frames as text', () => {
  it('round-trips through the base64 text a client sends', () => {
    const pcm = pcmOf(1600);
    const text = encodeAudioFrameText(12, CAPTURE_TIME, pcm);
    expect(text).toBe(Buffer.from(encodeAudioFrame(12, CAPTURE_TIME, pcm)).toString('base64'));
    expect(text.length).toBe(MAX_FRAME_TEXT_CHARS);
    expect(isAudioFrameText(text)).toBe(true);
    expect(decodeAudioFrameText(text)).toEqual({
      ok: true,
      frame: { seq: 12, captureTime: CAPTURE_TIME, pcm, durationMs: 100 },
    });
  });

  it('tells frames from JSON control messages', () => {
    expect(isAudioFrameText('{"action":"hello"}')).toBe(false);
    expect(isAudioFrameText(' {"action":"hello"}')).toBe(false);
    expect(isAudioFrameText('')).toBe(false);
    expect(isAudioFrameText('AQEBAIA+AAA=')).toBe(true);
  });

  it('refuses too long a text before decoding it, and names the limit', () => {
    const result = decodeAudioFrameText('A'.repeat(MAX_FRAME_TEXT_CHARS + 4));
    expect(rejection(result)).toMatchObject({ code: 'frame_too_large' });
    expect(result.ok || result.message).toContain(`${MAX_FRAME_TEXT_CHARS}-character maximum`);
  });

  it('calls broken base64 a malformed frame, and judges decoded bytes like binary ones', () => {
    expect(rejection(decodeAudioFrameText('AQEB!'))).toMatchObject({ code: 'malformed_frame' });
    expect(rejection(decodeAudioFrameText('AQEBAA=='))).toMatchObject({
      code: 'malformed_frame',
      message: 'Audio frame of 4 bytes is shorter than the 20-byte header',
    });
    const wrongRate = frameWith((view) => view.setUint32(4, 44_100, true));
    expect(rejection(decodeAudioFrameText(Buffer.from(wrongRate).toString('base64')))).toMatchObject({
      code: 'unsupported_audio_format',
    });
  });
});

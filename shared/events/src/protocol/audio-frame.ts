// The speaker's audio frame: a 20-byte header then 16 kHz mono s16le PCM. On the WebSocket it travels as the
// base64 text of those bytes in a text frame (`encodeAudioFrameText`): API Gateway closes a connection that sends
// a binary frame (code 1003), and a text message that is not JSON goes to the $default route, where ingest
// decodes it. A 100 ms frame is 3,220 bytes, 4,296 characters on the wire.
//
//   offset size  field
//   0      u8    version        (1)
//   1      u8    encoding       (1 = signed 16-bit little-endian PCM)
//   2      u8    channels       (1)
//   3      u8    flags          (0; reserved)
//   4      u32le sampleRate     (16000)
//   8      u32le seq            per session, +1 per frame, continues across reconnects
//   12     f64le captureTime    ms since epoch when the frame's first sample was captured
//   20     ...   samples

import { fromBase64, toBase64 } from './base64.ts';

export const FRAME_HEADER_BYTES = 20;
export const FRAME_VERSION = 1;
export const ENCODING_S16LE = 1;
export const SAMPLE_RATE = 16_000;
export const CHANNELS = 1;
export const BYTES_PER_SAMPLE = 2;
export const MIN_FRAME_MS = 20;
export const MAX_FRAME_MS = 100;
export const MIN_FRAME_SAMPLES = (SAMPLE_RATE * MIN_FRAME_MS) / 1000;
export const MAX_FRAME_SAMPLES = (SAMPLE_RATE * MAX_FRAME_MS) / 1000;
/** Largest valid frame; anything longer is rejected before it is parsed. */
export const MAX_FRAME_BYTES = FRAME_HEADER_BYTES + MAX_FRAME_SAMPLES * BYTES_PER_SAMPLE;
/** The base64 text of the largest valid frame. */
export const MAX_FRAME_TEXT_CHARS = Math.ceil(MAX_FRAME_BYTES / 3) * 4;

export interface AudioFrame {
  seq: number;
  captureTime: number;
  /** s16le PCM bytes (a view into the received message, not a copy). */
  pcm: Uint8Array;
  durationMs: number;
}

/** Multiplies before dividing so whole-sample durations come out exact (1007 samples = 62.9375 ms, not 62.93749999999999). */
function samplesToMs(samples: number): number {
  return (samples * 1000) / SAMPLE_RATE;
}

export type FrameErrorCode = 'malformed_frame' | 'unsupported_audio_format' | 'frame_too_large';
export type FrameDecodeResult = { ok: true; frame: AudioFrame } | { ok: false; code: FrameErrorCode; message: string };

/**
 * Builds one frame. Throws RangeError when `seq` does not fit the u32 field (DataView would silently wrap it);
 * everything else is written as given, so the decoder stays the one place that judges a frame.
 */
export function encodeAudioFrame(seq: number, captureTime: number, pcm: Uint8Array): Uint8Array {
  if (!Number.isInteger(seq) || seq < 0 || seq > 0xffff_ffff) {
    throw new RangeError(`Audio frame seq ${seq} is not an integer in 0..4294967295`);
  }
  const out = new Uint8Array(FRAME_HEADER_BYTES + pcm.byteLength);
  const view = new DataView(out.buffer);
  view.setUint8(0, FRAME_VERSION);
  view.setUint8(1, ENCODING_S16LE);
  view.setUint8(2, CHANNELS);
  view.setUint8(3, 0);
  view.setUint32(4, SAMPLE_RATE, true);
  view.setUint32(8, seq, true);
  view.setFloat64(12, captureTime, true);
  out.set(pcm, FRAME_HEADER_BYTES);
  return out;
}

/** One frame as the text a client sends: the base64 of `encodeAudioFrame`'s bytes. */
export function encodeAudioFrameText(seq: number, captureTime: number, pcm: Uint8Array): string {
  return toBase64(encodeAudioFrame(seq, captureTime, pcm));
}

/** Whether a text message is meant as an audio frame: it holds only base64 characters (JSON never does). */
export function isAudioFrameText(text: string): boolean {
  return BASE64_TEXT.test(text);
}

const BASE64_TEXT = /^[A-Za-z0-9+/]+={0,2}$/;

/**
 * Validates and decodes one frame sent as text. Too long a text is refused before it is decoded; text that is
 * not canonical base64 is a malformed frame; the bytes are then judged by `decodeAudioFrame`.
 */
export function decodeAudioFrameText(text: string): FrameDecodeResult {
  if (text.length > MAX_FRAME_TEXT_CHARS) {
    return {
      ok: false,
      code: 'frame_too_large',
      message: `Audio frame text of ${text.length} characters exceeds the ${MAX_FRAME_TEXT_CHARS}-character maximum (base64 of ${MAX_FRAME_BYTES} bytes: ${MAX_FRAME_MS} ms of 16 kHz mono s16le plus a ${FRAME_HEADER_BYTES}-byte header)`,
    };
  }
  const bytes = fromBase64(text);
  if (!bytes) {
    return {
      ok: false,
      code: 'malformed_frame',
      message: 'Audio frame text is not padded standard base64 (RFC 4648 section 4, length a multiple of 4)',
    };
  }
  return decodeAudioFrame(bytes);
}

/** Validates and decodes one frame's bytes; every rejection names what was wrong and what is expected. */
export function decodeAudioFrame(data: Uint8Array): FrameDecodeResult {
  if (data.byteLength > MAX_FRAME_BYTES) {
    return {
      ok: false,
      code: 'frame_too_large',
      message: `Audio frame of ${data.byteLength} bytes exceeds the ${MAX_FRAME_BYTES}-byte maximum (${MAX_FRAME_MS} ms of 16 kHz mono s16le plus a ${FRAME_HEADER_BYTES}-byte header)`,
    };
  }
  if (data.byteLength < FRAME_HEADER_BYTES) {
    return {
      ok: false,
      code: 'malformed_frame',
      message: `Audio frame of ${data.byteLength} bytes is shorter than the ${FRAME_HEADER_BYTES}-byte header`,
    };
  }
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const version = view.getUint8(0);
  if (version !== FRAME_VERSION) {
    return {
      ok: false,
      code: 'malformed_frame',
      message: `Audio frame header version ${version} is not supported; expected ${FRAME_VERSION}`,
    };
  }
  const encoding = view.getUint8(1);
  const channels = view.getUint8(2);
  const sampleRate = view.getUint32(4, true);
  if (encoding !== ENCODING_S16LE || channels !== CHANNELS || sampleRate !== SAMPLE_RATE) {
    const got = `${sampleRate} Hz, ${channels} channel(s), encoding ${encoding}`;
    return {
      ok: false,
      code: 'unsupported_audio_format',
      message: `Audio must be ${SAMPLE_RATE} Hz mono s16le (encoding ${ENCODING_S16LE}); got ${got}`,
    };
  }
  const payloadBytes = data.byteLength - FRAME_HEADER_BYTES;
  if (payloadBytes % BYTES_PER_SAMPLE !== 0) {
    return {
      ok: false,
      code: 'malformed_frame',
      message: `Audio payload of ${payloadBytes} bytes is not a whole number of 16-bit samples`,
    };
  }
  const samples = payloadBytes / BYTES_PER_SAMPLE;
  if (samples < MIN_FRAME_SAMPLES) {
    return {
      ok: false,
      code: 'malformed_frame',
      message: `Audio frame holds ${samplesToMs(samples)} ms; frames must hold ${MIN_FRAME_MS}-${MAX_FRAME_MS} ms`,
    };
  }
  const captureTime = view.getFloat64(12, true);
  if (!Number.isFinite(captureTime) || captureTime <= 0) {
    return {
      ok: false,
      code: 'malformed_frame',
      message: 'Audio frame capture time must be a positive epoch-millisecond value',
    };
  }
  return {
    ok: true,
    frame: {
      seq: view.getUint32(8, true),
      captureTime,
      pcm: data.subarray(FRAME_HEADER_BYTES),
      durationMs: samplesToMs(samples),
    },
  };
}

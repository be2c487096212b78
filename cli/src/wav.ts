// WAV reading (RIFF/RF64, integer PCM or IEEE float, any layout), conversion to 16 kHz mono s16 and writing.
import { readFileSync, writeFileSync } from 'node:fs';
import { SAMPLE_RATE } from '@llt/events';
import { WavFormatError, WavReadError } from './errors.ts';

export interface Wav {
  sampleRate: number;
  channels: number;
  /** Interleaved 16-bit samples (other encodings are converted on read). */
  samples: Int16Array;
}

const WAVE_FORMAT_PCM = 0x0001;
const WAVE_FORMAT_IEEE_FLOAT = 0x0003;
const WAVE_FORMAT_EXTENSIBLE = 0xfffe;
/** Data sizes that streaming writers leave in the header when they never come back to patch it. */
const PLACEHOLDER_SIZES = new Set([0, 0xffffffff]);

interface Fmt {
  format: number;
  channels: number;
  sampleRate: number;
  bitsPerSample: number;
}

/** Reads and decodes a WAV file (a path or the file's bytes). */
export function readWav(source: string | Uint8Array): Wav {
  if (typeof source !== 'string') return parseWav(source);
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(source);
  } catch (cause) {
    throw new WavReadError(`Cannot read ${source}: ${(cause as Error).message}`, { cause });
  }
  try {
    return parseWav(bytes);
  } catch (error) {
    if (error instanceof WavFormatError) throw new WavFormatError(`${source}: ${error.message}`, { cause: error });
    throw error;
  }
}

/** Decodes WAV bytes by walking the chunk list, so extra chunks (LIST, fact, bext, JUNK…) in any order are fine. */
export function parseWav(bytes: Uint8Array): Wav {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.byteLength < 12) throw new WavFormatError(`Not a WAV file: only ${bytes.byteLength} bytes`);
  const riff = ascii(bytes, 0);
  if (riff === 'RIFX') throw new WavFormatError('Big-endian WAV (RIFX) is not supported; convert it to RIFF');
  if ((riff !== 'RIFF' && riff !== 'RF64') || ascii(bytes, 8) !== 'WAVE') {
    throw new WavFormatError('Not a WAV file: expected a RIFF/WAVE header');
  }

  let fmt: Fmt | undefined;
  let data: Uint8Array | undefined;
  let offset = 12;
  while (offset + 8 <= bytes.byteLength) {
    const id = ascii(bytes, offset);
    const size = view.getUint32(offset + 4, true);
    const body = offset + 8;
    if (id === 'data') {
      // RF64 keeps the real size in ds64 and writes 0xFFFFFFFF here; streaming writers write 0. Either way the
      // audio runs to the end of the file, as it also does when the file was truncated mid-write.
      const end = PLACEHOLDER_SIZES.has(size) || body + size > bytes.byteLength ? bytes.byteLength : body + size;
      data = bytes.subarray(body, end);
      if (end === bytes.byteLength) break;
    } else if (id === 'fmt ') {
      fmt = parseFmt(view, body, size);
    }
    // Chunks are word-aligned: an odd-sized chunk is followed by a pad byte.
    offset = body + size + (size % 2);
  }
  if (!fmt) throw new WavFormatError('WAV file has no "fmt " chunk');
  if (!data) throw new WavFormatError('WAV file has no "data" chunk');
  return { sampleRate: fmt.sampleRate, channels: fmt.channels, samples: decodeSamples(fmt, data) };
}

function parseFmt(view: DataView, at: number, size: number): Fmt {
  if (size < 16 || at + 16 > view.byteLength) throw new WavFormatError(`"fmt " chunk is too short (${size} bytes)`);
  let format = view.getUint16(at, true);
  const channels = view.getUint16(at + 2, true);
  const sampleRate = view.getUint32(at + 4, true);
  const bitsPerSample = view.getUint16(at + 14, true);
  if (format === WAVE_FORMAT_EXTENSIBLE) {
    // The real format is the first two bytes of the SubFormat GUID (…-0000-0010-8000-00aa00389b71).
    if (size < 40 || at + 26 > view.byteLength) {
      throw new WavFormatError('WAVE_FORMAT_EXTENSIBLE "fmt " chunk is too short to hold its SubFormat');
    }
    format = view.getUint16(at + 24, true);
  }
  if (channels < 1) throw new WavFormatError('WAV file declares 0 channels');
  if (sampleRate < 1) throw new WavFormatError('WAV file declares a sample rate of 0 Hz');
  const supported =
    (format === WAVE_FORMAT_PCM && [8, 16, 24, 32].includes(bitsPerSample)) ||
    (format === WAVE_FORMAT_IEEE_FLOAT && [32, 64].includes(bitsPerSample));
  if (!supported) {
    const name = format === WAVE_FORMAT_PCM ? 'PCM' : format === WAVE_FORMAT_IEEE_FLOAT ? 'float' : `format ${format}`;
    throw new WavFormatError(
      `Unsupported WAV encoding: ${name} with ${bitsPerSample} bits per sample; expected PCM 8/16/24/32-bit or float 32/64-bit`,
    );
  }
  return { format, channels, sampleRate, bitsPerSample };
}

function decodeSamples(fmt: Fmt, data: Uint8Array): Int16Array {
  const bytesPerSample = fmt.bitsPerSample / 8;
  // A trailing partial sample frame (truncated file) is dropped rather than guessed at.
  const frames = Math.floor(data.byteLength / (bytesPerSample * fmt.channels));
  const count = frames * fmt.channels;
  const out = new Int16Array(count);
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const float = fmt.format === WAVE_FORMAT_IEEE_FLOAT;
  for (let i = 0; i < count; i++) {
    const at = i * bytesPerSample;
    if (float) {
      out[i] = floatToInt16(bytesPerSample === 4 ? view.getFloat32(at, true) : view.getFloat64(at, true));
      continue;
    }
    switch (bytesPerSample) {
      case 1: // 8-bit WAV is unsigned with 128 as silence
        out[i] = (view.getUint8(at) - 128) << 8;
        break;
      case 2:
        out[i] = view.getInt16(at, true);
        break;
      case 3: // the top two bytes of a little-endian 24-bit sample are its 16 most significant bits
        out[i] = view.getInt16(at + 1, true);
        break;
      default:
        out[i] = view.getInt32(at, true) >> 16;
    }
  }
  return out;
}

function floatToInt16(x: number): number {
  if (Number.isNaN(x)) return 0;
  const clamped = Math.max(-1, Math.min(1, x));
  return Math.round(clamped < 0 ? clamped * 0x8000 : clamped * 0x7fff);
}

/**
 * Downmixes to mono (the channel average) and resamples to 16 kHz.
 * Resampling is plain linear interpolation without a low-pass filter: good enough for speech recognition
 * input, but content above 8 kHz in a 44.1/48 kHz source aliases a little instead of being removed.
 */
export function toMono16k(wav: Wav): Int16Array {
  const { channels, sampleRate, samples } = wav;
  const frames = Math.floor(samples.length / channels);
  const mono = new Float64Array(frames);
  for (let f = 0; f < frames; f++) {
    let sum = 0;
    for (let c = 0; c < channels; c++) sum += samples[f * channels + c]!;
    mono[f] = sum / channels;
  }
  if (sampleRate === SAMPLE_RATE) return Int16Array.from(mono, (v) => clampInt16(Math.round(v)));
  const outLength = Math.floor((frames * SAMPLE_RATE) / sampleRate);
  const out = new Int16Array(outLength);
  const step = sampleRate / SAMPLE_RATE;
  for (let i = 0; i < outLength; i++) {
    const position = i * step;
    const i0 = Math.floor(position);
    const frac = position - i0;
    const a = mono[i0] ?? 0;
    const b = mono[Math.min(i0 + 1, frames - 1)] ?? a;
    out[i] = clampInt16(Math.round(a + (b - a) * frac));
  }
  return out;
}

function clampInt16(v: number): number {
  return Math.min(32767, Math.max(-32768, v));
}

/** Encodes interleaved 16-bit PCM as a canonical 44-byte-header WAV file. */
export function encodeWav(samples: Int16Array, sampleRate: number, channels = 1): Uint8Array {
  const dataBytes = samples.length * 2;
  const out = new Uint8Array(44 + dataBytes);
  const view = new DataView(out.buffer);
  writeAscii(out, 0, 'RIFF');
  view.setUint32(4, 36 + dataBytes, true);
  writeAscii(out, 8, 'WAVE');
  writeAscii(out, 12, 'fmt ');
  view.setUint32(16, 16, true);
  view.setUint16(20, WAVE_FORMAT_PCM, true);
  view.setUint16(22, channels, true);
  view.setUint32(24, sampleRate, true);
  view.setUint32(28, sampleRate * channels * 2, true);
  view.setUint16(32, channels * 2, true);
  view.setUint16(34, 16, true);
  writeAscii(out, 36, 'data');
  view.setUint32(40, dataBytes, true);
  for (let i = 0; i < samples.length; i++) view.setInt16(44 + i * 2, samples[i]!, true);
  return out;
}

/** Writes interleaved 16-bit PCM to a WAV file. */
export function writeWav(path: string, samples: Int16Array, sampleRate: number, channels = 1): void {
  writeFileSync(path, encodeWav(samples, sampleRate, channels));
}

function ascii(bytes: Uint8Array, at: number): string {
  return String.fromCharCode(bytes[at] ?? 0, bytes[at + 1] ?? 0, bytes[at + 2] ?? 0, bytes[at + 3] ?? 0);
}

function writeAscii(bytes: Uint8Array, at: number, text: string): void {
  for (let i = 0; i < text.length; i++) bytes[at + i] = text.charCodeAt(i);
}

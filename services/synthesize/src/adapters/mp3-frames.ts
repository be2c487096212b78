// Reads an MP3 stream's length and format by walking its MPEG audio frame headers; no decoding, no dependencies.
import { SynthesisError } from '#errors';

export class Mp3FormatError extends SynthesisError {
  override name = 'Mp3FormatError';
}

export interface Mp3Info {
  frames: number;
  durationMs: number;
  sampleRate: number;
  /** Average over all frames (equal to the nominal rate for CBR, up to padding). */
  bitrateKbps: number;
  channels: 1 | 2;
}

interface FrameHeader {
  /** 1 for MPEG-1, 2 for MPEG-2, 2.5 for MPEG-2.5. */
  version: 1 | 2 | 2.5;
  sampleRate: number;
  bitrateKbps: number;
  channels: 1 | 2;
  samples: number;
  length: number;
}

// Layer III tables, by bitrate index 1–14 (0 is free format, 15 is invalid) and sample-rate index 0–2.
const BITRATES_V1 = [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320];
const BITRATES_V2 = [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160];
const SAMPLE_RATES = { 1: [44_100, 48_000, 32_000], 2: [22_050, 24_000, 16_000], 2.5: [11_025, 12_000, 8_000] };

// An ID3v1 tag is exactly 128 bytes; anything shorter at the end is tolerated as junk some encoders leave.
const ID3V1_LENGTH = 128;

/** Parses the 4-byte header at `offset`, or returns undefined when it is not a Layer III frame we can size. */
function parseHeader(bytes: Uint8Array, offset: number): FrameHeader | undefined {
  if (offset + 4 > bytes.length) return undefined;
  const b1 = bytes[offset + 1] as number;
  const b2 = bytes[offset + 2] as number;
  const b3 = bytes[offset + 3] as number;
  if (bytes[offset] !== 0xff || (b1 & 0xe0) !== 0xe0) return undefined;
  const versionBits = (b1 >> 3) & 0b11;
  if (versionBits === 0b01) return undefined; // reserved
  const version = versionBits === 0b11 ? 1 : versionBits === 0b10 ? 2 : 2.5;
  if (((b1 >> 1) & 0b11) !== 0b01) return undefined; // Layer I, II or reserved
  const bitrateIndex = b2 >> 4;
  const sampleRateIndex = (b2 >> 2) & 0b11;
  // Free format (index 0) has no computable frame length; 15 and sample-rate index 3 are invalid.
  if (bitrateIndex === 0 || bitrateIndex === 15 || sampleRateIndex === 3) return undefined;
  if ((b3 & 0b11) === 0b10) return undefined; // reserved emphasis: a false sync in random data
  const bitrateKbps = (version === 1 ? BITRATES_V1 : BITRATES_V2)[bitrateIndex] as number;
  const sampleRate = SAMPLE_RATES[version][sampleRateIndex] as number;
  const padding = (b2 >> 1) & 1;
  const samples = version === 1 ? 1152 : 576;
  // samples/8 bytes per (bit/s ÷ sample rate): 144 000 for MPEG-1, 72 000 for MPEG-2/2.5, in kbps.
  const length = Math.floor(((samples / 8) * bitrateKbps * 1000) / sampleRate) + padding;
  const channels = b3 >> 6 === 0b11 ? 1 : 2;
  return { version, sampleRate, bitrateKbps, channels, samples, length };
}

/** Length of an ID3v2 tag at the start of the stream (header, body and optional footer), or 0 if none. */
function id3v2Length(bytes: Uint8Array): number {
  if (bytes.length < 10 || bytes[0] !== 0x49 || bytes[1] !== 0x44 || bytes[2] !== 0x33) return 0;
  const size = [6, 7, 8, 9].map((i) => bytes[i] as number);
  if (size.some((b) => b & 0x80)) throw new Mp3FormatError('ID3v2 tag has an invalid size (not syncsafe)');
  const body = (size[0]! << 21) | (size[1]! << 14) | (size[2]! << 7) | size[3]!;
  const footer = (bytes[5] as number) & 0x10 ? 10 : 0;
  return 10 + body + footer;
}

/**
 * Walks every MPEG Layer III frame (MPEG-1, 2 and 2.5; CBR or VBR) from the start of the stream, after an optional
 * ID3v2 tag. Each frame must begin exactly where the previous one ends and share its version and sample rate; at the
 * end only an ID3v1 tag or fewer than 128 stray bytes may follow. A Xing/Info (VBR header) frame is counted as an
 * ordinary frame, which adds one frame's duration; encoder delay and padding are not subtracted either, so the
 * duration is that of the decoded stream, a few tens of milliseconds over the source audio.
 */
export function mp3Info(bytes: Uint8Array): Mp3Info {
  if (bytes.length === 0) throw new Mp3FormatError('empty input: no MPEG audio frames');
  const start = id3v2Length(bytes);
  if (start > bytes.length) throw new Mp3FormatError(`ID3v2 tag (${start} bytes) runs past the end of the data`);
  const first = parseHeader(bytes, start);
  if (!first) throw new Mp3FormatError(`no MPEG Layer III frame header at byte ${start}`);

  let offset = start;
  let frames = 0;
  let samples = 0;
  let frameBytes = 0;
  for (;;) {
    const header = parseHeader(bytes, offset);
    if (!header || header.version !== first.version || header.sampleRate !== first.sampleRate) break;
    if (offset + header.length > bytes.length) {
      throw new Mp3FormatError(
        `truncated stream: frame ${frames + 1} at byte ${offset} needs ${header.length} bytes, ${bytes.length - offset} remain`,
      );
    }
    frames += 1;
    samples += header.samples;
    frameBytes += header.length;
    offset += header.length;
  }

  const rest = bytes.length - offset;
  const isId3v1 =
    rest === ID3V1_LENGTH && bytes[offset] === 0x54 && bytes[offset + 1] === 0x41 && bytes[offset + 2] === 0x47;
  if (rest >= ID3V1_LENGTH && !isId3v1) {
    throw new Mp3FormatError(
      `no MPEG frame sync at byte ${offset} after ${frames} frame(s), and ${rest} bytes remain (not an ID3v1 tag)`,
    );
  }

  const seconds = samples / first.sampleRate;
  return {
    frames,
    durationMs: Math.round(seconds * 1000),
    sampleRate: first.sampleRate,
    bitrateKbps: Math.round((frameBytes * 8) / seconds / 1000),
    channels: first.channels,
  };
}

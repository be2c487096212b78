// The Kinesis record ingest writes per accepted frame (partition key = session id):
//   u32be headerLength | header (UTF-8 JSON, validated by AudioRecordHeaderV1) | PCM (s16le, absent for markers)
// Markers tell the recogniser that the speaker paused or ended, so it can finalize without waiting for silence.
import { z } from 'zod';
import { EpochMs, FrameSeq, SessionId } from '../events/common.ts';

export const AudioRecordHeaderV1 = z.discriminatedUnion('kind', [
  z.object({
    v: z.literal(1),
    kind: z.literal('audio'),
    sessionId: SessionId,
    seq: FrameSeq,
    captureTime: EpochMs,
    /** When ingest received the frame; receivedAt - captureTime is the uplink delay. */
    receivedAt: EpochMs,
    sampleRate: z.literal(16_000),
    channels: z.literal(1),
    encoding: z.literal('s16le'),
    samples: z.number().int().positive(),
  }),
  z.object({
    v: z.literal(1),
    kind: z.literal('marker'),
    sessionId: SessionId,
    marker: z.enum(['pause', 'resume', 'end']),
    /** Last audio frame accepted before the marker (absent when none was). */
    afterSeq: FrameSeq.optional(),
    receivedAt: EpochMs,
  }),
]);
export type AudioRecordHeader = z.infer<typeof AudioRecordHeaderV1>;
export type AudioRecord = { header: AudioRecordHeader; pcm: Uint8Array };

export class AudioRecordFormatError extends Error {
  override name = 'AudioRecordFormatError';
}

const MAX_HEADER_BYTES = 4096;

export function encodeAudioRecord(header: AudioRecordHeader, pcm: Uint8Array = new Uint8Array(0)): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(4 + json.byteLength + pcm.byteLength);
  new DataView(out.buffer).setUint32(0, json.byteLength, false);
  out.set(json, 4);
  out.set(pcm, 4 + json.byteLength);
  return out;
}

/** Decodes and validates a record's bytes; throws AudioRecordFormatError on anything malformed. */
export function decodeAudioRecord(data: Uint8Array): AudioRecord {
  if (data.byteLength < 4) throw new AudioRecordFormatError(`record of ${data.byteLength} bytes has no header length`);
  const length = new DataView(data.buffer, data.byteOffset, data.byteLength).getUint32(0, false);
  if (length === 0 || length > MAX_HEADER_BYTES || 4 + length > data.byteLength) {
    throw new AudioRecordFormatError(`record header length ${length} does not fit a ${data.byteLength}-byte record`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder().decode(data.subarray(4, 4 + length)));
  } catch (cause) {
    throw new AudioRecordFormatError('record header is not valid JSON', { cause });
  }
  const header = AudioRecordHeaderV1.safeParse(parsed);
  if (!header.success) throw new AudioRecordFormatError(`record header invalid: ${z.prettifyError(header.error)}`);
  const pcm = data.subarray(4 + length);
  if (header.data.kind === 'audio' && pcm.byteLength !== header.data.samples * 2) {
    throw new AudioRecordFormatError(
      `record declares ${header.data.samples} samples but carries ${pcm.byteLength} bytes of PCM`,
    );
  }
  if (header.data.kind === 'marker' && pcm.byteLength !== 0) {
    throw new AudioRecordFormatError(
      `record marker "${header.data.marker}" carries ${pcm.byteLength} bytes; markers carry no PCM`,
    );
  }
  return { header: header.data, pcm };
}

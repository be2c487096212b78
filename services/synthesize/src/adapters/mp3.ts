// MP3 encoding of 16-bit mono PCM with LAME compiled to WebAssembly (wasm-media-encoders). Measured: ~3 ms per
// second of 22 kHz speech, five times faster than the pure-JavaScript lamejs port it replaced.
import { createMp3Encoder, type WasmMediaEncoder } from 'wasm-media-encoders';
import { SynthesisError } from '#errors';

export class Mp3EncodeError extends SynthesisError {
  override name = 'Mp3EncodeError';
}

/** The constant bitrates LAME offers. */
export type Mp3Bitrate = 8 | 16 | 24 | 32 | 40 | 48 | 64 | 80 | 96 | 112 | 128 | 160 | 192 | 224 | 256 | 320;

export interface Mp3Options {
  sampleRate: number;
  bitrateKbps?: Mp3Bitrate;
}

type Encoder = WasmMediaEncoder<'audio/mpeg'>;
let shared: Promise<Encoder> | undefined;

/** The encoder of this thread, compiled once; encoding with it is synchronous, so calls never interleave. */
export function loadMp3Encoder(): Promise<Encoder> {
  shared ??= createMp3Encoder().catch((cause: unknown) => {
    shared = undefined;
    throw new Mp3EncodeError('the MP3 encoder (LAME, WebAssembly) could not be loaded', { cause });
  });
  return shared;
}

/** Encodes mono 16-bit PCM to an MP3 byte stream (constant bitrate, no tag: it starts with a frame sync). */
export async function encodeMp3(pcm: Int16Array, options: Mp3Options): Promise<Uint8Array> {
  return encodeMp3With(await loadMp3Encoder(), pcm, options);
}

export function encodeMp3With(encoder: Encoder, pcm: Int16Array, { sampleRate, bitrateKbps = 48 }: Mp3Options) {
  try {
    encoder.configure({ channels: 1, sampleRate, bitrate: bitrateKbps });
    const samples = new Float32Array(pcm.length);
    for (let i = 0; i < pcm.length; i++) samples[i] = (pcm[i] as number) / 32768;
    // Both results are views of the encoder's WebAssembly memory, valid until its next call: copy them out.
    const body = encoder.encode([samples]).slice();
    const tail = encoder.finalize().slice();
    const out = new Uint8Array(body.length + tail.length);
    out.set(body, 0);
    out.set(tail, body.length);
    return out;
  } catch (cause) {
    throw new Mp3EncodeError(`MP3 encoding failed (${pcm.length} samples at ${sampleRate} Hz)`, { cause });
  }
}

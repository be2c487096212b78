// WAV decoding for the engines that hand back files or streams (the espeak-ng CLI, festival).
import { SynthesisError } from '#errors';
import type { Pcm } from './espeak-wasm.ts';

export class WavFormatError extends SynthesisError {
  override name = 'WavFormatError';
}

/** Reads 16-bit mono PCM from a WAV. Streaming writers (espeak-ng to stdout) leave the RIFF and data sizes as placeholders. */
export function parseWav(wav: Buffer): Pcm {
  if (wav.length < 12 || wav.toString('ascii', 0, 4) !== 'RIFF' || wav.toString('ascii', 8, 12) !== 'WAVE') {
    throw new WavFormatError('not a RIFF/WAVE stream');
  }
  let sampleRate = 0;
  let offset = 12;
  while (offset + 8 <= wav.length) {
    const id = wav.toString('ascii', offset, offset + 4);
    const size = wav.readUInt32LE(offset + 4);
    const body = offset + 8;
    if (id === 'fmt ') {
      const channels = wav.readUInt16LE(body + 2);
      const bits = wav.readUInt16LE(body + 14);
      if (channels !== 1 || bits !== 16) throw new WavFormatError(`unexpected WAV format: ${channels} ch, ${bits} bit`);
      sampleRate = wav.readUInt32LE(body + 4);
    } else if (id === 'data') {
      if (!sampleRate) throw new WavFormatError('WAV data chunk before fmt chunk');
      // The data chunk is last; trust the bytes we actually received over the placeholder size.
      const end = wav.length - ((wav.length - body) % 2);
      const bytes = wav.subarray(body, end);
      const samples = new Int16Array(bytes.length / 2);
      for (let i = 0; i < samples.length; i++) samples[i] = bytes.readInt16LE(i * 2);
      return { samples, sampleRate };
    }
    offset = body + size + (size % 2);
  }
  throw new WavFormatError('WAV has no data chunk');
}

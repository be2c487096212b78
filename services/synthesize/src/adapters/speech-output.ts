// What every local voice shares: the checks on the text it is given, and its PCM made into the MP3 listeners play.
import type { SynthesizedSpeech } from '#core/ports';
import { InvalidTextError, SynthesisError } from '#errors';
import type { Pcm } from './espeak-wasm.ts';
import { encodeMp3, type Mp3Bitrate } from './mp3.ts';
import { mp3Info } from './mp3-frames.ts';

export function checkText(text: string, maxChars: number): void {
  if (text.trim() === '') throw new InvalidTextError('cannot synthesize empty text');
  if (text.length > maxChars) {
    throw new InvalidTextError(`text is ${text.length} characters; the limit is ${maxChars}`);
  }
}

/** Below this (about -40 dBFS) a sample counts as silence. */
const SILENCE_LEVEL = 330;

/**
 * Cuts the silence around the speech down to a short margin. Pico ends every text with ~0.5 s of silence, and
 * listeners hear the sentences one after another, so that silence would only delay the next one.
 */
export function trimSilence(pcm: Pcm, { leadMs = 60, tailMs = 200 } = {}): Pcm {
  const { samples, sampleRate } = pcm;
  let first = 0;
  while (first < samples.length && Math.abs(samples[first] as number) < SILENCE_LEVEL) first++;
  if (first === samples.length) return pcm; // all quiet: leave it for the caller to judge
  let last = samples.length - 1;
  while (last > first && Math.abs(samples[last] as number) < SILENCE_LEVEL) last--;
  const start = Math.max(0, first - Math.round((leadMs * sampleRate) / 1000));
  const end = Math.min(samples.length, last + 1 + Math.round((tailMs * sampleRate) / 1000));
  return { samples: samples.subarray(start, end), sampleRate };
}

/** The speech result for `pcm`, encoded to MP3; `engine` names the voice ("pico:fr-FR"). */
export async function speechFromPcm(pcm: Pcm, engine: string, bitrateKbps: Mp3Bitrate): Promise<SynthesizedSpeech> {
  if (pcm.samples.length === 0) throw new SynthesisError(`${engine} produced no audio`);
  const audio = await encodeMp3(pcm.samples, { sampleRate: pcm.sampleRate, bitrateKbps });
  // What the listener's player will play: the MP3's frames, encoder padding included (at 16 kHz a frame is 36 ms,
  // so the file runs up to ~100 ms longer than the PCM).
  return { audio, contentType: 'audio/mpeg', durationMs: mp3Info(audio).durationMs, engine };
}

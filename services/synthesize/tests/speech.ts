// What the integration tests check of any voice's output: an MP3 of plausible length and bitrate.
import { expect } from 'vitest';
import type { SynthesizedSpeech } from '#core/ports';

/** An MP3 starts with an ID3 tag or an MPEG frame sync. */
export function startsLikeMp3(bytes: Uint8Array): boolean {
  const id3 = bytes[0] === 0x49 && bytes[1] === 0x44 && bytes[2] === 0x33;
  const frameSync = bytes[0] === 0xff && ((bytes[1] ?? 0) & 0xe0) === 0xe0;
  return id3 || frameSync;
}

/** A sentence's speech: MP3, longer than 1.5 s and shorter than `maxMs`, at roughly 48 kbps. */
export function expectPlausibleSpeech(
  result: Pick<SynthesizedSpeech, 'audio' | 'contentType' | 'durationMs'>,
  maxMs: number,
): void {
  expect(result.contentType).toBe('audio/mpeg');
  expect(startsLikeMp3(result.audio)).toBe(true);
  expect(result.durationMs).toBeGreaterThan(1500);
  expect(result.durationMs).toBeLessThan(maxMs);
  // ~48 kbps: roughly 6 bytes per ms; a generous band catches a wrong rate or truncated output.
  expect(result.audio.length).toBeGreaterThan(result.durationMs * 2);
  expect(result.audio.length).toBeLessThan(result.durationMs * 20);
}

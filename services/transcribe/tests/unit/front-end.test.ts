// A session's audio front end: noise suppression (RNNoise) ahead of the endpointer and the recogniser, and voice
// detectors (WebRTC VAD, RNNoise's voice probability) that the endpointer consults.
import { beforeAll, describe, expect, test } from 'vitest';
import { createAudioFrontEnd, loadAudioFrontEnd } from '#adapters/audio-front-end';
import { DEFAULT_ENDPOINTER, Endpointer, levelDbfs } from '#core/endpointer';
import type { AudioFilter, VoiceDetector } from '#core/front-end';
import { SessionTranscriber, type TranscriptSink } from '#core/session';
import { CountingRecognizer, chunk } from '../fakes.ts';

/** Deterministic white noise at `amplitude` (peak). */
function whiteNoise(samples: number, amplitude: number, seed = 1): Int16Array {
  let state = seed;
  const out = new Int16Array(samples);
  for (let i = 0; i < samples; i++) {
    state = (Math.imul(state, 1_103_515_245) + 12_345) >>> 0;
    out[i] = Math.round(((state / 2 ** 32) * 2 - 1) * amplitude);
  }
  return out;
}

/** A voiced-speech stand-in: a 120 Hz buzz with decaying harmonics, its pitch wobbling like a voice. */
function buzz(samples: number, amplitude = 6000): Int16Array {
  const out = new Int16Array(samples);
  let phase = 0;
  for (let i = 0; i < samples; i++) {
    phase += (2 * Math.PI * (120 + 15 * Math.sin((2 * Math.PI * 3 * i) / 16_000))) / 16_000;
    let v = 0;
    for (let h = 1; h <= 20; h++) v += Math.sin(h * phase) / h;
    out[i] = Math.round(v * amplitude * 0.5);
  }
  return out;
}

function rms(samples: Int16Array): number {
  let sum = 0;
  for (const s of samples) sum += s * s;
  return Math.sqrt(sum / samples.length);
}

describe('Endpointer with a voice detector', () => {
  const says = (voice: boolean): VoiceDetector => ({ isVoice: () => voice });

  test('loud audio the detector calls noise starts no utterance', () => {
    const e = new Endpointer(DEFAULT_ENDPOINTER, says(false));
    expect(e.push(chunk(true, 1_000), 0)).toEqual([]);
  });

  test('audio the detector calls voice starts one, and ends after the hangover once it stops', () => {
    let voice = true;
    const e = new Endpointer(DEFAULT_ENDPOINTER, { isVoice: () => voice });
    expect(e.push(chunk(true, 500), 0)).toEqual([{ kind: 'start', at: 0 }]);
    voice = false;
    // Still loud, but no longer voice: the hangover runs from here.
    expect(e.push(chunk(true, 400), 500)).toEqual([{ kind: 'end', lastVoiceAt: 500, reason: 'silence' }]);
  });

  test('what the detector calls voice must still be louder than the absolute floor', () => {
    const e = new Endpointer(DEFAULT_ENDPOINTER, says(true));
    expect(e.push(new Int16Array(16_000), 0)).toEqual([]);
  });
});

describe('SessionTranscriber with a filter', () => {
  async function finals(filter: AudioFilter | undefined) {
    const stream = await new CountingRecognizer().open('s', 'en');
    const texts: string[] = [];
    const sink: TranscriptSink = {
      partial: async () => undefined,
      stable: async () => undefined,
      final: async (f) => void texts.push(f.text),
    };
    const session = new SessionTranscriber(
      's',
      stream,
      sink,
      {
        endpointer: DEFAULT_ENDPOINTER,
        preRollMs: 300,
        partialIntervalMs: 250,
        speculateAfterMs: 150,
        ...(filter ? { frontEnd: () => ({ filter }) } : {}),
      },
      () => 0,
    );
    for (const [seq, c] of [...'sssVVVVVsssssss'].entries()) {
      const samples = chunk(c === 'V');
      await session.audio(
        {
          v: 1,
          kind: 'audio',
          sessionId: 's',
          seq,
          captureTime: seq * 100,
          receivedAt: seq * 100,
          sampleRate: 16_000,
          channels: 1,
          encoding: 's16le',
          samples: samples.length,
        },
        samples,
      );
    }
    await session.flush('end');
    return texts;
  }

  test('the endpointer and the recogniser hear the filtered audio', async () => {
    expect(await finals(undefined)).toEqual(['I I I I I']);
    const heard: number[] = [];
    // A filter that silences everything: no utterance at all.
    const mute: AudioFilter = {
      process: (samples) => {
        heard.push(samples.length);
        return new Int16Array(samples.length);
      },
    };
    expect(await finals(mute)).toEqual([]);
    expect(heard).toHaveLength(15);
  });
});

describe('RNNoise and WebRTC VAD front end (WASM)', () => {
  beforeAll(async () => {
    await loadAudioFrontEnd();
  });

  test('energy alone needs no front end', () => {
    expect(createAudioFrontEnd({ denoise: false, vad: 'energy' })).toEqual({});
  });

  test('the denoiser gives back as many samples as it is given, whatever the chunk sizes, 10 ms late', () => {
    const { filter } = createAudioFrontEnd({ denoise: true, vad: 'energy' });
    const input = buzz(16_000);
    const sizes = [1_600, 37, 963, 160, 3_000, 10_240];
    const output: Int16Array[] = [];
    let at = 0;
    for (const size of sizes) {
      const out = filter!.process(input.subarray(at, at + size));
      expect(out.length).toBe(size);
      output.push(out);
      at += size;
    }
    // The first 10 ms are the chain's delay: silence.
    expect([...output[0]!.subarray(0, 160)].every((s) => s === 0)).toBe(true);
  });

  test('the denoiser takes most of steady noise away and keeps a voice', () => {
    const { filter } = createAudioFrontEnd({ denoise: true, vad: 'energy' });
    const noise = whiteNoise(32_000, 3_000);
    const cleaned = filter!.process(noise);
    const tail = cleaned.subarray(16_000); // after a second to learn the noise
    expect(levelDbfs(tail) - levelDbfs(noise.subarray(16_000))).toBeLessThan(-15);
    const voice = filter!.process(buzz(16_000));
    expect(rms(voice.subarray(8_000)) / rms(buzz(8_000))).toBeGreaterThan(0.3);
  });

  test('over a quiet floor (clean audio) the input is handed on untouched, and denoised again once noise rises', () => {
    const { filter } = createAudioFrontEnd({ denoise: true, vad: 'energy' });
    filter!.process(whiteNoise(16_000, 6)); // a second of a quiet room (about −75 dBFS): nothing to take away
    const voice = buzz(8_000);
    const out = filter!.process(voice);
    expect([...out.subarray(160)]).toEqual([...voice.subarray(0, voice.length - 160)]);
    // Eleven seconds of steady noise (the floor is the quietest 100 ms of 10 s): it is taken away again.
    const noise = whiteNoise(176_000, 3_000);
    const cleaned = filter!.process(noise);
    expect(levelDbfs(cleaned.subarray(160_000)) - levelDbfs(noise.subarray(160_000))).toBeLessThan(-15);
  });

  test('digital silence between sentences (a gated input) is no quiet room: noisy speech around it stays denoised', () => {
    const { filter } = createAudioFrontEnd({ denoise: true, vad: 'energy' });
    const rnnoise = filter as unknown as { denoising: boolean };
    filter!.process(whiteNoise(16_000, 3_000));
    expect(rnnoise.denoising).toBe(true);
    filter!.process(new Int16Array(24_000)); // 1.5 s of zeros, as a file-based stream puts between recordings
    filter!.process(whiteNoise(16_000, 3_000, 7));
    expect(rnnoise.denoising).toBe(true);
  });

  test('clean speech between stretches of digital silence is handed on untouched once its word ends were heard', () => {
    const { filter } = createAudioFrontEnd({ denoise: true, vad: 'energy' });
    const rnnoise = filter as unknown as { denoising: boolean };
    // Words of a voice that die away (as synthetic and close-miked speech does), separated by exact zeros.
    const word = buzz(4_800).map((s, i) => Math.round(s * Math.exp(-Math.max(0, i - 2_400) / 240)));
    // Denoised (nothing known yet) until half a second of sound was heard: here two or three words.
    for (let i = 0; i < 6; i++) {
      const out = filter!.process(word);
      if (i === 0) expect(rnnoise.denoising).toBe(true);
      if (i > 1) expect(rnnoise.denoising).toBe(false);
      if (i > 2) expect([...out.subarray(160)]).toEqual([...word.subarray(0, word.length - 160)]);
      filter!.process(new Int16Array(8_000));
    }
  });

  test('the WebRTC VAD calls silence and steady noise no voice, and a voice voice', () => {
    const { detector } = createAudioFrontEnd({ denoise: false, vad: 'webrtc' });
    const blocks = (samples: Int16Array) =>
      Array.from({ length: samples.length / 160 }, (_, i) =>
        detector!.isVoice(samples.subarray(i * 160, i * 160 + 160)),
      );
    expect(blocks(new Int16Array(16_000)).filter(Boolean)).toHaveLength(0);
    const voiced = blocks(buzz(16_000));
    expect(voiced.filter(Boolean).length).toBeGreaterThan(voiced.length * 0.8);
  });

  test("RNNoise's voice probability is read block by block, in the order the filter handed them out", () => {
    const { filter, detector } = createAudioFrontEnd({ denoise: true, vad: 'rnnoise' });
    const silence = filter!.process(new Int16Array(8_000));
    const calls = Array.from({ length: silence.length / 160 }, (_, i) =>
      detector!.isVoice(silence.subarray(i * 160, i * 160 + 160)),
    );
    expect(calls.filter(Boolean)).toHaveLength(0);
    const voice = filter!.process(buzz(16_000));
    const voiced = Array.from({ length: voice.length / 160 }, (_, i) =>
      detector!.isVoice(voice.subarray(i * 160, i * 160 + 160)),
    );
    expect(voiced.slice(20).filter(Boolean).length).toBeGreaterThan(40);
  });
});

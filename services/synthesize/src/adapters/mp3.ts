// MP3 encoding of 16-bit mono PCM with lamejs, plus a keep-warm loop so V8 keeps the encoder's hot code optimised.
import { Mp3Encoder } from '@breezystack/lamejs';
import { SynthesisError } from '#errors';

export class Mp3EncodeError extends SynthesisError {
  override name = 'Mp3EncodeError';
}

export interface Mp3Options {
  sampleRate: number;
  bitrateKbps?: number;
}

// lamejs works on whole MPEG frames; feeding several frames at a time keeps per-call overhead low.
const CHUNK_SAMPLES = 1152 * 16;

/** Encodes mono 16-bit PCM to an MP3 byte stream (no ID3 tag; the stream starts with a frame sync). */
export function encodeMp3(pcm: Int16Array, { sampleRate, bitrateKbps = 48 }: Mp3Options): Uint8Array {
  try {
    // A fresh encoder per call: lamejs has no supported reset after flush(), and construction costs ~2 ms.
    const encoder = new Mp3Encoder(1, sampleRate, bitrateKbps);
    const parts: Uint8Array[] = [];
    for (let i = 0; i < pcm.length; i += CHUNK_SAMPLES) {
      parts.push(encoder.encodeBuffer(pcm.subarray(i, i + CHUNK_SAMPLES)));
    }
    parts.push(encoder.flush());
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let offset = 0;
    for (const p of parts) {
      out.set(p, offset);
      offset += p.length;
    }
    return out;
  } catch (cause) {
    throw new Mp3EncodeError(`MP3 encoding failed (${pcm.length} samples at ${sampleRate} Hz)`, { cause });
  }
}

/** A short, non-silent signal: silence may take cheaper branches in the psychoacoustic model and not warm them. */
function warmSignal(sampleRate: number, seconds: number): Int16Array {
  const pcm = new Int16Array(Math.round(sampleRate * seconds));
  for (let i = 0; i < pcm.length; i++) {
    pcm[i] = Math.round(6000 * Math.sin(i / 7) * Math.sin(i / 900) + 1500 * Math.sin(i / 2.3));
  }
  return pcm;
}

/**
 * Keeps the encoder's code hot. Measured: the first encodes are 5–10× slower than steady state until V8 has
 * optimised lamejs (warmUp fixes that). The optional periodic encode aimed at the slow first encode after idle, but
 * on a shared 2-core host it made no measurable difference, so the engine leaves it off by default.
 */
export class Mp3Warmer {
  readonly #options: Mp3Options;
  readonly #signal: Int16Array;
  #timer: NodeJS.Timeout | undefined;
  #lastUse = 0;

  constructor(options: Mp3Options) {
    this.#options = options;
    this.#signal = warmSignal(options.sampleRate, 0.25);
  }

  /** Encodes until V8 has tiered up the encoder (steady state was reached after ~6 runs in measurements). */
  warmUp(rounds = 8): void {
    const long = warmSignal(this.#options.sampleRate, 1);
    for (let i = 0; i < rounds; i++) encodeMp3(long, this.#options);
    this.touch();
  }

  /** Starts a background tick that encodes a quarter second unless real work did so recently. */
  start(intervalMs: number): void {
    if (this.#timer || intervalMs <= 0) return;
    this.#timer = setInterval(() => {
      if (Date.now() - this.#lastUse < intervalMs) return;
      encodeMp3(this.#signal, this.#options);
      this.touch();
    }, intervalMs);
    // The warmer must never keep a process (or a test run) alive.
    this.#timer.unref();
  }

  touch(): void {
    this.#lastUse = Date.now();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }
}

// The local SpeechEngine: espeak-ng (WebAssembly, or the CLI as a fallback) to PCM, then lamejs to MP3.
import { findTargetLanguage, TARGET_LANGUAGES } from '@llt/events';
import type { SpeechEngine, SynthesizedSpeech } from '#core/ports';
import { SynthesisError } from '#errors';
import { synthesizeWithCli } from './espeak-cli.ts';
import { EspeakWasm, type Pcm } from './espeak-wasm.ts';
import { encodeMp3, Mp3Warmer } from './mp3.ts';

export { EspeakCliError } from './espeak-cli.ts';
export { EspeakUnavailableError } from './espeak-wasm.ts';

export class UnsupportedLanguageError extends SynthesisError {
  override name = 'UnsupportedLanguageError';
}

export class InvalidTextError extends SynthesisError {
  override name = 'InvalidTextError';
}

export interface EspeakSpeechEngineOptions {
  /** 'auto' tries WebAssembly and falls back to the CLI; default 'auto'. */
  backend?: 'auto' | 'wasm' | 'cli';
  /** MP3 bitrate; default 48 kbps (speech, mono). */
  bitrateKbps?: number;
  /** Period of the idle keep-warm encode in ms; 0 (default) disables it: measured, it did not shorten post-idle encodes. */
  keepWarmMs?: number;
  /** Longest accepted text; default 3000 characters (a caption segment is far shorter). */
  maxChars?: number;
  cliBinary?: string;
}

const WARM_PHRASE = 'uno dos tres';
// espeak-ng's output rate for every voice (both the WASM build and the Debian CLI).
const ESPEAK_SAMPLE_RATE = 22_050;

export class EspeakSpeechEngine implements SpeechEngine {
  readonly #options: Required<Omit<EspeakSpeechEngineOptions, 'cliBinary'>> & { cliBinary: string };
  readonly #warmer: Mp3Warmer;
  #wasm: Promise<EspeakWasm | undefined> | undefined;

  constructor(options: EspeakSpeechEngineOptions = {}) {
    this.#options = {
      backend: options.backend ?? 'auto',
      bitrateKbps: options.bitrateKbps ?? 48,
      keepWarmMs: options.keepWarmMs ?? 0,
      maxChars: options.maxChars ?? 3000,
      cliBinary: options.cliBinary ?? 'espeak-ng',
    };
    this.#warmer = new Mp3Warmer({ sampleRate: ESPEAK_SAMPLE_RATE, bitrateKbps: this.#options.bitrateKbps });
  }

  /** Which espeak-ng build serves requests (resolves the backend if needed). */
  async backend(): Promise<'wasm' | 'cli'> {
    return (await this.#loadWasm()) ? 'wasm' : 'cli';
  }

  /**
   * Loads espeak-ng, synthesizes a short phrase with every catalog voice and warms the MP3 encoder, then starts the
   * idle keep-warm. Cold, the first synthesis per voice costs 150–400 ms and the first encodes 5–10× steady state.
   */
  async warm(): Promise<void> {
    for (const language of TARGET_LANGUAGES) {
      const pcm = await this.#synthesizePcm(WARM_PHRASE, language.engines.local.espeakVoice);
      encodeMp3(pcm.samples, { sampleRate: pcm.sampleRate, bitrateKbps: this.#options.bitrateKbps });
    }
    this.#warmer.warmUp();
    this.#warmer.start(this.#options.keepWarmMs);
  }

  /** Stops the keep-warm timer (it is unref'd, so this is only needed to stop work in a long-lived process). */
  close(): void {
    this.#warmer.stop();
  }

  async synthesize(text: string, language: string): Promise<SynthesizedSpeech> {
    const voice = findTargetLanguage(language)?.engines.local.espeakVoice;
    if (!voice) {
      const known = TARGET_LANGUAGES.map((l) => l.code).join(', ');
      throw new UnsupportedLanguageError(`no espeak-ng voice for language "${language}" (supported: ${known})`);
    }
    if (text.trim() === '') throw new InvalidTextError('cannot synthesize empty text');
    if (text.length > this.#options.maxChars) {
      throw new InvalidTextError(`text is ${text.length} characters; the limit is ${this.#options.maxChars}`);
    }

    const pcm = await this.#synthesizePcm(text, voice);
    if (pcm.samples.length === 0) throw new SynthesisError(`espeak-ng produced no audio for voice "${voice}"`);
    const audio = encodeMp3(pcm.samples, { sampleRate: pcm.sampleRate, bitrateKbps: this.#options.bitrateKbps });
    this.#warmer.touch();
    return {
      audio,
      contentType: 'audio/mpeg',
      durationMs: Math.round((pcm.samples.length / pcm.sampleRate) * 1000),
      engine: `espeak-ng:${voice}`,
    };
  }

  async #synthesizePcm(text: string, voice: string): Promise<Pcm> {
    const wasm = await this.#loadWasm();
    if (wasm) return wasm.synthesize(espeakSafeText(text, { ssml: true }), voice);
    return synthesizeWithCli(espeakSafeText(text, { ssml: false }), voice, this.#options.cliBinary);
  }

  #loadWasm(): Promise<EspeakWasm | undefined> {
    if (this.#options.backend === 'cli') return Promise.resolve(undefined);
    this.#wasm ??= EspeakWasm.load().catch((error: unknown) => {
      if (this.#options.backend === 'wasm') throw error;
      return undefined; // 'auto': the CLI takes over
    });
    return this.#wasm;
  }
}

/**
 * Makes arbitrary text inert for espeak-ng. Measured: the WASM build always parses SSML (`<break time="3s"/>` adds
 * 3 s of silence) and both builds read `[[…]]` as raw phonemes. So SSML metacharacters become entities (which
 * espeak decodes back to the same speech) and square brackets become parentheses; control characters become spaces.
 */
export function espeakSafeText(text: string, { ssml }: { ssml: boolean }): string {
  let safe = text.replace(/[[\]\p{Cc}]/gu, (c) => {
    if (c === '[') return '(';
    if (c === ']') return ')';
    return c === '\n' || c === '\t' ? c : ' ';
  });
  if (ssml) safe = safe.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return safe;
}

// The local SpeechEngine: espeak-ng (WebAssembly, or the CLI as a fallback) to PCM, then LAME (WebAssembly) to MP3.
import { findTargetLanguage, TARGET_LANGUAGES } from '@llt/events';
import type { SpeechEngine, SynthesizedSpeech } from '#core/ports';
import { SynthesisError } from '#errors';
import { synthesizeWithCli } from './espeak-cli.ts';
import { EspeakWasm, type Pcm } from './espeak-wasm.ts';
import { encodeMp3, loadMp3Encoder, type Mp3Bitrate } from './mp3.ts';

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
  bitrateKbps?: Mp3Bitrate;
  /** Longest accepted text; default 3000 characters (a caption segment is far shorter). */
  maxChars?: number;
  cliBinary?: string;
}

const WARM_PHRASE = 'uno dos tres';

export class EspeakSpeechEngine implements SpeechEngine {
  readonly #options: Required<Omit<EspeakSpeechEngineOptions, 'cliBinary'>> & { cliBinary: string };
  #wasm: Promise<EspeakWasm | undefined> | undefined;

  constructor(options: EspeakSpeechEngineOptions = {}) {
    this.#options = {
      backend: options.backend ?? 'auto',
      bitrateKbps: options.bitrateKbps ?? 48,
      maxChars: options.maxChars ?? 3000,
      cliBinary: options.cliBinary ?? 'espeak-ng',
    };
  }

  /** Which espeak-ng build serves requests (resolves the backend if needed). */
  async backend(): Promise<'wasm' | 'cli'> {
    return (await this.#loadWasm()) ? 'wasm' : 'cli';
  }

  /**
   * Loads espeak-ng and the MP3 encoder and speaks a short phrase with every catalog voice: cold, the first
   * synthesis per voice costs 150–400 ms.
   */
  async warm(): Promise<void> {
    await loadMp3Encoder();
    for (const language of TARGET_LANGUAGES) {
      const pcm = await this.#synthesizePcm(WARM_PHRASE, language.engines.local.espeakVoice);
      await encodeMp3(pcm.samples, { sampleRate: pcm.sampleRate, bitrateKbps: this.#options.bitrateKbps });
    }
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
    const audio = await encodeMp3(pcm.samples, { sampleRate: pcm.sampleRate, bitrateKbps: this.#options.bitrateKbps });
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

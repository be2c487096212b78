// espeak-ng (WebAssembly, or the CLI as a fallback) to PCM, then LAME (WebAssembly) to MP3. The local engine's
// last resort for every language; on its own (LLT_TTS_ENGINE=espeak) it speaks every language with espeak-ng.
import type { Pronunciation, SpeechEngine, SynthesizedSpeech } from '#core/ports';
import { UnsupportedLanguageError } from '#errors';
import { synthesizeWithCli } from './espeak-cli.ts';
import { EspeakWasm, type Pcm } from './espeak-wasm.ts';
import { LOCAL_VOICE_PREFERENCES, voicesFor } from './local-voices.ts';
import { encodeMp3, loadMp3Encoder, type Mp3Bitrate } from './mp3.ts';
import { languageAttribute, speechPieces } from './pronunciations.ts';
import { checkText, speechFromPcm } from './speech-output.ts';

export { InvalidTextError, UnsupportedLanguageError } from '#errors';
export { EspeakCliError } from './espeak-cli.ts';
export { EspeakUnavailableError } from './espeak-wasm.ts';

export interface EspeakOptions {
  /** 'auto' tries WebAssembly and falls back to the CLI; default 'auto'. */
  backend?: 'auto' | 'wasm' | 'cli';
  cliBinary?: string;
}

export interface EspeakSpeechEngineOptions extends EspeakOptions {
  /** MP3 bitrate; default 48 kbps (speech, mono). */
  bitrateKbps?: Mp3Bitrate;
  /** Longest accepted text; default 3000 characters (a caption segment is far shorter). */
  maxChars?: number;
}

/** espeak-ng's voice for each language: the voice table's last resort. */
const ESPEAK_VOICES: Readonly<Record<string, string>> = Object.fromEntries(
  Object.entries(LOCAL_VOICE_PREFERENCES).flatMap(([language, candidates]) => {
    const espeak = candidates.findLast((c) => c.engine === 'espeak-ng');
    return espeak ? [[language, espeak.voice]] : [];
  }),
);

/** espeak-ng to PCM, with the WebAssembly build or the CLI; text is made markup-safe here. */
export class Espeak {
  readonly #backend: 'auto' | 'wasm' | 'cli';
  readonly #cliBinary: string;
  #wasm: Promise<EspeakWasm | undefined> | undefined;

  constructor({ backend = 'auto', cliBinary = 'espeak-ng' }: EspeakOptions = {}) {
    this.#backend = backend;
    this.#cliBinary = cliBinary;
  }

  /** Which espeak-ng build serves requests (resolves the backend if needed). */
  async backend(): Promise<'wasm' | 'cli'> {
    return (await this.#loadWasm()) ? 'wasm' : 'cli';
  }

  /** Speaks `text`, each of `pronunciations` as its spoken form (see `espeakText`). */
  async synthesize(text: string, voice: string, pronunciations: readonly Pronunciation[] = []): Promise<Pcm> {
    const wasm = await this.#loadWasm();
    if (wasm) return wasm.synthesize(espeakText(text, pronunciations, { ssml: true }), voice);
    // The CLI reads markup only with -m, asked for only when there is markup of ours to read.
    const ssml = pronunciations.length > 0;
    return synthesizeWithCli(espeakText(text, pronunciations, { ssml }), voice, this.#cliBinary, { ssml });
  }

  #loadWasm(): Promise<EspeakWasm | undefined> {
    if (this.#backend === 'cli') return Promise.resolve(undefined);
    this.#wasm ??= EspeakWasm.load().catch((error: unknown) => {
      if (this.#backend === 'wasm') throw error;
      return undefined; // 'auto': the CLI takes over
    });
    return this.#wasm;
  }
}

const WARM_PHRASE = 'uno dos tres';

export class EspeakSpeechEngine implements SpeechEngine {
  readonly #espeak: Espeak;
  readonly #bitrateKbps: Mp3Bitrate;
  readonly #maxChars: number;

  constructor(options: EspeakSpeechEngineOptions = {}) {
    this.#espeak = new Espeak(options);
    this.#bitrateKbps = options.bitrateKbps ?? 48;
    this.#maxChars = options.maxChars ?? 3000;
  }

  /** Which espeak-ng build serves requests (resolves the backend if needed). */
  backend(): Promise<'wasm' | 'cli'> {
    return this.#espeak.backend();
  }

  /**
   * Loads espeak-ng and the MP3 encoder and speaks a short phrase with every voice in use: cold, the first
   * synthesis per voice costs 150–400 ms.
   */
  async warm(): Promise<void> {
    await loadMp3Encoder();
    for (const voice of new Set(Object.values(ESPEAK_VOICES))) {
      const pcm = await this.#espeak.synthesize(WARM_PHRASE, voice);
      await encodeMp3(pcm.samples, { sampleRate: pcm.sampleRate, bitrateKbps: this.#bitrateKbps });
    }
  }

  async synthesize(
    text: string,
    language: string,
    pronunciations: readonly Pronunciation[] = [],
  ): Promise<SynthesizedSpeech> {
    const voice = voicesFor(ESPEAK_VOICES, language);
    if (!voice) {
      const known = Object.keys(ESPEAK_VOICES).join(', ');
      throw new UnsupportedLanguageError(`no espeak-ng voice for language "${language}" (supported: ${known})`);
    }
    checkText(text, this.#maxChars);
    const pcm = await this.#espeak.synthesize(text, voice, pronunciations);
    return speechFromPcm(pcm, `espeak-ng:${voice}`, this.#bitrateKbps);
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

/**
 * The text for espeak-ng, made inert (`espeakSafeText`), with each glossary term replaced by its spoken form inside
 * an SSML switch to the spoken form's language: `<voice xml:lang="en">win</voice>`. espeak-ng then reads the
 * respelling with the source language's rules and goes back to the target voice after it. Measured with espeak-ng
 * 1.51 (WebAssembly and CLI), Spanish voice, "El informe de … es bueno.":
 *   - as written, "Nguyen" is said "EneQ'uJ^en";
 *   - the respelling read by the Spanish voice: "koo ber net eez" is said "k'oo B'er n'et e'eT";
 *   - phoneme input (`[[…]]`) is read with the target voice's phoneme table, and the first source-language phoneme
 *     it lacks cuts the word short: English "[[w'In]]" is said "w", "[[k'u:b3n'i:tIz]]" "k'u:B". A table of our own
 *     mapping every language's phonemes onto every other's would be needed, where espeak-ng already switches;
 *   - the switch: "w'In", "k'u: b'3: n'Et 'i:z", the rest of the sentence Spanish as before; it costs a clause
 *     boundary (a short pause) either side of the term.
 * Only our own markup reaches espeak-ng: the speaker's words and the spoken forms are escaped alike, and the language
 * attribute keeps letters, digits and hyphens only.
 */
export function espeakText(
  text: string,
  pronunciations: readonly Pronunciation[],
  { ssml }: { ssml: boolean },
): string {
  if (!ssml || pronunciations.length === 0) return espeakSafeText(text, { ssml });
  return speechPieces(text, pronunciations)
    .map((piece) => {
      if (!piece.say) return espeakSafeText(piece.text, { ssml: true });
      const language = languageAttribute(piece.say.language).toLowerCase();
      return `<voice xml:lang="${language}">${espeakSafeText(piece.say.spoken, { ssml: true })}</voice>`;
    })
    .join('');
}

// The local SpeechEngine: each language spoken by the best installed voice (SVOX Pico, festival's HTS voices,
// espeak-ng; see local-voices.ts), falling back down the language's list when a voice cannot be loaded or fails,
// so a sentence is spoken by espeak-ng rather than not at all.
import type { Language } from '@llt/events';
import type { ServiceLog } from '@llt/platform';
import type { Pronunciation, SpeechEngine, SynthesizedSpeech } from '#core/ports';
import { SynthesisError, UnsupportedLanguageError } from '#errors';
import { Espeak, type EspeakOptions } from './espeak.ts';
import type { Pcm } from './espeak-wasm.ts';
import { type LocalVoice, resolveLocalVoices, type VoiceProbe, voiceId, voicesFor } from './local-voices.ts';
import { loadMp3Encoder, type Mp3Bitrate } from './mp3.ts';
import { respelled } from './pronunciations.ts';
import { checkText, speechFromPcm, trimSilence } from './speech-output.ts';

export interface LocalSpeechEngineOptions {
  /** MP3 bitrate; default 48 kbps (speech, mono). */
  bitrateKbps?: Mp3Bitrate;
  /** Longest accepted text; default 3000 characters (a caption segment is far shorter). */
  maxChars?: number;
  espeak?: EspeakOptions;
  /** Where voice data is looked for; default the Debian locations. */
  probe?: VoiceProbe;
  /** The voices per language, best first, instead of probing for them. */
  voices?: Record<Language, LocalVoice[]>;
  /** Pico's loudness (0–500 %); Pico's own 100 % clips on loud vowels. Default 60. */
  picoVolumePercent?: number;
}

/** A loaded voice. */
interface Speaker {
  /** Speaks the text, each of `pronunciations` as its spoken form, as well as the voice can. */
  synthesize(text: string, pronunciations: readonly Pronunciation[]): Promise<Pcm>;
  close?(): void;
}

/** A voice that cannot be used at all (missing data, a module that does not load, a process that does not start). */
class VoiceLoadError extends SynthesisError {
  override name = 'VoiceLoadError';
}

const WARM_PHRASE = '1, 2, 3.';

/** Warnings go to stderr as JSON lines, like the service's logger: the engine may run on a worker thread. */
const consoleLog: Pick<ServiceLog, 'warn'> = {
  warn: (message, extra) => console.warn(JSON.stringify({ level: 'WARN', message, ...extra })),
};

export class LocalSpeechEngine implements SpeechEngine {
  readonly #voices: Record<Language, LocalVoice[]>;
  readonly #espeak: Espeak;
  readonly #bitrateKbps: Mp3Bitrate;
  readonly #maxChars: number;
  readonly #picoVolume: number;
  readonly #log: Pick<ServiceLog, 'warn'>;
  /** Loaded voices by id; undefined once a voice failed to load (said once, then skipped). */
  readonly #speakers = new Map<string, Promise<Speaker | undefined>>();
  /** Every voice loaded so far, for close(). */
  readonly #opened: Speaker[] = [];

  constructor(options: LocalSpeechEngineOptions = {}, log: Pick<ServiceLog, 'warn'> = consoleLog) {
    this.#voices = options.voices ?? resolveLocalVoices(options.probe);
    this.#espeak = new Espeak(options.espeak);
    this.#bitrateKbps = options.bitrateKbps ?? 48;
    this.#maxChars = options.maxChars ?? 3000;
    this.#picoVolume = Math.round(Math.min(500, Math.max(0, options.picoVolumePercent ?? 60)));
    this.#log = log;
  }

  /**
   * Loads the voices of `languages` (default: every language it has a voice for) and the MP3 encoder, and speaks a
   * short phrase with each: cold, the first synthesis
   * costs 100–600 ms per voice, and festival takes ~1 s to start.
   */
  async warm(languages: readonly string[] = Object.keys(this.#voices)): Promise<void> {
    await loadMp3Encoder();
    for (const language of languages) {
      if (voicesFor(this.#voices, language)) await this.synthesize(WARM_PHRASE, language);
    }
  }

  /**
   * Glossary terms: espeak-ng reads a term's spoken form with the source language's rules (see `espeakText`); Pico
   * and festival take no such markup and read the spoken form in place of the term (`respelled`).
   */
  async synthesize(
    text: string,
    language: string,
    pronunciations: readonly Pronunciation[] = [],
  ): Promise<SynthesizedSpeech> {
    const voices = voicesFor(this.#voices, language) ?? [];
    if (voices.length === 0) {
      const known = Object.keys(this.#voices).join(', ');
      throw new UnsupportedLanguageError(`no local voice for language "${language}" (voiced: ${known})`);
    }
    checkText(text, this.#maxChars);
    let failure: unknown;
    for (const voice of voices) {
      const speaker = await this.#speaker(voice);
      if (!speaker) continue;
      try {
        const pcm = await speaker.synthesize(text, pronunciations);
        if (pcm.samples.length === 0) throw new SynthesisError(`${voiceId(voice)} produced no audio`);
        return await speechFromPcm(trimSilence(pcm), voiceId(voice), this.#bitrateKbps);
      } catch (error) {
        failure = error;
        if (error instanceof VoiceLoadError) this.#disable(voice, error);
        else if (voice !== voices.at(-1)) {
          this.#log.warn('voice failed; the next voice speaks this text', {
            voice: voiceId(voice),
            language,
            error: String(error),
          });
        }
      }
    }
    if (failure instanceof Error) throw failure;
    throw new SynthesisError(`no voice for "${language}" could be loaded (${voices.map(voiceId).join(', ')})`);
  }

  /** Stops the voices' processes (festival); a later request loads its voice again. */
  close(): void {
    for (const speaker of this.#opened.splice(0)) speaker.close?.();
    this.#speakers.clear();
  }

  #speaker(voice: LocalVoice): Promise<Speaker | undefined> {
    const id = voiceId(voice);
    let speaker = this.#speakers.get(id);
    if (!speaker) {
      speaker = this.#open(voice).then(
        (opened) => {
          this.#opened.push(opened);
          return opened;
        },
        (error: unknown) => {
          this.#disable(voice, error);
          return undefined;
        },
      );
      this.#speakers.set(id, speaker);
    }
    return speaker;
  }

  #disable(voice: LocalVoice, error: unknown): void {
    const id = voiceId(voice);
    this.#speakers.set(id, Promise.resolve(undefined));
    this.#log.warn('voice unavailable; its languages fall back to the next voice', {
      voice: id,
      error: String(error),
      ...(error instanceof Error && error.cause ? { cause: String(error.cause) } : {}),
    });
  }

  async #open(voice: LocalVoice): Promise<Speaker> {
    switch (voice.engine) {
      case 'pico': {
        const { PicoVoice, picoSafeText } = await import('./pico.ts');
        const pico = await PicoVoice.load({
          locale: voice.voice,
          textAnalysisFile: voice.textAnalysisFile,
          signalGenerationFile: voice.signalGenerationFile,
        });
        // Pico's own tag, ahead of text that has had its angle brackets neutralised.
        const volume = `<volume level="${this.#picoVolume}">`;
        return {
          synthesize: async (text, pronunciations) =>
            pico.synthesize(volume + picoSafeText(respelled(text, pronunciations))),
        };
      }
      case 'festival': {
        const { FestivalVoice } = await import('./festival.ts');
        const festival = new FestivalVoice({ voice: voice.voice, binary: voice.festivalBinary });
        const start = async () => {
          try {
            await festival.start();
          } catch (cause) {
            festival.close();
            throw new VoiceLoadError(`festival could not start with the voice ${voice.voice}`, { cause });
          }
        };
        await start();
        return {
          // After a crash festival restarts here; if it cannot, the voice is given up.
          synthesize: async (text, pronunciations) => {
            await start();
            return festival.synthesize(respelled(text, pronunciations));
          },
          close: () => festival.close(),
        };
      }
      case 'espeak-ng':
        return { synthesize: (text, pronunciations) => this.#espeak.synthesize(text, voice.voice, pronunciations) };
    }
  }
}

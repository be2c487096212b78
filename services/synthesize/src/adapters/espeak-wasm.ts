// espeak-ng compiled to WebAssembly (@echogarden/espeak-ng-emscripten): in-process, ~10 ms per sentence once warm.
import { SynthesisError } from '#errors';

export class EspeakUnavailableError extends SynthesisError {
  override name = 'EspeakUnavailableError';
}

/** The part of the Emscripten worker we use (the package ships no type declarations). */
interface EspeakWorker {
  set_voice(name: string): void;
  get_samplerate(): number;
  synthesize(text: string, callback: (samples: Int16Array, events: unknown[]) => boolean): void;
}

interface EspeakModule {
  eSpeakNGWorker: new () => EspeakWorker;
}

export interface Pcm {
  samples: Int16Array;
  sampleRate: number;
}

/** One buffer of the chunks a voice produced, in order; `length` is their total. */
export function joinSamples(chunks: readonly Int16Array[], length: number): Int16Array {
  const samples = new Int16Array(length);
  let offset = 0;
  for (const chunk of chunks) {
    samples.set(chunk, offset);
    offset += chunk.length;
  }
  return samples;
}

export class EspeakWasm {
  readonly #worker: EspeakWorker;
  readonly sampleRate: number;
  #voice = '';

  private constructor(worker: EspeakWorker) {
    this.#worker = worker;
    this.sampleRate = worker.get_samplerate();
  }

  static async load(): Promise<EspeakWasm> {
    try {
      // A non-literal specifier: the package has no types, and this keeps it an optional runtime dependency.
      const specifier = '@echogarden/espeak-ng-emscripten';
      const mod = (await import(specifier)) as { default: () => Promise<EspeakModule> };
      const instance = await mod.default();
      return new EspeakWasm(new instance.eSpeakNGWorker());
    } catch (cause) {
      throw new EspeakUnavailableError('espeak-ng WebAssembly module could not be loaded', { cause });
    }
  }

  /**
   * Synchronous on purpose: the voice switch and the synthesis cannot interleave with another call, so one worker
   * safely serves concurrent requests. The text must already be markup-safe (see `espeakSafeText`).
   */
  synthesize(text: string, voice: string): Pcm {
    try {
      // Switching voices reloads voice data; skip it when consecutive requests share a language.
      if (voice !== this.#voice) {
        this.#voice = '';
        this.#worker.set_voice(voice);
        this.#voice = voice;
      }
      const chunks: Int16Array[] = [];
      let length = 0;
      this.#worker.synthesize(text, (samples) => {
        chunks.push(samples);
        length += samples.length;
        return false; // false = keep going
      });
      return { samples: joinSamples(chunks, length), sampleRate: this.sampleRate };
    } catch (cause) {
      throw new SynthesisError(`espeak-ng (WebAssembly) failed for voice "${voice}"`, { cause });
    }
  }
}

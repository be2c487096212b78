// SVOX Pico (an HMM voice, far clearer than espeak-ng) compiled to WebAssembly (@echogarden/svoxpico-wasm), with
// Debian's voice data (libttspico-data) read from disk: 16 kHz PCM, ~50–110 ms per sentence.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { SynthesisError } from '#errors';
import { joinSamples, type Pcm } from './espeak-wasm.ts';

export class PicoError extends SynthesisError {
  override name = 'PicoError';
}

/** The part of the Emscripten module we use: Pico's C API (picoapi.h) and the heap. The package ships no types. */
interface PicoModule {
  HEAPU8: Uint8Array;
  FS: { mkdir(path: string): void; writeFile(path: string, data: Uint8Array): void; unlink(path: string): void };
  _malloc(size: number): number;
  _free(ptr: number): void;
  _pico_initialize(memory: number, size: number, outSystem: number): number;
  _pico_getSystemStatusMessage(system: number, code: number, outMessage: number): number;
  _pico_loadResource(system: number, fileName: number, outResource: number): number;
  _pico_getResourceName(system: number, resource: number, outName: number): number;
  _pico_createVoiceDefinition(system: number, voiceName: number): number;
  _pico_addResourceToVoiceDefinition(system: number, voiceName: number, resourceName: number): number;
  _pico_newEngine(system: number, voiceName: number, outEngine: number): number;
  _pico_putTextUtf8(engine: number, text: number, textSize: number, outBytesPut: number): number;
  _pico_getData(engine: number, buffer: number, size: number, outBytes: number, outType: number): number;
  _pico_resetEngine(engine: number, mode: number): number;
  _pico_getEngineStatusMessage(engine: number, code: number, outMessage: number): number;
}

const PICO_OK = 0;
const PICO_STEP_IDLE = 200;
const PICO_STEP_BUSY = 201;
const PICO_RESET_FULL = 0;
const PICO_DATA_PCM_16BIT = 1;
/** pico_putTextUtf8 and pico_getData count bytes in 16-bit integers. */
const MAX_INT16 = 32_767;
const OUT_BUFFER_BYTES = 4096;
const MESSAGE_BYTES = 200;
/** Working memory on top of the two resources, which Pico copies into its own memory area. */
const ENGINE_MEMORY_BYTES = 1_500_000;

export const PICO_SAMPLE_RATE = 16_000;

export interface PicoVoiceFiles {
  /** e.g. "fr-FR" */
  locale: string;
  /** `<locale>_ta.bin`: text analysis. */
  textAnalysisFile: string;
  /** `<locale>_<speaker>_sg.bin`: signal generation. */
  signalGenerationFile: string;
}

/**
 * Pico reads a few XML-like tags in its input (`<break time=…/>`, `<speed …>`, `<play file=…/>`, `<genfile …>`),
 * so angle brackets become parentheses: caption text must never steer the voice. Control characters become spaces.
 */
export function picoSafeText(text: string): string {
  return text.replace(/[<>\p{Cc}]/gu, (c) => {
    if (c === '<') return '(';
    if (c === '>') return ')';
    return ' ';
  });
}

/**
 * One Pico voice in its own WebAssembly instance (a Pico system holds one engine, and an instance keeps the
 * voices' memories apart). Synchronous like espeak-ng's: one request at a time by construction.
 */
export class PicoVoice {
  readonly locale: string;
  readonly sampleRate = PICO_SAMPLE_RATE;
  readonly #m: PicoModule;
  readonly #engine: number;
  /** Scratch: two int16 out-parameters, the output buffer and a message buffer, allocated once. */
  readonly #scratch: number;

  private constructor(locale: string, m: PicoModule, engine: number, scratch: number) {
    this.locale = locale;
    this.#m = m;
    this.#engine = engine;
    this.#scratch = scratch;
  }

  static async load(files: PicoVoiceFiles): Promise<PicoVoice> {
    let resources: Uint8Array[];
    try {
      resources = [readFileSync(files.textAnalysisFile), readFileSync(files.signalGenerationFile)];
    } catch (cause) {
      throw new PicoError(`Pico voice data for ${files.locale} could not be read`, { cause });
    }
    let m: PicoModule;
    try {
      // A non-literal specifier: the package has no types.
      const specifier = '@echogarden/svoxpico-wasm';
      const mod = (await import(specifier)) as { default: (options?: object) => Promise<PicoModule> };
      m = await mod.default({ print: () => {}, printErr: () => {} });
    } catch (cause) {
      throw new PicoError('the Pico WebAssembly module could not be loaded', { cause });
    }

    const memoryBytes = ENGINE_MEMORY_BYTES + resources.reduce((n, r) => n + r.length, 0);
    const memory = m._malloc(memoryBytes);
    const pointers = m._malloc(16);
    const systemPtr = pointers;
    const resourcePtr = pointers + 4;
    const enginePtr = pointers + 8;
    const view = () => new DataView(m.HEAPU8.buffer);
    const check = (status: number, what: string, system?: number) => {
      if (status === PICO_OK) return;
      let detail = '';
      if (system) {
        const message = m._malloc(MESSAGE_BYTES);
        m._pico_getSystemStatusMessage(system, status, message);
        detail = `: ${readCString(m, message)}`;
        m._free(message);
      }
      throw new PicoError(`Pico ${files.locale}: ${what} failed (${status})${detail}`);
    };

    check(m._pico_initialize(memory, memoryBytes, systemPtr), 'initialisation');
    const system = view().getUint32(systemPtr, true);
    const voiceName = writeCString(m, files.locale);
    m.FS.mkdir('/voice');
    for (const [i, path] of [files.textAnalysisFile, files.signalGenerationFile].entries()) {
      const inMemory = `/voice/${basename(path)}`;
      m.FS.writeFile(inMemory, resources[i] as Uint8Array);
      const fileName = writeCString(m, inMemory);
      check(m._pico_loadResource(system, fileName, resourcePtr), `loading ${basename(path)}`, system);
      m._free(fileName);
      m.FS.unlink(inMemory); // Pico keeps its own copy
      const resource = view().getUint32(resourcePtr, true);
      const resourceName = m._malloc(64);
      check(m._pico_getResourceName(system, resource, resourceName), 'reading a resource name', system);
      if (i === 0) check(m._pico_createVoiceDefinition(system, voiceName), 'creating the voice', system);
      check(m._pico_addResourceToVoiceDefinition(system, voiceName, resourceName), 'adding a resource', system);
      m._free(resourceName);
    }
    check(m._pico_newEngine(system, voiceName, enginePtr), 'creating the engine', system);
    const engine = view().getUint32(enginePtr, true);
    m._free(voiceName);
    m._free(pointers);
    return new PicoVoice(files.locale, m, engine, m._malloc(8 + OUT_BUFFER_BYTES + MESSAGE_BYTES));
  }

  /** Speaks already-safe text (see `picoSafeText`) to 16 kHz mono PCM. */
  synthesize(text: string): Pcm {
    const m = this.#m;
    const bytesPutPtr = this.#scratch;
    const bytesOutPtr = this.#scratch + 2;
    const typePtr = this.#scratch + 4;
    const buffer = this.#scratch + 8;
    // The terminating NUL is part of the input: it tells Pico the text is complete, so it speaks the last sentence.
    const encoded = new TextEncoder().encode(`${text}\0`);
    const input = m._malloc(encoded.length);
    m.HEAPU8.set(encoded, input);
    const chunks: Int16Array[] = [];
    let length = 0;
    try {
      let sent = 0;
      while (sent < encoded.length) {
        const size = Math.min(encoded.length - sent, MAX_INT16);
        this.#check(m._pico_putTextUtf8(this.#engine, input + sent, size, bytesPutPtr), 'text input');
        sent += new DataView(m.HEAPU8.buffer).getInt16(bytesPutPtr, true);
        let status: number;
        do {
          status = m._pico_getData(this.#engine, buffer, OUT_BUFFER_BYTES, bytesOutPtr, typePtr);
          if (status !== PICO_STEP_BUSY && status !== PICO_STEP_IDLE) this.#check(status, 'synthesis');
          const heap = new DataView(m.HEAPU8.buffer);
          const bytes = heap.getInt16(bytesOutPtr, true);
          if (bytes > 0 && heap.getInt16(typePtr, true) === PICO_DATA_PCM_16BIT) {
            // Copy out of the WebAssembly memory: the next call overwrites the buffer.
            const samples = new Int16Array(m.HEAPU8.buffer.slice(buffer, buffer + bytes - (bytes % 2)));
            chunks.push(samples);
            length += samples.length;
          }
        } while (status === PICO_STEP_BUSY);
      }
    } catch (error) {
      m._pico_resetEngine(this.#engine, PICO_RESET_FULL);
      throw error;
    } finally {
      m._free(input);
    }
    return { samples: joinSamples(chunks, length), sampleRate: this.sampleRate };
  }

  #check(status: number, what: string): void {
    if (status === PICO_OK) return;
    const message = this.#scratch + 8 + OUT_BUFFER_BYTES;
    this.#m._pico_getEngineStatusMessage(this.#engine, status, message);
    throw new PicoError(`Pico ${this.locale}: ${what} failed (${status}): ${readCString(this.#m, message)}`);
  }
}

function writeCString(m: PicoModule, text: string): number {
  const bytes = new TextEncoder().encode(`${text}\0`);
  const ptr = m._malloc(bytes.length);
  m.HEAPU8.set(bytes, ptr);
  return ptr;
}

function readCString(m: PicoModule, ptr: number): string {
  const end = m.HEAPU8.indexOf(0, ptr);
  return new TextDecoder().decode(m.HEAPU8.subarray(ptr, end < 0 ? ptr : end));
}

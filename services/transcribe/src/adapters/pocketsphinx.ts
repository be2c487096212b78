// Local Recognizer adapter: one warm PocketSphinx decoder per session, driven in-process through koffi FFI
// against Debian's libpocketsphinx.so.3 / libsphinxbase.so.3, so partial hypotheses stream chunk by chunk.
//
// Thread model
// - The libraries are loaded once per process (per libDir), lazily at the first open().
// - Everything slow runs on koffi's async workers (Node's libuv thread pool, UV_THREADPOOL_SIZE, default 4):
//   ps_init (~0.3 s), ps_process_raw, ps_end_utt and the final ps_get_hyp (fwdflat / bestpath passes), ps_free.
//   Only calls that take microseconds run on the event loop: cmd_ln_init (koffi cannot call variadic functions
//   asynchronously; it only parses options), ps_start_utt, and the partial ps_get_hyp / ps_get_in_speech.
// - A decoder is not thread-safe: every call on one decoder goes through its stream's promise chain, so no two
//   calls on the same decoder overlap even if a caller does not await. Different decoders run in parallel on
//   different worker threads: PocketSphinx keeps its state per decoder, except the process-wide log stream,
//   which is therefore switched off once at load instead of per decoder (see loadNative).
// - Many live sessions share the libuv pool with fs, dns.lookup and zlib; raise UV_THREADPOOL_SIZE with the
//   number of concurrent decoders so that decoding does not queue behind (or in front of) other I/O.
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import koffi, { type LibraryHandle } from 'koffi';
import type { Hypothesis, Recognizer, RecognizerStream, ServiceLog, SessionGlossary } from '#core/ports';
import { RecognizerError } from '#errors';
import {
  applyGlossarySpelling,
  GLOSSARY_MODEL_WEIGHT,
  glossaryArpa,
  planGlossary,
  type TermWord,
} from './pocketsphinx-glossary.ts';

export interface PocketSphinxOptions {
  /** Folder holding `en-us/` (acoustic model), `en-us.lm.bin` and `cmudict-en-us.dict`. */
  modelDir?: string;
  /** More decoder options for cmd_ln_init, e.g. `{ '-fwdflat': 'no', '-bestpath': 'no' }` (faster, less accurate). */
  extraArgs?: Record<string, string>;
  /** Folder to load the two shared libraries from; by default the dynamic loader's search path. */
  libDir?: string;
  log?: ServiceLog;
}

export const DEFAULT_MODEL_DIR = '/usr/share/pocketsphinx/model/en-us';

/** koffi 3 represents native pointers as BigInt; NULL comes back as null. */
type Pointer = bigint;
type NativeFunction = ReturnType<LibraryHandle['func']>;

/** Typed wrappers over the handful of C functions the adapter needs. */
interface SphinxApi {
  /** cmd_ln_init(NULL, ps_args(), TRUE, "-opt", "value", …, NULL). */
  newConfig(args: readonly string[]): Pointer | null;
  freeConfig(config: Pointer): void;
  init(config: Pointer): Promise<Pointer | null>;
  startUtt(decoder: Pointer): number;
  processRaw(decoder: Pointer, samples: Pointer, count: number): Promise<number>;
  endUtt(decoder: Pointer): Promise<number>;
  hyp(decoder: Pointer, score: Int32Array): string | null;
  finalHyp(decoder: Pointer, score: Int32Array): Promise<string | null>;
  inSpeech(decoder: Pointer): boolean;
  free(decoder: Pointer): Promise<number>;
  /**
   * ps_add_word without a search rebuild. It also adds the word to the language model of every n-gram search the
   * decoder holds, so it is only called while the decoder holds none (see PocketSphinxStream.useGlossary).
   */
  addWord(decoder: Pointer, word: string, phones: string): Promise<number>;
  /** The language model of the decoder's current n-gram search as loaded (not the search's wrapping set). */
  baseModel(decoder: Pointer): Pointer | null;
  /** Whether a language model has the word. */
  inLanguageModel(model: Pointer, word: string): boolean;
  /**
   * log10 of the probability the model gives `word` after `history` (most recent first), as written in the model
   * (no language weight or insertion penalty); undefined when the model lacks any of the words.
   */
  log10Prob(decoder: Pointer, model: Pointer, word: string, history: readonly string[]): number | undefined;
  /** ngram_model_read of an ARPA file, with the decoder's log base and language weights. */
  readArpa(decoder: Pointer, config: Pointer, path: string): Promise<Pointer | null>;
  /** An interpolated set over `models` (each reference passes to the set) with the given weights. */
  interpolate(config: Pointer, models: Pointer[], names: string[], weights: number[]): Promise<Pointer | null>;
  retainModel(model: Pointer): void;
  freeModel(model: Pointer): void;
  currentSearch(decoder: Pointer): string | null;
  /** ps_set_lm: a new n-gram search named `name` over `model` (~200 ms: it builds the lexicon tree); 0 on success. */
  setLm(decoder: Pointer, name: string, model: Pointer): Promise<number>;
  /** ps_set_search; only for a name that ps_set_lm just accepted (this library version crashes on an unknown one). */
  setSearch(decoder: Pointer, name: string): number;
  /** ps_unset_search: drops and frees a search (the decoder has no current search after dropping it). */
  unsetSearch(decoder: Pointer, name: string): Promise<number>;
}

const LIBRARIES = {
  sphinxbase: { file: 'libsphinxbase.so.3', debianPackage: 'libsphinxbase3' },
  pocketsphinx: { file: 'libpocketsphinx.so.3', debianPackage: 'libpocketsphinx3' },
} as const;

const MODEL_FILES = ['en-us', 'en-us.lm.bin', 'cmudict-en-us.dict'] as const;

/** Loaded libraries by libDir ('' = loader search path); failures are not cached so an apt install is picked up. */
const loaded = new Map<string, SphinxApi>();

function loadLibrary(libDir: string | undefined, lib: (typeof LIBRARIES)[keyof typeof LIBRARIES]): LibraryHandle {
  const path = libDir ? join(libDir, lib.file) : lib.file;
  try {
    return koffi.load(path);
  } catch (cause) {
    throw new RecognizerError(
      `PocketSphinx: cannot load ${path}; install the Debian package ${lib.debianPackage} (apt-get install pocketsphinx pocketsphinx-en-us)`,
      { cause },
    );
  }
}

function callAsync<T>(fn: NativeFunction, ...args: unknown[]): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    fn.async(...args, (err: unknown, result: T) => {
      if (err) reject(err);
      else resolve(result);
    });
  });
}

function loadNative(libDir: string | undefined): SphinxApi {
  const key = libDir ?? '';
  const cached = loaded.get(key);
  if (cached) return cached;

  const base = loadLibrary(libDir, LIBRARIES.sphinxbase);
  const ps = loadLibrary(libDir, LIBRARIES.pocketsphinx);
  // Anonymous opaque types: named koffi types are process-global and would clash if this module were evaluated
  // twice (test isolation, hot reload).
  const CmdLnPtr = koffi.pointer(koffi.opaque());
  const DecoderPtr = koffi.pointer(koffi.opaque());
  const fn = {
    cmdLnInit: base.func('cmd_ln_init', CmdLnPtr, [CmdLnPtr, 'void *', 'int32_t', '...']),
    cmdLnFree: base.func('cmd_ln_free_r', 'int', [CmdLnPtr]),
    errSetLogfp: base.func('err_set_logfp', 'void *', ['void *']),
    psArgs: ps.func('ps_args', 'void *', []),
    psInit: ps.func('ps_init', DecoderPtr, [CmdLnPtr]),
    psStartUtt: ps.func('ps_start_utt', 'int', [DecoderPtr]),
    psProcessRaw: ps.func('ps_process_raw', 'int', [DecoderPtr, 'int16_t *', 'size_t', 'int', 'int']),
    psEndUtt: ps.func('ps_end_utt', 'int', [DecoderPtr]),
    psGetHyp: ps.func('ps_get_hyp', 'str', [DecoderPtr, koffi.out(koffi.pointer('int32_t'))]),
    psGetInSpeech: ps.func('ps_get_in_speech', 'uint8_t', [DecoderPtr]),
    psFree: ps.func('ps_free', 'int', [DecoderPtr]),
    psAddWord: ps.func('ps_add_word', 'int', [DecoderPtr, 'str', 'str', 'int']),
    psGetSearch: ps.func('ps_get_search', 'str', [DecoderPtr]),
    psSetSearch: ps.func('ps_set_search', 'int', [DecoderPtr, 'str']),
    psUnsetSearch: ps.func('ps_unset_search', 'int', [DecoderPtr, 'str']),
    psGetLm: ps.func('ps_get_lm', 'void *', [DecoderPtr, 'str']),
    psSetLm: ps.func('ps_set_lm', 'int', [DecoderPtr, 'str', 'void *']),
    psGetLogmath: ps.func('ps_get_logmath', 'void *', [DecoderPtr]),
    ngramWid: base.func('ngram_wid', 'int32_t', ['void *', 'str']),
    ngramUnknownWid: base.func('ngram_unknown_wid', 'int32_t', ['void *']),
    ngramNgProb: base.func('ngram_ng_prob', 'int32_t', [
      'void *',
      'int32_t',
      'int32_t *',
      'int32_t',
      koffi.out(koffi.pointer('int32_t')),
    ]),
    logToLog10: base.func('logmath_log_to_log10', 'double', ['void *', 'int']),
    ngramRead: base.func('ngram_model_read', 'void *', [CmdLnPtr, 'str', 'int', 'void *']),
    ngramRetain: base.func('ngram_model_retain', 'void *', ['void *']),
    ngramFree: base.func('ngram_model_free', 'int', ['void *']),
    ngramSetInit: base.func('ngram_model_set_init', 'void *', [
      CmdLnPtr,
      'void **',
      'const char **',
      'float *',
      'int32_t',
    ]),
    ngramSetLookup: base.func('ngram_model_set_lookup', 'void *', ['void *', 'str']),
  };
  /** sphinxbase's ngram_file_type_t. */
  const NGRAM_ARPA = 1;
  // Logging off for the whole process instead of `-logfn /dev/null` per decoder: ps_init with -logfn swaps the
  // process-global log FILE* and fcloses the previous one, which other decoders may be writing to on another
  // worker thread at that moment. A NULL log stream disables sphinxbase logging altogether.
  fn.errSetLogfp(null);
  const argDefinitions: Pointer = fn.psArgs();

  /** The model's id for `word`, or undefined when the model does not have it (its unknown-word id). */
  const knownWid = (model: Pointer, word: string): number | undefined => {
    const wid: number = fn.ngramWid(model, word);
    return wid >= 0 && wid !== fn.ngramUnknownWid(model) ? wid : undefined;
  };

  const api: SphinxApi = {
    newConfig(args) {
      const variadic: (string | null)[] = [];
      for (const arg of args) variadic.push('str', arg);
      variadic.push('str', null);
      return fn.cmdLnInit(null, argDefinitions, 1, ...variadic);
    },
    freeConfig: (config) => fn.cmdLnFree(config),
    init: (config) => callAsync(fn.psInit, config),
    startUtt: (decoder) => fn.psStartUtt(decoder),
    processRaw: (decoder, samples, count) => callAsync(fn.psProcessRaw, decoder, samples, count, 0, 0),
    endUtt: (decoder) => callAsync(fn.psEndUtt, decoder),
    hyp: (decoder, score) => fn.psGetHyp(decoder, score),
    // After ps_end_utt the hypothesis may run the lattice bestpath search: not for the event loop.
    finalHyp: (decoder, score) => callAsync(fn.psGetHyp, decoder, score),
    inSpeech: (decoder) => fn.psGetInSpeech(decoder) !== 0,
    free: (decoder) => callAsync(fn.psFree, decoder),
    addWord: (decoder, word, phones) => callAsync(fn.psAddWord, decoder, word, phones, 0),
    baseModel(decoder) {
      const search: string | null = fn.psGetSearch(decoder);
      // An n-gram search wraps its model in a one-model set, whose current model is the one loaded.
      const set: Pointer | null = search ? fn.psGetLm(decoder, search) : null;
      return set ? fn.ngramSetLookup(set, null) : null;
    },
    inLanguageModel: (model, word) => knownWid(model, word) !== undefined,
    log10Prob(decoder, model, word, history) {
      const ids = [word, ...history].map((w) => knownWid(model, w));
      if (ids.some((id) => id === undefined)) return undefined;
      const used = new Int32Array(1);
      const score: number = fn.ngramNgProb(
        model,
        ids[0],
        new Int32Array(ids.slice(1) as number[]),
        history.length,
        used,
      );
      return fn.logToLog10(fn.psGetLogmath(decoder), score);
    },
    readArpa: (decoder, config, path) => callAsync(fn.ngramRead, config, path, NGRAM_ARPA, fn.psGetLogmath(decoder)),
    interpolate: (config, models, names, weights) =>
      callAsync(fn.ngramSetInit, config, models, names, new Float32Array(weights), models.length),
    retainModel: (model) => fn.ngramRetain(model),
    freeModel: (model) => fn.ngramFree(model),
    currentSearch: (decoder) => fn.psGetSearch(decoder),
    setLm: (decoder, name, model) => callAsync(fn.psSetLm, decoder, name, model),
    setSearch: (decoder, name) => fn.psSetSearch(decoder, name),
    unsetSearch: (decoder, name) => callAsync(fn.psUnsetSearch, decoder, name),
  };
  loaded.set(key, api);
  return api;
}

/**
 * Engine text to caption text: drops fillers (`<sil>`, `<s>`, `[NOISE]`, `++BREATH++`) and alternate-pronunciation
 * markers (`read(2)` → `read`), which the default en-us setup rarely emits but other dictionaries do.
 */
export function cleanHypothesis(raw: string): string {
  return raw
    .split(/\s+/)
    .map((word) => word.replace(/\(\d+\)$/, ''))
    .filter((word) => word !== '' && !/^(<.*>|\[.*\]|\+\+.*\+\+)$/.test(word))
    .join(' ');
}

export class PocketSphinxRecognizer implements Recognizer {
  readonly name = 'pocketsphinx';
  private readonly modelDir: string;
  private readonly extraArgs: Record<string, string>;
  private readonly libDir: string | undefined;
  private readonly log: ServiceLog | undefined;

  constructor(options: PocketSphinxOptions = {}) {
    this.modelDir = options.modelDir ?? DEFAULT_MODEL_DIR;
    this.extraArgs = options.extraArgs ?? {};
    this.libDir = options.libDir;
    this.log = options.log;
  }

  async open(sessionId: string, language: string): Promise<RecognizerStream> {
    if (language !== 'en') {
      throw new RecognizerError(`PocketSphinx: no model for language '${language}' (only 'en' is installed)`);
    }
    const api = loadNative(this.libDir);
    for (const file of MODEL_FILES) {
      const path = join(this.modelDir, file);
      if (!existsSync(path)) {
        throw new RecognizerError(
          `PocketSphinx: model file ${path} is missing; install the Debian package pocketsphinx-en-us`,
        );
      }
    }
    const args = [
      ['-hmm', join(this.modelDir, 'en-us')],
      ['-lm', join(this.modelDir, 'en-us.lm.bin')],
      ['-dict', join(this.modelDir, 'cmudict-en-us.dict')],
      ...Object.entries(this.extraArgs),
    ].flat();
    const config = api.newConfig(args);
    if (!config) {
      throw new RecognizerError(
        `PocketSphinx: cmd_ln_init rejected the decoder options (unknown or duplicate option?) ${JSON.stringify(this.extraArgs)}`,
      );
    }
    let decoder: Pointer | null;
    try {
      decoder = await api.init(config);
    } catch (cause) {
      api.freeConfig(config);
      throw new RecognizerError('PocketSphinx: ps_init failed', { cause });
    }
    if (!decoder) {
      api.freeConfig(config);
      throw new RecognizerError(`PocketSphinx: ps_init could not load the models in ${this.modelDir}`);
    }
    const stream = new PocketSphinxStream(
      api,
      sessionId,
      decoder,
      config,
      join(this.modelDir, 'cmudict-en-us.dict'),
      this.log,
    );
    if (api.startUtt(decoder) < 0) {
      await stream.release();
      throw new RecognizerError('PocketSphinx: ps_start_utt failed');
    }
    return stream;
  }
}

/** The language model's word for the end of a sentence. */
const SENTENCE_END = '</s>';

/** 100 ms at 16 kHz: the usual chunk, so the native buffer rarely has to grow. */
const INITIAL_BUFFER_SAMPLES = 1600;

class PocketSphinxStream implements RecognizerStream {
  /** Settles after the last queued call on this decoder; never rejects, so one failure does not block the rest. */
  private tail: Promise<unknown> = Promise.resolve();
  private released: Promise<void> | undefined;
  private readonly score = new Int32Array(1);
  /**
   * Native copy of the samples for ps_process_raw: the call runs on a worker thread while the caller is free to
   * reuse its Int16Array, and a koffi.alloc block does not move under the native code.
   */
  private buffer: { pointer: Pointer; view: Int16Array } | undefined;
  /** Glossary terms given an engine word in this decoder, by term key (kept when a term leaves the glossary). */
  private readonly terms = new Map<string, TermWord>();
  /** Engine words the current glossary language model holds, sorted; empty while the base model is alone. */
  private modelWords: string[] = [];
  /** Engine word (lower case) → the glossary's term, applied to every hypothesis. */
  private shown = new Map<string, string>();
  private glossaryVersion: number | undefined;
  /** The language model the decoder loaded; glossary searches interpolate it with a glossary model. */
  private baseModel: Pointer | null | undefined;
  private wordCount = 0;
  private searchCount = 0;

  constructor(
    private readonly api: SphinxApi,
    private readonly sessionId: string,
    private readonly decoder: Pointer,
    private readonly config: Pointer,
    private readonly dictionaryPath: string,
    private readonly log: ServiceLog | undefined,
  ) {}

  /**
   * Gives the decoder the glossary's terms (see pocketsphinx-glossary.ts): new terms are pronounced from their spoken
   * form (else the term) through pronounce() and added to the dictionary, and the n-gram search is replaced by one
   * over the base model interpolated with this glossary's model (~0.2–0.6 s). Called between utterances: the empty
   * utterance that is open is ended and a new one started, so the decoder's adapted state (cepstral mean) is kept.
   */
  useGlossary(glossary: SessionGlossary): Promise<number | undefined> {
    return this.enqueue('useGlossary', async () => {
      if (this.baseModel === undefined) this.baseModel = this.api.baseModel(this.decoder);
      const baseModel = this.baseModel;
      if (!baseModel) throw new RecognizerError('PocketSphinx: the decoder has no n-gram language model');
      const plan = planGlossary(
        glossary.entries,
        this.terms,
        (word) => this.api.inLanguageModel(baseModel, word),
        () => `glossary-term-${++this.wordCount}`,
      );
      // Loaded here: pronounce.ts reads this module's model folder, so a static import would be circular.
      const { normalizeWord, pronounceWithReport } = await import('./pronounce.ts');
      const report = await pronounceWithReport(
        plan.added.map((term) => term.sayAs),
        { dictionaryPath: this.dictionaryPath },
      );
      const added = plan.added
        .map((term) => ({ term, phones: report.pronunciations.get(normalizeWord(term.sayAs)) }))
        .filter((a): a is { term: TermWord; phones: string } => a.phones !== undefined);
      const addedWords = new Set(added.map((a) => a.term.word));
      const terms = plan.terms.filter(
        (term) => this.terms.get(term.key)?.word === term.word || addedWords.has(term.word),
      );
      const words = terms.map((term) => term.word).sort();
      if (words.join(' ') !== this.modelWords.join(' ')) {
        const refused = await this.installGlossaryModel(baseModel, words, added);
        for (const { term } of added) if (!refused.has(term.word)) this.terms.set(term.key, term);
        this.modelWords = words.filter((word) => !refused.has(word));
        if (refused.size > 0) {
          this.log?.warn('glossary terms not added', { sessionId: this.sessionId, words: [...refused] });
        }
      }
      for (const term of terms) {
        const kept = this.terms.get(term.key);
        if (kept?.word === term.word) kept.display = term.display;
      }
      // A term no longer in the glossary keeps its dictionary entry and spelling, but no probability.
      const shown = new Map<string, string>();
      for (const term of this.terms.values()) shown.set(term.word, term.display);
      for (const [word, term] of plan.spellings) shown.set(word, term);
      this.shown = shown;
      if (report.missing.length > 0) {
        this.log?.warn('glossary terms left out', {
          sessionId: this.sessionId,
          version: glossary.version,
          noPronunciation: report.missing,
        });
      }
      this.glossaryVersion = glossary.version;
      return this.glossaryVersion;
    });
  }

  /**
   * Replaces the decoder's n-gram search by one over the base model interpolated with a glossary model of `words`,
   * adding `added` to the dictionary in between, while the decoder holds no n-gram search (so no language model is
   * written to). Returns the engine words the dictionary refused. On a failure the decoder falls back to a search
   * over the base model alone.
   */
  private async installGlossaryModel(
    baseModel: Pointer,
    words: readonly string[],
    added: readonly { term: TermWord; phones: string }[],
  ): Promise<Set<string>> {
    const dir = await mkdtemp(join(tmpdir(), 'llt-glossary-'));
    let glossaryModel: Pointer | null;
    try {
      const path = join(dir, 'glossary.arpa');
      await writeFile(path, glossaryArpa(words));
      glossaryModel = await this.api.readArpa(this.decoder, this.config, path);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    if (!glossaryModel) throw new RecognizerError('PocketSphinx: the glossary language model could not be read');
    // The set takes one reference to each model: the base model's is an extra one, as its current search holds it too.
    this.api.retainModel(baseModel);
    const set = await this.api.interpolate(
      this.config,
      [baseModel, glossaryModel],
      ['base', 'glossary'],
      [1 - GLOSSARY_MODEL_WEIGHT, GLOSSARY_MODEL_WEIGHT],
    );
    if (!set) {
      this.api.freeModel(baseModel);
      this.api.freeModel(glossaryModel);
      throw new RecognizerError('PocketSphinx: the glossary language model set could not be built');
    }
    const ended = await this.api.endUtt(this.decoder);
    if (ended < 0) {
      this.api.freeModel(set);
      throw new RecognizerError(`PocketSphinx: ps_end_utt failed (${ended})`);
    }
    const refused = new Set<string>();
    try {
      const previous = this.api.currentSearch(this.decoder);
      if (previous && (await this.api.unsetSearch(this.decoder, previous)) < 0) {
        this.api.freeModel(set);
        throw new RecognizerError(`PocketSphinx: ps_unset_search failed for ${previous}`);
      }
      for (const { term, phones } of added) {
        if ((await this.api.addWord(this.decoder, term.word, phones)) < 0) refused.add(term.word);
      }
      const name = `glossary-${++this.searchCount}`;
      // The new search takes the set; a search that fails to build frees it or leaks it, so it is not freed here.
      // ps_set_lm reports a failure as 1, ps_set_search as -1.
      if ((await this.api.setLm(this.decoder, name, set)) !== 0 || this.api.setSearch(this.decoder, name) !== 0) {
        throw new RecognizerError('PocketSphinx: the glossary search could not be built');
      }
    } catch (error) {
      await this.useBaseModelAlone(baseModel);
      throw error;
    } finally {
      const started = this.api.startUtt(this.decoder);
      if (started < 0) this.log?.error('ps_start_utt failed', { sessionId: this.sessionId, code: started });
    }
    return refused;
  }

  /** A search over the base model alone, for a decoder whose glossary search could not be built. */
  private async useBaseModelAlone(baseModel: Pointer): Promise<void> {
    this.modelWords = [];
    const name = `base-${++this.searchCount}`;
    const previous = this.api.currentSearch(this.decoder);
    if (previous) await this.api.unsetSearch(this.decoder, previous);
    this.api.retainModel(baseModel);
    if ((await this.api.setLm(this.decoder, name, baseModel)) !== 0 || this.api.setSearch(this.decoder, name) !== 0) {
      this.log?.error('PocketSphinx decoder left without a search', { sessionId: this.sessionId });
    }
  }

  /**
   * log10 P(end of sentence | the last two of `words`) by the language model the decoder loaded (a glossary's own
   * model is left out: its terms are unknown here, so an utterance ending in one waits for the whole hangover).
   * Microseconds: runs on the event loop, between two calls on the decoder.
   */
  sentenceEndLogProb(words: readonly string[]): number | undefined {
    if (words.length === 0 || this.released) return undefined;
    if (this.baseModel === undefined) this.baseModel = this.api.baseModel(this.decoder);
    if (!this.baseModel) return undefined;
    const history = words.slice(-2).reverse();
    return this.api.log10Prob(this.decoder, this.baseModel, SENTENCE_END, history);
  }

  write(samples: Int16Array): Promise<Hypothesis> {
    return this.enqueue('write', async () => {
      if (samples.length > 0) {
        const buffer = this.nativeBuffer(samples.length);
        buffer.view.set(samples);
        const frames = await this.api.processRaw(this.decoder, buffer.pointer, samples.length);
        if (frames < 0) throw new RecognizerError(`PocketSphinx: ps_process_raw failed (${frames})`);
      }
      const raw = this.api.hyp(this.decoder, this.score);
      return {
        text: applyGlossarySpelling(cleanHypothesis(raw ?? ''), this.shown),
        inSpeech: this.api.inSpeech(this.decoder),
      };
    });
  }

  finish(): Promise<string> {
    return this.enqueue('finish', async () => {
      const ended = await this.api.endUtt(this.decoder);
      if (ended < 0) throw new RecognizerError(`PocketSphinx: ps_end_utt failed (${ended})`);
      const raw = await this.api.finalHyp(this.decoder, this.score);
      // Same decoder for the next utterance: its cepstral mean stays adapted to this speaker and channel.
      const started = this.api.startUtt(this.decoder);
      if (started < 0) throw new RecognizerError(`PocketSphinx: ps_start_utt failed (${started})`);
      return applyGlossarySpelling(cleanHypothesis(raw ?? ''), this.shown);
    });
  }

  release(): Promise<void> {
    if (!this.released) {
      // Queued behind any call still running on a worker thread: freeing under it would crash the process.
      const done = this.tail.then(async () => {
        if (this.buffer) koffi.free(this.buffer.pointer);
        this.buffer = undefined;
        // ps_init took its own reference to the config; ps_free drops that one, cmd_ln_free_r ours.
        await this.api.free(this.decoder);
        this.api.freeConfig(this.config);
      });
      this.released = done.catch((cause: unknown) => {
        throw new RecognizerError(`PocketSphinx: releasing the decoder of session ${this.sessionId} failed`, {
          cause,
        });
      });
      this.tail = this.released.catch(() => undefined);
    }
    return this.released;
  }

  private enqueue<T>(operation: string, run: () => Promise<T>): Promise<T> {
    if (this.released) {
      return Promise.reject(
        new RecognizerError(`PocketSphinx: ${operation} after release of the stream of session ${this.sessionId}`),
      );
    }
    const result = this.tail.then(run).catch((cause: unknown) => {
      if (cause instanceof RecognizerError) throw cause;
      throw new RecognizerError(`PocketSphinx: ${operation} failed for session ${this.sessionId}`, { cause });
    });
    this.tail = result.catch(() => undefined);
    return result;
  }

  private nativeBuffer(samples: number): { pointer: Pointer; view: Int16Array } {
    if (this.buffer && this.buffer.view.length >= samples) return this.buffer;
    if (this.buffer) koffi.free(this.buffer.pointer);
    this.buffer = undefined;
    const length = Math.max(samples, INITIAL_BUFFER_SAMPLES);
    const pointer: Pointer = koffi.alloc('int16_t', length);
    this.buffer = { pointer, view: new Int16Array(koffi.view(pointer, length * Int16Array.BYTES_PER_ELEMENT)) };
    return this.buffer;
  }
}

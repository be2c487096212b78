// Spoken test corpus: flite voices reading the reference sentences into 16 kHz mono WAVs, with text and manifest.
//
//   node --import tsx test/corpus/generate.ts [--out DIR] [--set short|long|glossary|hard|noisy] [--voices slt,rms]
//                                             [--per-voice 10] [--lead-ms 300] [--tail-ms 300]
//
// --out defaults to the set's own directory (CORPUS_SETS; .llt/corpus for short). The sets hard and noisy (long
// sentences, LibriVox read speech, room noise at 10–20 dB SNR) are made by hard.ts, whose header describes them.
//
// Writes DIR/NAME.wav (16 kHz mono s16le), DIR/NAME.txt (the reference sentence) for NAME = VOICE-NN (long-VOICE-NN,
// glossary-VOICE-NN for the other sets), and DIR/manifest.json. Files already there with the same text (and the
// same words spoken) are kept, so rerunning it is cheap.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import { readWav, toMono16k, writeWav } from '@llt/cli';
import { type GlossaryEntry, parseGlossaryCsv } from '@llt/events';
import { speakTerms } from '../support/glossary-terms.ts';
import { GLOSSARY_SENTENCES, LONG_SENTENCES, SENTENCES } from './sentences.ts';

const run = promisify(execFile);

/** What the recogniser is fed: the product streams 16 kHz mono s16, so the corpus is stored that way. */
export const CORPUS_SAMPLE_RATE = 16_000;

export const DEFAULT_VOICES: readonly string[] = ['slt', 'rms', 'awb', 'kal16'];

/** The session glossary of the `glossary` set: its terms, how they are said, and two places' Spanish/Catalan names. */
export const GLOSSARY_CSV = fileURLToPath(new URL('./glossary.csv', import.meta.url));

interface CorpusSet {
  dir: string;
  sentences: readonly string[];
  perVoice: number;
  namePrefix: string;
  /** A glossary CSV (parseGlossaryCsv) for the set's names and terms: the voices say each term as its spoken form. */
  glossary?: string;
}

/**
 * The project's spoken corpora; with the four default voices each speaks every sentence of its set once.
 * `short`: the forty everyday sentences, ten per voice (what the benchmarks have always streamed). `long`: the
 * twelve long utterances of 8–15 s, three per voice. `glossary`: twenty sentences naming people, products and
 * places the recogniser does not know, five per voice, with the glossary that names them. Names carry a prefix
 * per set so that sets can be streamed in one run without two files of the same name.
 */
export const CORPUS_SETS = {
  short: { dir: '.llt/corpus', sentences: SENTENCES, perVoice: 10, namePrefix: '' },
  long: { dir: '.llt/corpus-long', sentences: LONG_SENTENCES, perVoice: 3, namePrefix: 'long-' },
  glossary: {
    dir: '.llt/corpus-glossary',
    sentences: GLOSSARY_SENTENCES,
    perVoice: 5,
    namePrefix: 'glossary-',
    glossary: GLOSSARY_CSV,
  },
} as const satisfies Record<string, CorpusSet>;
export type CorpusSetName = keyof typeof CORPUS_SETS;

/** The glossary file of set `name`, if it has one. */
export function corpusSetGlossaryFile(name: CorpusSetName): string | undefined {
  const set: CorpusSet = CORPUS_SETS[name];
  return set.glossary;
}

/** Reads and checks a glossary CSV; every problem is reported with its line. */
export function readGlossaryCsv(path: string): GlossaryEntry[] {
  const parsed = parseGlossaryCsv(readFileSync(path, 'utf8'));
  if ('glossary' in parsed) return parsed.glossary;
  throw new Error(
    `${path} is not a valid glossary:\n${parsed.errors.map((e) => `  line ${e.line}: ${e.message}`).join('\n')}`,
  );
}

/** Options that generate set `name` with `voices` (`perVoice` sentences each, the set's own number if not given). */
export function corpusSetOptions(name: CorpusSetName, voices: readonly string[], perVoice?: number): CorpusOptions {
  const set: CorpusSet = CORPUS_SETS[name];
  const glossary = set.glossary === undefined ? undefined : readGlossaryCsv(set.glossary);
  return {
    voices,
    sentences: set.sentences,
    namePrefix: set.namePrefix,
    sentencesPerVoice: perVoice ?? set.perVoice,
    ...(glossary ? { voiceText: (text: string) => speakTerms(text, glossary) } : {}),
  };
}

export interface CorpusOptions {
  /** flite voice names (`flite -lv`). Defaults to the four 16 kHz general-purpose voices. */
  voices?: readonly string[];
  sentencesPerVoice?: number;
  /** Silence before the speech, so a recogniser's voice activity detection sees the speech begin. */
  leadSilenceMs?: number;
  /** Silence after it, so end-of-utterance detection has a pause to find. */
  tailSilenceMs?: number;
  /** Defaults to SENTENCES (see CORPUS_SETS for the others). */
  sentences?: readonly string[];
  /** Put before every file name (`long-` gives long-slt-01). */
  namePrefix?: string;
  /**
   * What the voice reads for a sentence, when not the sentence itself: names said the way their glossary says
   * them, as a speaker who knows them would (flite spells out "Nguyen" and misreads "Aoife").
   */
  voiceText?: (sentence: string) => string;
}

export interface CorpusEntry {
  name: string;
  voice: string;
  text: string;
  /** What the voice read, where it is not `text` (see CorpusOptions.voiceText). */
  spoken?: string;
  /** Length of the WAV, padding included. */
  durationMs: number;
  leadSilenceMs: number;
  tailSilenceMs: number;
}

export interface CorpusResult {
  dir: string;
  /** Also written to DIR/manifest.json, in voice order, then sentence order. */
  entries: CorpusEntry[];
  /** Names whose files were (re)written by this call. */
  written: string[];
  /** Names whose files were already there with the same text and padding. */
  cached: string[];
}

export async function generateCorpus(dir: string, options: CorpusOptions = {}): Promise<CorpusResult> {
  const {
    voices = DEFAULT_VOICES,
    sentencesPerVoice = 10,
    leadSilenceMs = 300,
    tailSilenceMs = 300,
    sentences = SENTENCES,
    namePrefix = '',
    voiceText = (sentence: string) => sentence,
  } = options;
  validate(voices, sentencesPerVoice, leadSilenceMs, tailSilenceMs, sentences);
  if (!/^[a-z0-9_-]*$/.test(namePrefix)) throw new Error(`generateCorpus: "${namePrefix}" is not a file name prefix`);
  await assertVoicesInstalled(voices);
  mkdirSync(dir, { recursive: true });

  const manifestPath = join(dir, 'manifest.json');
  const previous = readManifest(manifestPath);
  const plan = planCorpus(voices, sentencesPerVoice, sentences, namePrefix);
  const scratch = mkdtempSync(join(tmpdir(), 'llt-corpus-'));
  const written: string[] = [];
  const cached: string[] = [];
  try {
    const entries = await mapLimited(plan, availableParallelism(), async ({ name, voice, text }) => {
      const wavPath = join(dir, `${name}.wav`);
      const txtPath = join(dir, `${name}.txt`);
      const before = previous.get(name);
      const spoken = voiceText(text);
      const made = (samples: number) =>
        entry(name, voice, text, samples, leadSilenceMs, tailSilenceMs, spoken === text ? undefined : spoken);
      // The text file is the cache key: it is written only after its WAV is complete, so a matching one means
      // the WAV beside it speaks that text. Padding and the words spoken are not in the file names, hence the
      // manifest check; an entry missing from the manifest (it was deleted) is trusted rather than regenerated.
      const sameAudio =
        !before ||
        (before.leadSilenceMs === leadSilenceMs &&
          before.tailSilenceMs === tailSilenceMs &&
          (before.spoken ?? before.text) === spoken);
      if (sameAudio && existsSync(wavPath) && readText(txtPath) === text) {
        cached.push(name);
        return made(readWav(wavPath).samples.length);
      }
      const speech = await renderFlite(voice, spoken, join(scratch, `${name}.wav`));
      const lead = Math.round((leadSilenceMs * CORPUS_SAMPLE_RATE) / 1000);
      const tail = Math.round((tailSilenceMs * CORPUS_SAMPLE_RATE) / 1000);
      const samples = new Int16Array(lead + speech.length + tail);
      samples.set(speech, lead);
      // Written beside the target and renamed so that an interrupted run never leaves a half WAV under its name.
      const partial = `${wavPath}.partial`;
      writeWav(partial, samples, CORPUS_SAMPLE_RATE);
      renameSync(partial, wavPath);
      writeFileSync(txtPath, text);
      written.push(name);
      return made(samples.length);
    });
    return finishCorpus(dir, manifestPath, plan, entries, written, cached);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/**
 * Voice v reads sentences v·N … v·N+N−1 (wrapping around the list), so with the defaults (4 × 10 of 40) every
 * sentence is spoken exactly once and each voice's subset is different; more voices × sentences than the list
 * holds only then repeats sentences, in other voices. Names count from 01 within each voice, after `namePrefix`.
 */
export function planCorpus(
  voices: readonly string[],
  sentencesPerVoice: number,
  sentences: readonly string[] = SENTENCES,
  namePrefix = '',
): { name: string; voice: string; text: string }[] {
  const digits = Math.max(2, String(sentencesPerVoice).length);
  return voices.flatMap((voice, v) =>
    Array.from({ length: sentencesPerVoice }, (_, s) => ({
      name: `${namePrefix}${voice}-${String(s + 1).padStart(digits, '0')}`,
      voice,
      text: sentences[(v * sentencesPerVoice + s) % sentences.length]!,
    })),
  );
}

function validate(
  voices: readonly string[],
  perVoice: number,
  leadMs: number,
  tailMs: number,
  sentences: readonly string[],
): void {
  if (voices.length === 0) throw new Error('generateCorpus: no voices given');
  if (new Set(voices).size !== voices.length)
    throw new Error(`generateCorpus: duplicate voices in ${voices.join(',')}`);
  // Voice names become file names, and flite takes anything else (a path, a URL) as a voice file to load.
  const bad = voices.find((voice) => !/^[a-z0-9_]+$/.test(voice));
  if (bad !== undefined) throw new Error(`generateCorpus: "${bad}" is not a flite voice name`);
  if (!Number.isInteger(perVoice) || perVoice < 1) {
    throw new Error(`generateCorpus: sentencesPerVoice must be a positive integer, got ${perVoice}`);
  }
  for (const [label, ms] of [
    ['leadSilenceMs', leadMs],
    ['tailSilenceMs', tailMs],
  ] as const) {
    if (!Number.isFinite(ms) || ms < 0) throw new Error(`generateCorpus: ${label} must be ≥ 0, got ${ms}`);
  }
  if (sentences.length === 0) throw new Error('generateCorpus: no sentences given');
}

/** What flite `voice` says for `text`, as 16 kHz mono s16 without padding; `scratch` is a WAV path it may use. */
export async function renderFlite(voice: string, text: string, scratch: string): Promise<Int16Array> {
  await run('flite', ['-voice', voice, '-t', text, '-o', scratch]);
  return toMono16k(readWav(scratch));
}

/** flite silently falls back to its default 8 kHz voice for a name it does not know, so ask it first. */
export async function assertVoicesInstalled(voices: readonly string[]): Promise<void> {
  let listing: string;
  try {
    listing = (await run('flite', ['-lv'])).stdout;
  } catch (cause) {
    throw new Error('generateCorpus: cannot run flite; install the Debian package (scripts/setup.sh does)', {
      cause,
    });
  }
  const installed = new Set(listing.replace(/^.*?:/, '').trim().split(/\s+/));
  const missing = voices.filter((voice) => !installed.has(voice));
  if (missing.length > 0) {
    throw new Error(`generateCorpus: flite has no voice ${missing.join(', ')}; it has ${[...installed].join(', ')}`);
  }
}

function entry(
  name: string,
  voice: string,
  text: string,
  samples: number,
  leadSilenceMs: number,
  tailSilenceMs: number,
  spoken: string | undefined,
): CorpusEntry {
  const durationMs = Math.round((samples * 1000) / CORPUS_SAMPLE_RATE);
  return { name, voice, text, ...(spoken === undefined ? {} : { spoken }), durationMs, leadSilenceMs, tailSilenceMs };
}

/**
 * Writes a set's manifest (only when it changed, so a cached set leaves the file alone) and says what was written and
 * what was kept, in plan order.
 */
export function finishCorpus<E>(
  dir: string,
  manifestPath: string,
  plan: readonly { name: string }[],
  entries: E[],
  written: string[],
  cached: string[],
): { dir: string; entries: E[]; written: string[]; cached: string[] } {
  const manifest = `${JSON.stringify(entries, null, 2)}\n`;
  if (readText(manifestPath) !== manifest) writeFileSync(manifestPath, manifest);
  const order = new Map(plan.map(({ name }, index) => [name, index]));
  const byPlan = (a: string, b: string) => order.get(a)! - order.get(b)!;
  return { dir, entries, written: written.sort(byPlan), cached: cached.sort(byPlan) };
}

export function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

function readManifest(path: string): Map<string, CorpusEntry> {
  const text = readText(path);
  if (text === undefined) return new Map();
  try {
    const entries = JSON.parse(text) as CorpusEntry[];
    return new Map(Array.isArray(entries) ? entries.map((e) => [e.name, e]) : []);
  } catch {
    // A damaged manifest only costs the padding check; the text files still decide what is cached.
    return new Map();
  }
}

/** Like Promise.all over items.map(fn) with at most `limit` calls in flight, results in input order. */
export async function mapLimited<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      out: { type: 'string' },
      set: { type: 'string', default: 'short' },
      voices: { type: 'string' },
      'per-voice': { type: 'string' },
      'lead-ms': { type: 'string' },
      'tail-ms': { type: 'string' },
    },
    strict: true,
  });
  const usage =
    'usage: node --import tsx test/corpus/generate.ts [--out DIR] [--set short|long|glossary|hard|noisy] [--voices slt,rms] [--per-voice 10] [--lead-ms 300] [--tail-ms 300]';
  const lead = values['lead-ms'] === undefined ? undefined : Number(values['lead-ms']);
  const tail = values['tail-ms'] === undefined ? undefined : Number(values['tail-ms']);
  // The harder sets (hard.ts) have fixed compositions: no voices or numbers per voice to choose.
  const hard = await import('./hard.ts');
  if (hard.isHardCorpusSet(values.set)) {
    if (values.voices !== undefined || values['per-voice'] !== undefined) {
      throw new Error(`--set ${values.set} has a fixed composition: no --voices or --per-voice\n${usage}`);
    }
    const dir = resolve(values.out ?? hard.HARD_CORPUS_SETS[values.set].dir);
    const result = await hard.generateHardCorpusSet(values.set, {
      dir,
      ...(lead === undefined ? {} : { leadSilenceMs: lead }),
      ...(tail === undefined ? {} : { tailSilenceMs: tail }),
    });
    printCorpus(dir, result);
    for (const line of hard.describeComposition(result.entries)) console.log(`  ${line}`);
    return;
  }
  if (!(values.set in CORPUS_SETS)) {
    throw new Error(
      `--set is one of ${[...Object.keys(CORPUS_SETS), ...Object.keys(hard.HARD_CORPUS_SETS)].join(', ')}\n${usage}`,
    );
  }
  const voices = values.voices?.split(',').filter((voice) => voice !== '') ?? DEFAULT_VOICES;
  const perVoice = values['per-voice'] === undefined ? undefined : Number(values['per-voice']);
  const options = corpusSetOptions(values.set as CorpusSetName, voices, perVoice);
  if (lead !== undefined) options.leadSilenceMs = lead;
  if (tail !== undefined) options.tailSilenceMs = tail;

  const dir = resolve(values.out ?? CORPUS_SETS[values.set as CorpusSetName].dir);
  printCorpus(dir, await generateCorpus(dir, options));
}

function printCorpus(
  dir: string,
  { entries, written, cached }: { entries: readonly CorpusEntry[]; written: string[]; cached: string[] },
): void {
  const fresh = new Set(written);
  const width = Math.max(...entries.map(({ name }) => name.length));
  for (const { name, durationMs, text } of entries) {
    const status = fresh.has(name) ? 'wrote ' : 'cached';
    console.log(
      `${status} ${`${name}.wav`.padEnd(width + 4)} ${(durationMs / 1000).toFixed(2).padStart(6)} s  ${text}`,
    );
  }
  const totalMs = entries.reduce((sum, { durationMs }) => sum + durationMs, 0);
  console.log(
    `${entries.length} utterances (${written.length} written, ${cached.length} cached), ` +
      `${(totalMs / 1000).toFixed(1)} s of audio, manifest ${join(dir, 'manifest.json')}`,
  );
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  });
}

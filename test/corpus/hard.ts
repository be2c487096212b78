// The harder spoken corpora: long flite sentences, a human reader (Debian's pocketsphinx-testdata LibriVox clips)
// and speech with room noise under it at 10–20 dB SNR (noise.ts), in the format of generate.ts (16 kHz mono s16
// NAME.wav, NAME.txt with the reference, DIR/manifest.json).
//
//   node --import tsx test/corpus/generate.ts --out DIR --set hard|noisy [--lead-ms 300] [--tail-ms 300]
//
// Sets (fixed compositions, so that figures compare across runs; --voices and --per-voice do not apply):
// - `hard` (.llt/corpus-hard, names hard-…): 25 utterances for the end-to-end benchmark. Six long sentences clean,
//   six long ones with noise (two each at 10, 15 and 20 dB), eight everyday sentences with noise (10/15/20 dB in
//   turn), three LibriVox clips clean and the other two with noise (15 and 10 dB); no text is spoken twice. The
//   groups are spread through each other in the stream order.
// - `noisy` (.llt/corpus-noisy): the same speech clean and at 15 dB, for word error with and without noise. Each
//   flite voice reads five everyday sentences (clean-slt-01 … and noisy15-slt-01 …), and the five LibriVox clips
//   (clean-librivox-0870 … and noisy15-librivox-0870 …). 50 utterances.
//
// The noise covers each noisy file from end to end, its 300 ms of padding included (fading in and out over 50 ms),
// at the SNR against the speech's active level (noise.ts: P.56-style, pauses and padding left out). The benchmarks
// put silence between files (test/support/timeline.ts), so in a stream the noise stops between utterances.
//
// Every entry says where its speech lies (`speech`, measured on the clean audio: the noise would hide it from a
// level threshold), its group (`flite clean`, `flite 15 dB`, `librivox clean`, …) and its SNR. A noisy file's name
// starts `noisy` + its SNR. Files whose manifest entry (recipe) is unchanged are kept, so rerunning is cheap.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { readWav, writeWav } from '@llt/cli';
import { voicedSpan } from '../support/audio.ts';
import {
  assertVoicesInstalled,
  CORPUS_SAMPLE_RATE,
  type CorpusEntry,
  DEFAULT_VOICES,
  finishCorpus,
  mapLimited,
  readText,
  renderFlite,
} from './generate.ts';
import { activeSpeechPower, mixRoomNoise, NOISE_KIND, powerDbfs, seedOf } from './noise.ts';
import { LONG_SENTENCES, SENTENCES } from './sentences.ts';

const run = promisify(execFile);

/** Debian's pocketsphinx-testdata: five clips (3–7 s) of one LibriVox reader, Sense and Sensibility, 16 kHz. */
export const LIBRIVOX_DIR = '/usr/share/pocketsphinx/test/data/librivox';

export type Source = { kind: 'flite'; voice: string; text: string } | { kind: 'librivox'; fileid: string };

export interface PlannedUtterance {
  name: string;
  source: Source;
  /** Room noise at this SNR (dB); clean when absent. */
  snrDb?: number;
}

export interface HardCorpusEntry extends CorpusEntry {
  source: 'flite' | 'librivox';
  /** `flite clean`, `flite 15 dB`, `librivox clean`, …: what the benchmarks report word error by. */
  group: string;
  /** The clip the speech comes from: the flite voice, or the LibriVox file. */
  origin: string;
  /** First and last voiced sample of the file (voicedSpan of the clean audio, padding included). */
  speech: { first: number; last: number };
  /** Active speech level (noise.ts activeSpeechPower), dBFS. */
  speechDbfs: number;
  snrDb?: number;
  /** The added noise: its kind (NOISE_KIND), mean power in dBFS, and the mix's scaling against clipping. */
  noise?: { kind: string; dbfs: number; scaledBy: number };
}

export interface HardCorpusResult {
  dir: string;
  entries: HardCorpusEntry[];
  written: string[];
  cached: string[];
}

/** The LibriVox clips' reference transcripts by file id (`<s> words </s> (fileid)` lines). */
export function librivoxTranscripts(dir = LIBRIVOX_DIR): Map<string, string> {
  const text = readText(join(dir, 'transcription'));
  if (text === undefined) {
    throw new Error(`${dir}/transcription not found: install pocketsphinx-testdata (scripts/setup.sh does)`);
  }
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    const match = /^\s*(?:<s>)?\s*(.*?)\s*(?:<\/s>)?\s*\(([^()\s]+)\)\s*$/.exec(line);
    if (match) out.set(match[2]!, match[1]!.replace(/\s+/g, ' '));
  }
  return out;
}

/** The short id of a LibriVox clip in file names (the last four digits: 0870). */
const clipId = (fileid: string) => fileid.slice(-4);

const SNRS = [10, 15, 20] as const;

function librivoxIds(): string[] {
  return [...librivoxTranscripts().keys()].sort();
}

/** The `hard` set's utterances in stream order (see the header). */
export function planHardSet(voices: readonly string[] = DEFAULT_VOICES, ids = librivoxIds()): PlannedUtterance[] {
  const counter = new Map<string, number>();
  const numbered = (stem: string) => {
    const n = (counter.get(stem) ?? 0) + 1;
    counter.set(stem, n);
    return `${stem}-${String(n).padStart(2, '0')}`;
  };
  const voiceAt = (i: number) => voices[i % voices.length]!;
  const flite = (stem: string, voice: string, text: string, snrDb?: number): PlannedUtterance => ({
    name: numbered(`hard-${snrDb === undefined ? '' : `noisy${snrDb}-`}${stem}${voice}`),
    source: { kind: 'flite', voice, text },
    ...(snrDb === undefined ? {} : { snrDb }),
  });
  const librivox = (fileid: string, snrDb?: number): PlannedUtterance => ({
    name: `hard-${snrDb === undefined ? '' : `noisy${snrDb}-`}librivox-${clipId(fileid)}`,
    source: { kind: 'librivox', fileid },
    ...(snrDb === undefined ? {} : { snrDb }),
  });
  const snrAt = (i: number) => SNRS[i % SNRS.length]!;
  const longClean = LONG_SENTENCES.slice(0, 6).map((text, i) => flite('long-', voiceAt(i), text));
  const longNoisy = LONG_SENTENCES.slice(6, 12).map((text, i) => flite('long-', voiceAt(i + 6), text, snrAt(i)));
  const shortNoisy = SENTENCES.slice(20, 28).map((text, i) => flite('', voiceAt(i), text, snrAt(i)));
  // The three longest clips clean (0870, 0890, 0920 of pocketsphinx-testdata), the other two (0880, 0930) in noise.
  const present = (list: (string | undefined)[]) => list.filter((id): id is string => id !== undefined);
  const librivoxClean = present([ids[0], ids[2], ids[3]]).map((fileid) => librivox(fileid));
  const librivoxNoisy = present([ids[1], ids[4]]).map((fileid, i) => librivox(fileid, i === 0 ? 15 : 10));
  return spreadThrough([longClean, longNoisy, shortNoisy, librivoxClean, librivoxNoisy]);
}

/** The `noisy` set: five sentences per voice and every LibriVox clip, each clean and at `snrDb`. */
export function planNoisySet(
  voices: readonly string[] = DEFAULT_VOICES,
  ids = librivoxIds(),
  snrDb = 15,
  perVoice = 5,
): PlannedUtterance[] {
  const flite = voices.flatMap((voice, v) =>
    Array.from({ length: perVoice }, (_, s) => ({
      stem: `${voice}-${String(s + 1).padStart(2, '0')}`,
      source: { kind: 'flite', voice, text: SENTENCES[(v * perVoice + s) % SENTENCES.length]! } as Source,
    })),
  );
  const librivox = ids.map((fileid) => ({
    stem: `librivox-${clipId(fileid)}`,
    source: { kind: 'librivox', fileid } as Source,
  }));
  const all = [...flite, ...librivox];
  return [
    ...all.map(({ stem, source }) => ({ name: `clean-${stem}`, source })),
    ...all.map(({ stem, source }) => ({ name: `noisy${snrDb}-${stem}`, source, snrDb })),
  ];
}

/** Lists merged so that each one's items are spread evenly through the others', each keeping its order. */
export function spreadThrough<T>(lists: readonly (readonly T[])[]): T[] {
  return lists
    .flatMap((list, from) => list.map((item, i) => ({ item, at: (i + 0.5) / list.length, from })))
    .sort((a, b) => a.at - b.at || a.from - b.from)
    .map(({ item }) => item);
}

export const HARD_CORPUS_SETS = {
  hard: { dir: '.llt/corpus-hard', plan: () => planHardSet() },
  noisy: { dir: '.llt/corpus-noisy', plan: () => planNoisySet() },
} as const;
export type HardCorpusSetName = keyof typeof HARD_CORPUS_SETS;

export function isHardCorpusSet(name: string): name is HardCorpusSetName {
  return Object.hasOwn(HARD_CORPUS_SETS, name);
}

/** Generates set `name` into its directory (or `dir`). */
export function generateHardCorpusSet(
  name: HardCorpusSetName,
  options: { dir?: string; leadSilenceMs?: number; tailSilenceMs?: number } = {},
): Promise<HardCorpusResult> {
  const set = HARD_CORPUS_SETS[name];
  return generateHardCorpus(options.dir ?? set.dir, set.plan(), options);
}

/** Writes `plan` into `dir` (NAME.wav, NAME.txt, manifest.json), keeping the files whose recipe is unchanged. */
export async function generateHardCorpus(
  dir: string,
  plan: readonly PlannedUtterance[],
  { leadSilenceMs = 300, tailSilenceMs = 300 }: { leadSilenceMs?: number; tailSilenceMs?: number } = {},
): Promise<HardCorpusResult> {
  for (const [label, ms] of [
    ['leadSilenceMs', leadSilenceMs],
    ['tailSilenceMs', tailSilenceMs],
  ] as const) {
    if (!Number.isFinite(ms) || ms < 0) throw new Error(`generateHardCorpus: ${label} must be ≥ 0, got ${ms}`);
  }
  const names = new Set(plan.map((p) => p.name));
  if (names.size !== plan.length) throw new Error('generateHardCorpus: two utterances share a name');
  const bad = plan.find((p) => !/^[a-z0-9_-]+$/.test(p.name));
  if (bad) throw new Error(`generateHardCorpus: "${bad.name}" is not a file name`);
  const voices = [...new Set(plan.flatMap((p) => (p.source.kind === 'flite' ? [p.source.voice] : [])))];
  if (voices.length) await assertVoicesInstalled(voices);
  const transcripts = plan.some((p) => p.source.kind === 'librivox') ? librivoxTranscripts() : new Map();
  await assertSox(plan);
  mkdirSync(dir, { recursive: true });

  const manifestPath = join(dir, 'manifest.json');
  const previous = readHardManifest(manifestPath);
  const scratch = mkdtempSync(join(tmpdir(), 'llt-corpus-hard-'));
  const lead = Math.round((leadSilenceMs * CORPUS_SAMPLE_RATE) / 1000);
  const tail = Math.round((tailSilenceMs * CORPUS_SAMPLE_RATE) / 1000);
  // The clean, padded audio of each source, made once however many files use it.
  const cleanAudio = new Map<string, Promise<Int16Array>>();
  const clean = (source: Source, scratchName: string) => {
    const key = JSON.stringify(source);
    let audio = cleanAudio.get(key);
    if (!audio) {
      audio =
        source.kind === 'flite'
          ? renderFlite(source.voice, source.text, join(scratch, `${scratchName}.wav`)).then((speech) => {
              const padded = new Int16Array(lead + speech.length + tail);
              padded.set(speech, lead);
              return padded;
            })
          : soxPadded(join(LIBRIVOX_DIR, `${source.fileid}.wav`), join(scratch, `${scratchName}.wav`), lead, tail);
      cleanAudio.set(key, audio);
    }
    return audio;
  };

  const written: string[] = [];
  const cached: string[] = [];
  try {
    const entries = await mapLimited(plan, availableParallelism(), async (p): Promise<HardCorpusEntry> => {
      const text = p.source.kind === 'flite' ? p.source.text : transcripts.get(p.source.fileid);
      if (text === undefined) throw new Error(`generateHardCorpus: no transcript for LibriVox clip ${p.name}`);
      const origin = p.source.kind === 'flite' ? p.source.voice : `librivox/${p.source.fileid}.wav`;
      const voice = p.source.kind === 'flite' ? p.source.voice : 'librivox';
      const recipe = { voice, text, origin, leadSilenceMs, tailSilenceMs, snrDb: p.snrDb, noise: noiseKind(p) };
      const wavPath = join(dir, `${p.name}.wav`);
      const txtPath = join(dir, `${p.name}.txt`);
      const before = previous.get(p.name);
      if (before && sameRecipe(before, recipe) && existsSync(wavPath) && readText(txtPath) === text) {
        cached.push(p.name);
        const durationMs = Math.round((readWav(wavPath).samples.length * 1000) / CORPUS_SAMPLE_RATE);
        return { ...before, durationMs };
      }
      const speech = await clean(p.source, p.name);
      const span = voicedSpan(speech);
      if (!span) throw new Error(`generateHardCorpus: ${p.name} holds no speech`);
      const mix = p.snrDb === undefined ? undefined : mixRoomNoise(speech, p.snrDb, seedOf(p.name));
      const samples = mix?.samples ?? speech;
      const partial = `${wavPath}.partial`;
      writeWav(partial, samples, CORPUS_SAMPLE_RATE);
      renameSync(partial, wavPath);
      writeFileSync(txtPath, text);
      written.push(p.name);
      const condition = p.snrDb === undefined ? 'clean' : `${p.snrDb} dB`;
      return {
        name: p.name,
        voice,
        text,
        durationMs: Math.round((samples.length * 1000) / CORPUS_SAMPLE_RATE),
        leadSilenceMs,
        tailSilenceMs,
        source: p.source.kind,
        group: `${p.source.kind} ${condition}`,
        origin,
        speech: span,
        speechDbfs: mix?.speechDbfs ?? powerDbfs(activeSpeechPower(speech)),
        ...(mix && p.snrDb !== undefined
          ? { snrDb: p.snrDb, noise: { kind: NOISE_KIND, dbfs: mix.noiseDbfs, scaledBy: mix.scaledBy } }
          : {}),
      };
    });
    return finishCorpus(dir, manifestPath, plan, entries, written, cached);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

function noiseKind(p: PlannedUtterance): string | undefined {
  return p.snrDb === undefined ? undefined : NOISE_KIND;
}

function sameRecipe(
  before: HardCorpusEntry,
  recipe: {
    voice: string;
    text: string;
    origin: string;
    leadSilenceMs: number;
    tailSilenceMs: number;
    snrDb: number | undefined;
    noise: string | undefined;
  },
): boolean {
  return (
    before.voice === recipe.voice &&
    before.text === recipe.text &&
    before.origin === recipe.origin &&
    before.leadSilenceMs === recipe.leadSilenceMs &&
    before.tailSilenceMs === recipe.tailSilenceMs &&
    before.snrDb === recipe.snrDb &&
    before.noise?.kind === recipe.noise &&
    before.speech !== undefined
  );
}

/** `input` as 16 kHz mono s16 with `lead` and `tail` samples of silence around it (sox, no dither). */
async function soxPadded(input: string, scratch: string, lead: number, tail: number): Promise<Int16Array> {
  await run('sox', [
    '-D',
    input,
    '-r',
    '16000',
    '-c',
    '1',
    '-b',
    '16',
    '-e',
    'signed-integer',
    scratch,
    'pad',
    `${lead}s`,
    `${tail}s`,
  ]);
  const wav = readWav(scratch);
  if (wav.sampleRate !== CORPUS_SAMPLE_RATE || wav.channels !== 1) {
    throw new Error(`sox made ${wav.sampleRate} Hz × ${wav.channels} of ${input}; 16 kHz mono expected`);
  }
  return wav.samples;
}

async function assertSox(plan: readonly PlannedUtterance[]): Promise<void> {
  if (!plan.some((p) => p.source.kind === 'librivox')) return;
  try {
    await run('sox', ['--version']);
  } catch (cause) {
    throw new Error('generateHardCorpus: cannot run sox; install the Debian package (scripts/setup.sh does)', {
      cause,
    });
  }
}

function readHardManifest(path: string): Map<string, HardCorpusEntry> {
  const text = readText(path);
  if (text === undefined) return new Map();
  try {
    const entries = JSON.parse(text) as HardCorpusEntry[];
    return new Map(Array.isArray(entries) ? entries.map((e) => [e.name, e]) : []);
  } catch {
    return new Map(); // everything is remade
  }
}

/** Seconds of audio per group (for printing a set's composition). */
export function describeComposition(entries: readonly HardCorpusEntry[]): string[] {
  const groups = new Map<string, HardCorpusEntry[]>();
  for (const e of entries) groups.set(e.group, [...(groups.get(e.group) ?? []), e]);
  return [...groups].map(([group, es]) => {
    const seconds = es.map((e) => (e.speech.last + 1 - e.speech.first) / CORPUS_SAMPLE_RATE);
    return `${group}: ${es.length} utterances, speech ${Math.min(...seconds).toFixed(1)}–${Math.max(...seconds).toFixed(1)} s, ${seconds.reduce((a, b) => a + b, 0).toFixed(1)} s in all`;
  });
}

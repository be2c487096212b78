// Benchmark: the whole system end to end, as listeners see it. One speaker streams a corpus of utterances back
// to back at real time (with a gap of silence between them) into one session; N listeners, spread round-robin
// over the target languages, receive the captions and audio. Measured from the end of speech (the clock time
// the frame holding the utterance's last voiced sample was sent), per listener: the source caption (final),
// the translated caption, the translated audio URL, and that audio fetched in full (a segment's speech may come
// in parts, clauses first: these two are timed on the part that ends it, every part is fetched, and a duplicate
// is the same part twice). Also the word error rate of the final source transcript, expected/received/missing/
// duplicated message counts, and the server's own figures (GET /internal/stats). Targets are printed beside the
// figures; missing them does not fail the run, only failing to run does.
//
// Simultaneity, per listener and utterance (simultaneity.ts): every translated caption the listener is shown,
// provisional or final, timed against the utterance's speech on the capture clock: LAAL, the ending offset
// (final translated caption − end of speech), the complete offset (every word of the final caption on screen for
// good − end of speech: earlier than the ending offset when a provisional caption already showed them all),
// normalized erasure, and the first translated audio's lag (any part).
//
// Session glossary, when the corpus has one (--corpus-set glossary, or --glossary-file): term recall in the final
// source transcript (the term as the glossary writes it, whole words, any case, in the final source caption of the
// utterance that says it) and in each language's final translated caption (the glossary's target form for the
// language, else the term), per listener and utterance; the WER of the other words (test/support/glossary-terms.ts);
// and end of speech → final translated caption. --glossary on creates the session with the glossary; off (the
// default) measures the same figures without it.
//
//   npm run bench:e2e -- [--corpus DIR | --corpus-set short|long|mixed|glossary|hard|noisy]
//                        [--voices slt,rms,awb,kal16 --per-voice N] [--langs es,ca,gl,eo]
//                        [--listeners 8] [--url http://127.0.0.1:8080] [--gap-ms 1500] [--frame-ms 100]
//                        [--settle-ms 5000] [--lambda sticky|random] [--lambda-seed N] [--lambda-recycle N]
//                        [--provisional on|off] [--glossary on|off] [--glossary-file FILE.csv]
//                        [--baseline FILE.json] [--out bench-results/e2e.json]
//
// --lambda chooses how the started system routes invocations to the functions' execution environments
// (LLT_LAMBDA_POLICY; random spreads them and recycles environments, as Lambda may).
//
// Without --corpus the project corpus is generated (test/corpus/generate.ts): --corpus-set short (the default,
// what this benchmark has always streamed) is the forty everyday sentences in .llt/corpus, --per-voice per voice;
// long the twelve utterances of 8–15 s in .llt/corpus-long; mixed both, the long ones spread evenly through the
// short ones; glossary the twenty sentences naming people, products and places in .llt/corpus-glossary, with
// test/corpus/glossary.csv. --per-voice defaults to the set's own (10, 3, 5). hard (.llt/corpus-hard) is the
// harder mix of test/corpus/hard.ts: long sentences, a human reader (LibriVox) and speech in room noise at
// 10–20 dB SNR, 25 utterances (`npm run bench:e2e:hard` runs it with --langs es,ca,gl,eo --listeners 40); noisy
// (.llt/corpus-noisy) the same speech clean and at 15 dB. Both have fixed compositions (no --voices or
// --per-voice). With --corpus, every NAME.wav
// (16 kHz mono s16) with a NAME.txt beside it is streamed, in name order. Without --url the local system is
// started as its own process. --baseline FILE.json prints a previous run's simultaneity and glossary figures
// beside this one's (the same corpus with a feature off, say). --provisional off starts the system without
// translation while the speaker talks (LLT_PROVISIONAL_TRANSLATION=off): the sentence-final figures;
// `npm run bench:simultaneity` runs off then on, in one sitting, and prints them side by side;
// `npm run bench:glossary` does the same with the session glossary.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { createSession, ListenerClient, SpeakerClient, sampleTime } from '@llt/cli';
import type { GlossaryEntry, ServerMessage } from '@llt/events';
import {
  CORPUS_SETS,
  type CorpusSetName,
  corpusSetGlossaryFile,
  corpusSetOptions,
  generateCorpus,
  readGlossaryCsv,
} from '../corpus/generate.ts';
import { generateHardCorpusSet, isHardCorpusSet } from '../corpus/hard.ts';
import { type EventTap, tapEvents } from '../support/bus-events.ts';
import { interleave, type LoadedUtterance, loadUtterances, readCorpusDir } from '../support/corpus.ts';
import { type TermCount, termRecall, werOutsideTerms, withoutTerms } from '../support/glossary-terms.ts';
import { type Spread, spread } from '../support/percentile.ts';
import { type ServerStats, type SpawnedSystem, spawnSystem } from '../support/spawn.ts';
import { assignSegments, buildTimeline, SendLog } from '../support/timeline.ts';
import { aggregateWer, type WerResult, wordErrorRate } from '../support/wer.ts';
import { composeSegments, firstAudioLag, simultaneity, summarizeSimultaneity } from './simultaneity.ts';

const USAGE =
  'usage: npm run bench:e2e -- [--corpus DIR | --corpus-set short|long|mixed|glossary|hard|noisy]' +
  ' [--voices slt,rms --per-voice N] [--langs es,ca,gl,eo] [--listeners N]' +
  ' [--url URL] [--gap-ms 1500] [--frame-ms 100] [--settle-ms 5000] [--lambda sticky|random] [--lambda-seed N]' +
  ' [--lambda-recycle N] [--provisional on|off] [--glossary on|off] [--glossary-file FILE.csv]' +
  ' [--baseline FILE.json] [--out FILE.json]';

const values = (() => {
  try {
    return parseOptions();
  } catch (error) {
    console.error(`e2e benchmark could not run: ${(error as Error).message}\n${USAGE}`);
    process.exit(1);
  }
})();

/** Corpus-level WER (percent, one decimal) of per-utterance results: all errors over all reference words. */
function outsideTermsPercent(results: readonly WerResult[]): number {
  const errors = results.reduce((n, r) => n + r.substitutions + r.deletions + r.insertions, 0);
  const words = results.reduce((n, r) => n + r.referenceWords, 0);
  return words > 0 ? Math.round((errors / words) * 1000) / 10 : 0;
}

function parseOptions() {
  return parseArgs({
    options: {
      corpus: { type: 'string' },
      /** short when not given (see the header). */
      'corpus-set': { type: 'string' },
      voices: { type: 'string', default: 'slt,rms,awb,kal16' },
      /** The corpus set's own number when not given. */
      'per-voice': { type: 'string' },
      langs: { type: 'string', default: 'es,ca,gl,eo' },
      listeners: { type: 'string', default: '8' },
      url: { type: 'string' },
      'gap-ms': { type: 'string', default: '1500' },
      'frame-ms': { type: 'string', default: '100' },
      /** After the stream, how long without any message before the late ones are given up on. */
      'settle-ms': { type: 'string', default: '5000' },
      lambda: { type: 'string', default: 'sticky' },
      provisional: { type: 'string', default: 'on' },
      glossary: { type: 'string', default: 'off' },
      'glossary-file': { type: 'string' },
      'lambda-seed': { type: 'string' },
      'lambda-recycle': { type: 'string' },
      baseline: { type: 'string' },
      out: { type: 'string', default: 'bench-results/e2e.json' },
    },
    strict: true,
  }).values;
}

const CORPUS_SET_NAMES = ['short', 'long', 'mixed', 'glossary', 'hard', 'noisy'] as const;
type CorpusSet = (typeof CORPUS_SET_NAMES)[number];
/** However busy the system stays, the wait for late messages ends this long after the stream. */
const MAX_SETTLE_MS = 60_000;
const FETCH_TIMEOUT_MS = 15_000;

/** What a listener receives for each utterance; `audioFetched` is the URL's body read in full (HTTP 200). */
const KINDS = ['sourceCaption', 'translation', 'audioUrl', 'audioFetched'] as const;
type Kind = (typeof KINDS)[number];
/** The message kinds a listener receives (audioFetched is the bench's own fetch). */
type MessageKind = Exclude<Kind, 'audioFetched'>;
const LABELS: Record<Kind, string> = {
  sourceCaption: 'source caption (final)',
  translation: 'translated caption',
  audioUrl: 'translated audio URL',
  audioFetched: 'translated audio fetched',
};
const TARGETS: { kind: Kind; stat: 'p50' | 'p95'; ms: number }[] = [
  { kind: 'translation', stat: 'p50', ms: 500 },
  { kind: 'audioUrl', stat: 'p50', ms: 700 },
  { kind: 'audioUrl', stat: 'p95', ms: 1100 },
];

interface Arrival {
  kind: MessageKind;
  segmentId: string;
  segmentIndex: number;
  language: string;
  captureEnd: number;
  receivedAt: number;
  text?: string;
  url?: string;
  /** Audio: which part of the segment's speech, and whether it ends it (`last` absent counts as true). */
  part?: number;
  last?: boolean;
}

interface FetchResult {
  status: number | null;
  bytes: number;
  contentType: string | null;
  fetchedAt: number;
  error?: string;
}

interface Listener {
  index: number;
  language: string;
  client: ListenerClient;
  /**
   * First arrival per segmentId and kind (`${kind}:${segmentId}`). For audio, the part that ends the segment's
   * speech: the one with `last` not false, or while none has come, the highest part so far (clauses may have said
   * everything, and then no last part comes).
   */
  first: Map<string, Arrival>;
  /** How many times each message came: per kind and segment, for audio per segment and part (`…#part`). */
  copies: Map<string, number>;
  /**
   * Per kind, the highest segment index received so far; a lower one arriving later is out of order. For audio,
   * the highest (segment index, part), every part counting.
   */
  highest: Map<MessageKind, number>;
  highestAudioPart: { segmentIndex: number; part: number };
  outOfOrder: Map<MessageKind, number>;
  sourcePartials: number;
  translationPartials: number;
  /** Every translated caption in the listener's language, provisional or final, and every audio message, in
   * arrival order (copies included): what the simultaneity figures are computed from. */
  translations: { segmentId: string; segmentIndex: number; receivedAt: number; text: string; final: boolean }[];
  audio: { segmentId: string; part: number; receivedAt: number }[];
  /** Translations or audio in a language other than the listener's. */
  wrongLanguage: number;
  /** Every audio part's fetch, by `${segmentId}#${part}`. */
  fetches: Map<string, Promise<FetchResult>>;
  fetched: Map<string, FetchResult>;
  errors: string[];
}

interface Segment {
  segmentId: string;
  segmentIndex: number;
  text: string;
  capture: { start: number; end: number };
}

const langs = values.langs
  .split(',')
  .map((l) => l.trim())
  .filter(Boolean);
const listenerCount = Number(values.listeners);
const gapMs = Number(values['gap-ms']);
const frameMs = Number(values['frame-ms']);
const settleMs = Number(values['settle-ms']);
const corpusSet = (values['corpus-set'] ?? 'short') as CorpusSet;
const perVoice = values['per-voice'] === undefined ? undefined : Number(values['per-voice']);
/** The glossary the figures are scored against (and the session is given, with --glossary on). */
const glossaryFile =
  values['glossary-file'] ??
  (values.corpus || corpusSet === 'mixed' || isHardCorpusSet(corpusSet) || !CORPUS_SET_NAMES.includes(corpusSet)
    ? undefined
    : corpusSetGlossaryFile(corpusSet));

/** Why the options cannot work, if they cannot. */
function optionProblem(): string | undefined {
  if (!langs.length) return '--langs names no language';
  if (!Number.isInteger(listenerCount) || listenerCount < 1) return '--listeners must be a positive integer';
  if (!CORPUS_SET_NAMES.includes(corpusSet)) return `--corpus-set is one of ${CORPUS_SET_NAMES.join(', ')}`;
  if (values.corpus && values['corpus-set']) return '--corpus and --corpus-set exclude each other';
  if (perVoice !== undefined && !(Number.isInteger(perVoice) && perVoice > 0)) {
    return '--per-voice must be a positive integer';
  }
  if (perVoice !== undefined && isHardCorpusSet(corpusSet)) {
    return `--corpus-set ${corpusSet} has a fixed composition: no --per-voice`;
  }
  if (values.glossary !== 'on' && values.glossary !== 'off') return '--glossary is on or off';
  if (values.glossary === 'on' && !glossaryFile) {
    return '--glossary on needs a corpus with a glossary (--corpus-set glossary) or --glossary-file FILE.csv';
  }
  for (const [name, v] of [
    ['--gap-ms', gapMs],
    ['--frame-ms', frameMs],
    ['--settle-ms', settleMs],
  ] as const) {
    if (!Number.isFinite(v) || v < 0) return `${name} must be a number ≥ 0`;
  }
  return undefined;
}

const keyOf = (kind: MessageKind, segmentId: string) => `${kind}:${segmentId}`;
const partKey = (segmentId: string, part: number) => `${segmentId}#${part}`;

/** The audio part that ends the segment's speech as received so far, and its fetch once done. */
function audioEnd(l: Listener, segmentId: string): { arrival: Arrival; fetched: FetchResult | undefined } | undefined {
  const arrival = l.first.get(keyOf('audioUrl', segmentId));
  return arrival && { arrival, fetched: l.fetched.get(partKey(segmentId, arrival.part ?? 0)) };
}

/** The segment's speech has ended (a part said it was the last) and that part has been fetched. */
function audioEnded(l: Listener, segmentId: string): boolean {
  const end = audioEnd(l, segmentId);
  return end !== undefined && end.arrival.last !== false && end.fetched !== undefined;
}

/** Every audio part of the segment fetched so far, in part order. */
function audioFetches(l: Listener, segmentId: string): FetchResult[] {
  return [...l.fetched.entries()]
    .filter(([key]) => key.startsWith(`${segmentId}#`))
    .sort(([a], [b]) => Number(a.split('#')[1]) - Number(b.split('#')[1]))
    .map(([, f]) => f);
}

async function loadCorpus(): Promise<{
  dir: string;
  generated: boolean;
  corpusSet: CorpusSet | null;
  utterances: LoadedUtterance<CorpusItem>[];
}> {
  if (values.corpus) {
    const { entries, unpaired } = readCorpusDir(values.corpus);
    if (unpaired.length) console.warn(`skipping ${unpaired.length} WAV(s) without text: ${unpaired.join(', ')}`);
    if (!entries.length) throw new Error(`${values.corpus} holds no NAME.wav + NAME.txt pairs`);
    return {
      dir: values.corpus,
      generated: false,
      corpusSet: null,
      utterances: loadUtterances(values.corpus, entries),
    };
  }
  const voices = values.voices.split(',').filter(Boolean);
  const generate = async (name: CorpusSetName, perVoice?: number) => {
    const { dir } = CORPUS_SETS[name];
    const corpus = await generateCorpus(dir, corpusSetOptions(name, voices, perVoice));
    return { dir, utterances: loadUtterances(dir, corpus.entries) };
  };
  if (corpusSet === 'glossary') {
    const { dir, utterances } = await generate('glossary', perVoice);
    return { dir, generated: true, corpusSet, utterances };
  }
  if (isHardCorpusSet(corpusSet)) {
    // Stream order is the set's own; each entry says where its speech lies (noise hides it from a threshold).
    const { dir, entries } = await generateHardCorpusSet(corpusSet);
    return { dir, generated: true, corpusSet, utterances: loadUtterances(dir, entries) };
  }
  const short = corpusSet === 'long' ? undefined : await generate('short', perVoice);
  const long = corpusSet === 'short' ? undefined : await generate('long');
  return {
    dir: [short?.dir, long?.dir].filter(Boolean).join(' + '),
    generated: true,
    corpusSet,
    utterances: interleave(short?.utterances ?? [], long?.utterances ?? []),
  };
}
type CorpusItem = { name: string; text: string; voice?: string };

async function readStats(url: string): Promise<ServerStats | undefined> {
  try {
    const res = await fetch(`${url}/internal/stats`, { signal: AbortSignal.timeout(5_000) });
    return res.ok ? ((await res.json()) as ServerStats) : undefined;
  } catch {
    return undefined;
  }
}

async function fetchAudio(url: string): Promise<FetchResult> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
    const body = await res.arrayBuffer();
    return {
      status: res.status,
      bytes: body.byteLength,
      contentType: res.headers.get('content-type'),
      fetchedAt: Date.now(),
    };
  } catch (error) {
    return { status: null, bytes: 0, contentType: null, fetchedAt: Date.now(), error: (error as Error).message };
  }
}

function connectListener(server: string, code: string, index: number, language: string, onActivity: () => void) {
  const listener: Omit<Listener, 'client'> = {
    index,
    language,
    first: new Map(),
    copies: new Map(),
    highest: new Map(),
    highestAudioPart: { segmentIndex: -1, part: 0 },
    outOfOrder: new Map(),
    sourcePartials: 0,
    translationPartials: 0,
    translations: [],
    audio: [],
    wrongLanguage: 0,
    fetches: new Map(),
    fetched: new Map(),
    errors: [],
  };
  // Arrival times are taken by the client as each message is parsed, on the same clock as the speaker's sends.
  const onMessage = (message: ServerMessage, receivedAt: number) => {
    onActivity();
    let arrival: Arrival;
    if (message.type === 'caption') {
      if (message.kind === 'translation' && message.language === language) {
        const { segmentId, segmentIndex, text, final } = message;
        listener.translations.push({ segmentId, segmentIndex, receivedAt, text, final });
      }
      if (!message.final) {
        if (message.kind === 'source') listener.sourcePartials++;
        else listener.translationPartials++;
        return;
      }
      arrival = {
        kind: message.kind === 'source' ? 'sourceCaption' : 'translation',
        segmentId: message.segmentId,
        segmentIndex: message.segmentIndex,
        language: message.language,
        captureEnd: message.captureEnd,
        receivedAt,
        text: message.text,
      };
    } else if (message.type === 'audio') {
      // A segment's speech may come in parts (clauses while the speaker goes on, then the rest).
      const part = message.part ?? 0;
      if (message.language === language) listener.audio.push({ segmentId: message.segmentId, part, receivedAt });
      onAudio({
        kind: 'audioUrl',
        segmentId: message.segmentId,
        segmentIndex: message.segmentIndex,
        language: message.language,
        captureEnd: message.captureEnd,
        receivedAt,
        url: message.url,
        part,
        last: message.last !== false,
      });
      return;
    } else {
      if (message.type === 'error') listener.errors.push(`${message.code}: ${message.message}`);
      return;
    }
    if (arrival.kind !== 'sourceCaption' && arrival.language !== language) listener.wrongLanguage++;
    const key = keyOf(arrival.kind, arrival.segmentId);
    listener.copies.set(key, (listener.copies.get(key) ?? 0) + 1);
    if (listener.first.has(key)) return;
    const kind = arrival.kind as MessageKind;
    if (arrival.segmentIndex < (listener.highest.get(kind) ?? -1)) {
      listener.outOfOrder.set(kind, (listener.outOfOrder.get(kind) ?? 0) + 1);
    } else {
      listener.highest.set(kind, arrival.segmentIndex);
    }
    listener.first.set(key, arrival);
  };
  /**
   * One audio message: a duplicate is the same (segment, part) again, never another part of the segment; the
   * segment's `audioUrl` arrival is the part ending its speech; every part is fetched.
   */
  const onAudio = (arrival: Arrival) => {
    const l = listener;
    const part = arrival.part ?? 0;
    if (arrival.language !== language) l.wrongLanguage++;
    const copyKey = `${keyOf('audioUrl', arrival.segmentId)}#${part}`;
    l.copies.set(copyKey, (l.copies.get(copyKey) ?? 0) + 1);
    const fetchKey = partKey(arrival.segmentId, part);
    if (l.fetches.has(fetchKey)) return;
    // Out of order: a part arriving after a later part of its segment or a later segment's audio.
    const highest = l.highestAudioPart;
    if (
      arrival.segmentIndex < highest.segmentIndex ||
      (arrival.segmentIndex === highest.segmentIndex && part < highest.part)
    ) {
      l.outOfOrder.set('audioUrl', (l.outOfOrder.get('audioUrl') ?? 0) + 1);
    } else {
      l.highestAudioPart = { segmentIndex: arrival.segmentIndex, part };
    }
    const key = keyOf('audioUrl', arrival.segmentId);
    const end = l.first.get(key);
    if (!end || (end.last === false && (arrival.last !== false || part > (end.part ?? 0)))) l.first.set(key, arrival);
    // As a listener's app would: fetch the clip as soon as its URL arrives, and read all of it.
    l.fetches.set(
      fetchKey,
      fetchAudio(arrival.url!).then((r) => {
        l.fetched.set(fetchKey, r);
        onActivity();
        return r;
      }),
    );
  };
  const client = new ListenerClient({
    server,
    code,
    lang: language,
    lingerMs: 500,
    onMessage,
    onError: (error) => listener.errors.push(error.message),
  });
  return Object.assign(listener, { client });
}

async function run() {
  const problem = optionProblem();
  if (problem) {
    throw new Error(`${problem}\n${USAGE}`);
  }
  const { dir, generated, corpusSet: set, utterances } = await loadCorpus();
  const glossary = glossaryFile ? { file: glossaryFile, entries: readGlossaryCsv(glossaryFile) } : undefined;
  const glossaryOn = values.glossary === 'on';
  const baseline = values.baseline ? readBaseline(values.baseline) : undefined;
  const totalAudioMs = utterances.reduce((n, u) => n + u.samples.length / 16, 0) + gapMs * (utterances.length + 1);
  console.log(
    `e2e benchmark: ${utterances.length} utterances from ${dir} (~${Math.round(totalAudioMs / 1000)} s streamed), ` +
      `${listenerCount} listener(s) over ${langs.join(',')}, ${frameMs} ms frames, ${gapMs} ms gaps` +
      (glossary ? `, glossary ${glossaryOn ? 'on' : 'off'} (${glossary.entries.length} terms, ${glossary.file})` : ''),
  );

  let system: SpawnedSystem | undefined;
  const stopOnSignal = () => {
    void (system ? system.stop() : Promise.resolve()).finally(() => process.exit(130));
  };
  process.once('SIGINT', stopOnSignal);
  if (!values.url) {
    console.log('starting the local system…');
    if (values.lambda !== 'sticky' && values.lambda !== 'random') throw new Error('--lambda is sticky or random');
    if (values.provisional !== 'on' && values.provisional !== 'off') throw new Error('--provisional is on or off');
    system = await spawnSystem({
      LLT_LAMBDA_POLICY: values.lambda,
      LLT_PROVISIONAL_TRANSLATION: values.provisional,
      ...(values['lambda-seed'] ? { LLT_LAMBDA_SEED: values['lambda-seed'] } : {}),
      ...(values['lambda-recycle'] ? { LLT_LAMBDA_RECYCLE_EVERY: values['lambda-recycle'] } : {}),
    });
  }
  const url = (values.url ?? system!.url).replace(/\/+$/, '');
  let tap: EventTap | undefined;
  const listeners: Listener[] = [];
  let speaker: SpeakerClient | undefined;
  try {
    tap = await tapEvents(url).catch((error: Error) => {
      console.warn(`no bus events (${error.message}): segments come from the captions alone`);
      return undefined;
    });
    const before = await readStats(url);
    const session = await createSession(url, {
      sourceLanguage: 'en',
      targetLanguages: langs,
      ...(glossaryOn && glossary ? { glossary: glossary.entries } : {}),
    });

    let lastActivity = Date.now();
    const onActivity = () => {
      lastActivity = Date.now();
    };
    for (let i = 0; i < listenerCount; i++) {
      listeners.push(connectListener(url, session.joinCode, i, langs[i % langs.length]!, onActivity));
    }
    await Promise.all(listeners.map((l) => l.client.connect()));

    const speakerErrors: string[] = [];
    speaker = new SpeakerClient({
      server: url,
      sessionId: session.sessionId,
      token: session.speakerToken,
      frameMs,
      onError: (error) => speakerErrors.push(error.message),
      onMessage: (m) => {
        if (m.type === 'error') speakerErrors.push(`${m.code}: ${m.message}`);
      },
    });
    await speaker.connect();
    const { audio, spans } = buildTimeline(utterances, gapMs);
    const sends = new SendLog(speaker.frameSamples);
    const streamed = await speaker.streamRealtime(audio, { onFrameSent: sends.onFrameSent });
    await speaker.drain();
    const streamEnd = Date.now();

    // Capture clock of the speech (what the server's capture spans are in) and when its end actually went out.
    const timing = spans.map((span) => {
      const start = sampleTime(streamed.startTime, span.speechStart);
      const end = sampleTime(streamed.startTime, span.speechEnd);
      const sentAt = sends.sentAt(span.speechEnd - 1);
      return { start, end, endOfSpeech: sentAt ?? end, sentAt };
    });

    const segmentsNow = () => collectSegments(tap, session.sessionId, listeners);
    // Late messages: wait until every utterance has a final and every listener has everything for every
    // segment, or until nothing arrives for settle-ms.
    for (;;) {
      const segs = segmentsNow();
      const complete =
        assignSegments(timing, segs).byUtterance.every((mine) => mine.length > 0) &&
        listeners.every((l) =>
          segs.every(
            (s) =>
              l.first.has(keyOf('sourceCaption', s.segmentId)) &&
              l.first.has(keyOf('translation', s.segmentId)) &&
              audioEnded(l, s.segmentId),
          ),
        );
      const now = Date.now();
      if (complete || now - lastActivity > settleMs || now - streamEnd > MAX_SETTLE_MS) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    await speaker.end().catch((error: Error) => speakerErrors.push(`end: ${error.message}`));
    await Promise.race([
      Promise.allSettled(listeners.map((l) => l.client.done)),
      new Promise((r) => setTimeout(r, 5_000)),
    ]);
    await Promise.all(listeners.flatMap((l) => [...l.fetches.values()]));
    const after = await readStats(url);

    const report = analyse({
      utterances,
      timing,
      segments: segmentsNow(),
      busEvents: tap?.events.filter((e) => e.detail.sessionId === session.sessionId) ?? [],
      listeners,
    });
    const server = serverFigures(before, after);
    const glossaryReport = glossary
      ? glossaryFigures(report, glossary.entries, { session: glossaryOn ? 'on' : 'off', file: glossary.file })
      : null;
    const out = {
      benchmark: 'e2e',
      at: new Date().toISOString(),
      machine: { cpus: cpus().length, node: process.version },
      config: {
        url: values.url ?? null,
        spawned: !values.url,
        corpus: dir,
        generatedCorpus: generated,
        corpusSet: set,
        langs,
        listeners: listenerCount,
        gapMs,
        frameMs,
        settleMs,
        lambda: values.url ? null : values.lambda,
        provisional: values.url ? null : values.provisional,
        glossary: values.glossary,
        glossaryFile: glossary?.file ?? null,
        lambdaSeed: values['lambda-seed'] ?? null,
        lambdaRecycle: values['lambda-recycle'] ?? null,
      },
      sessionId: session.sessionId,
      endOfSpeech:
        'clock time the frame holding the utterance’s last voiced sample was sent (same process and clock as the listeners)',
      speaker: { stats: speaker.stats, errors: speakerErrors.slice(0, 20) },
      listeners: listeners.map((l) => ({
        index: l.index,
        language: l.language,
        reconnects: l.client.reconnects,
        sourcePartials: l.sourcePartials,
        translationPartials: l.translationPartials,
        wrongLanguage: l.wrongLanguage,
        errors: l.errors.slice(0, 10),
      })),
      summary: report.summary,
      simultaneity: report.simultaneity,
      glossary: glossaryReport,
      server,
      perUtterance: report.perUtterance,
    };
    mkdirSync(dirname(values.out), { recursive: true });
    writeFileSync(values.out, `${JSON.stringify(out, null, 2)}\n`);
    printReport(out.summary, server, out.listeners, speakerErrors);
    printSimultaneity(out.simultaneity, baseline);
    if (glossaryReport) printGlossary(glossaryReport, baseline);
    console.log(`written to ${values.out}`);
    if (system) {
      // What the server logged (warnings and errors: failed deliveries, retries), to explain a missing message.
      const logFile = `${values.out.replace(/\.json$/, '')}.server.log`;
      writeFileSync(logFile, system.output());
      console.log(`server log written to ${logFile}`);
    }
  } finally {
    process.off('SIGINT', stopOnSignal);
    tap?.close();
    await Promise.allSettled(listeners.map((l) => l.client.close()));
    await speaker?.close().catch(() => undefined);
    await system?.stop();
  }
}

/**
 * The session's finalized segments: TranscriptFinalized on the bus, plus any a source caption told of that the
 * bus did not (or all of them, without a tap; a caption carries no capture start, so its span is its end).
 */
function collectSegments(tap: EventTap | undefined, sessionId: string, listeners: readonly Listener[]): Segment[] {
  const segments = new Map<string, Segment>();
  for (const e of tap?.events ?? []) {
    if (e.detailType !== 'TranscriptFinalized' || e.detail.sessionId !== sessionId) continue;
    const segmentId = e.detail.segmentId as string;
    if (segments.has(segmentId)) continue;
    segments.set(segmentId, {
      segmentId,
      segmentIndex: e.detail.segmentIndex as number,
      text: e.detail.text as string,
      capture: e.detail.capture as { start: number; end: number },
    });
  }
  for (const l of listeners) {
    for (const a of l.first.values()) {
      if (a.kind !== 'sourceCaption' || segments.has(a.segmentId)) continue;
      segments.set(a.segmentId, {
        segmentId: a.segmentId,
        segmentIndex: a.segmentIndex,
        text: a.text ?? '',
        capture: { start: a.captureEnd, end: a.captureEnd },
      });
    }
  }
  return [...segments.values()].sort((a, b) => a.segmentIndex - b.segmentIndex);
}

interface AnalysisInput {
  utterances: readonly LoadedUtterance<CorpusItem>[];
  timing: { start: number; end: number; endOfSpeech: number; sentAt: number | undefined }[];
  segments: Segment[];
  busEvents: { detailType: string; detail: Record<string, unknown>; receivedAt: number }[];
  listeners: readonly Listener[];
}

type Count = { expected: number; received: number; missing: number; duplicated: number; outOfOrder: number };

function analyse({ utterances, timing, segments, busEvents, listeners }: AnalysisInput) {
  const { byUtterance, unmatched } = assignSegments(timing, segments);
  const utteranceOf = new Map<string, number>();
  byUtterance.forEach((segs, i) => {
    for (const s of segs) utteranceOf.set(s.segmentId, i);
  });
  const ms = (at: number | null, i: number) => (at === null ? null : Math.round(at - timing[i]!.endOfSpeech));
  /** When every segment of the utterance had arrived as `kind` (null if any never did). */
  const allArrived = (l: Listener, segs: readonly Segment[], kind: MessageKind): number | null => {
    if (!segs.length) return null;
    let last = 0;
    for (const s of segs) {
      const a = l.first.get(keyOf(kind, s.segmentId));
      if (!a) return null;
      last = Math.max(last, a.receivedAt);
    }
    return last;
  };
  /** Last time a bus event of this type was seen for each of the segments (for `language` if given). */
  const busSeen = (segs: readonly Segment[], type: string, language?: string): number | null => {
    if (!segs.length) return null;
    let last = 0;
    for (const s of segs) {
      const e = busEvents.find(
        (b) =>
          b.detailType === type &&
          b.detail.segmentId === s.segmentId &&
          (language === undefined || (b.detail.targetLanguage ?? b.detail.language) === language),
      );
      if (!e) return null;
      last = Math.max(last, e.receivedAt);
    }
    return last;
  };

  const perUtterance = utterances.map((u, i) => {
    const segs = byUtterance[i]!;
    const hypothesis = segs.map((s) => s.text).join(' ');
    const source = { start: timing[i]!.start, end: timing[i]!.end };
    const segmentIds = new Set(segs.map((s) => s.segmentId));
    const rows = listeners.map((l) => {
      const shown = composeSegments(
        l.translations.filter((t) => segmentIds.has(t.segmentId)),
        segs.map((s) => s.segmentIndex),
      );
      const audio = firstAudioLag(
        source,
        l.audio.filter((a) => segmentIds.has(a.segmentId)).map((a) => a.receivedAt),
      );
      // "Fetched" is timed on the part ending each segment's speech; bytes and errors count every part.
      const ends = segs.map((s) => audioEnd(l, s.segmentId)?.fetched);
      const fetchedOk = segs.length > 0 && ends.every((f) => f?.status === 200);
      const fetches = segs.flatMap((s) => {
        const all: (FetchResult | undefined)[] = audioFetches(l, s.segmentId);
        return all.length ? all : [undefined];
      });
      return {
        listener: l.index,
        language: l.language,
        sourceCaptionMs: ms(allArrived(l, segs, 'sourceCaption'), i),
        translationMs: ms(allArrived(l, segs, 'translation'), i),
        audioUrlMs: ms(allArrived(l, segs, 'audioUrl'), i),
        audioFetchedMs: fetchedOk ? ms(Math.max(...ends.map((f) => f!.fetchedAt)), i) : null,
        audioBytes: fetches.some(Boolean) ? fetches.reduce((n, f) => n + (f?.bytes ?? 0), 0) : null,
        audioStatus: fetches.map((f) => f?.status ?? null),
        audioStatus200: fetchedOk,
        audioError: fetches.find((f) => f?.error)?.error,
        translation: segs.map((s) => l.first.get(keyOf('translation', s.segmentId))?.text ?? '').join(' ') || null,
        // An utterance nothing was recognised in has nothing shown: every figure null.
        simultaneity: { ...simultaneity(source, shown), firstAudio: audio },
        // What the first listener of each language was shown, update by update (ms from the start of speech).
        ...(l.index < langs.length
          ? {
              shown: shown.map((u) => ({
                atMs: Math.round(u.receivedAt - source.start),
                final: u.final,
                text: u.text,
              })),
            }
          : {}),
      };
    });
    return {
      name: u.entry.name,
      voice: u.entry.voice ?? null,
      reference: u.entry.text,
      hypothesis,
      wer: wordErrorRate(u.entry.text, hypothesis).wer,
      segments: segs.map((s) => ({
        segmentId: s.segmentId,
        segmentIndex: s.segmentIndex,
        text: s.text,
        captureStart: s.capture.start,
        captureEnd: s.capture.end,
      })),
      /** Capture clock of the first and last voiced sample: the source timeline simultaneity is measured on. */
      speechStartAt: source.start,
      speechEndAt: source.end,
      speechMs: Math.round(source.end - source.start),
      endOfSpeechAt: timing[i]!.endOfSpeech,
      /** How long after its capture time the last voiced sample went out (frame length + pacing lateness). */
      endOfSpeechSendDelayMs: timing[i]!.sentAt === undefined ? null : Math.round(timing[i]!.sentAt! - timing[i]!.end),
      busMs: {
        transcriptFinalized: ms(busSeen(segs, 'TranscriptFinalized'), i),
        byLanguage: Object.fromEntries(
          langs.map((lang) => [
            lang,
            {
              translationReady: ms(busSeen(segs, 'TranslationReady', lang), i),
              speechSynthesized: ms(busSeen(segs, 'SpeechSynthesized', lang), i),
            },
          ]),
        ),
      },
      listeners: rows,
    };
  });

  const figure = (kind: Kind) => `${kind}Ms` as const;
  const group = (language: string | undefined) => {
    const rows = perUtterance.flatMap((u) => u.listeners).filter((r) => !language || r.language === language);
    const ls = listeners.filter((l) => !language || l.language === language);
    const latencyMs = Object.fromEntries(KINDS.map((k) => [k, spread(rows.map((r) => r[figure(k)]))])) as Record<
      Kind,
      Spread
    >;
    const counts = Object.fromEntries(
      KINDS.map((k): [Kind, Count] => {
        const received = rows.filter((r) => r[figure(k)] !== null).length;
        let duplicated = 0;
        let outOfOrder = 0;
        if (k !== 'audioFetched') {
          for (const l of ls) {
            for (const [key, n] of l.copies) if (key.startsWith(`${k}:`)) duplicated += n - 1;
            outOfOrder += l.outOfOrder.get(k) ?? 0;
          }
        }
        return [k, { expected: rows.length, received, missing: rows.length - received, duplicated, outOfOrder }];
      }),
    ) as Record<Kind, Count>;
    const unmatchedMessages = Object.fromEntries(
      (['sourceCaption', 'translation', 'audioUrl'] as const).map((k) => [
        k,
        ls.reduce(
          (n, l) => n + [...l.first.values()].filter((a) => a.kind === k && !utteranceOf.has(a.segmentId)).length,
          0,
        ),
      ]),
    );
    const bus = language
      ? {
          translationReady: spread(perUtterance.map((u) => u.busMs.byLanguage[language]?.translationReady)),
          speechSynthesized: spread(perUtterance.map((u) => u.busMs.byLanguage[language]?.speechSynthesized)),
        }
      : undefined;
    return {
      listeners: ls.length,
      latencyMs,
      counts,
      unmatchedMessages,
      wrongLanguage: ls.reduce((n, l) => n + l.wrongLanguage, 0),
      audioBytes: spread(rows.map((r) => r.audioBytes)),
      audioFetchErrors: rows.filter((r) => r.audioStatus.some((s) => s !== null && s !== 200) || r.audioError).length,
      targets: TARGETS.map((t) => {
        const actual = latencyMs[t.kind][t.stat];
        return {
          figure: `${t.kind} ${t.stat}`,
          targetMs: t.ms,
          actualMs: actual,
          met: actual === null ? null : actual <= t.ms,
        };
      }),
      ...(bus ? { busObservedMs: bus } : {}),
    };
  };

  /**
   * Per listener and utterance, over the rows whose utterance was recognised: a row without a final translated
   * caption has no lag and no erasure (it is counted as missing above).
   */
  const simultaneityOf = (language: string | undefined) => {
    const rows = perUtterance
      .filter((u) => u.segments.length)
      .flatMap((u) => u.listeners)
      .filter((r) => !language || r.language === language)
      .map((r) => r.simultaneity);
    return summarizeSimultaneity(rows);
  };
  const simultaneityFigures = {
    speechMs: spread(perUtterance.map((u) => u.speechMs)),
    all: simultaneityOf(undefined),
    byLanguage: Object.fromEntries(langs.map((l) => [l, simultaneityOf(l)])),
  };

  const summary = {
    utterances: utterances.length,
    listeners: listeners.length,
    listenersPerLanguage: Object.fromEntries(langs.map((l) => [l, listeners.filter((x) => x.language === l).length])),
    werPercent: Math.round(aggregateWer(perUtterance).wer * 1000) / 10,
    utterancesWithoutFinal: perUtterance.filter((u) => !u.segments.length).map((u) => u.name),
    utterancesSplit: perUtterance.filter((u) => u.segments.length > 1).map((u) => u.name),
    segmentsMatchingNoUtterance: unmatched.map((s) => ({ segmentId: s.segmentId, text: s.text })),
    busEventsSeen: busEvents.reduce<Record<string, number>>((acc, e) => {
      acc[e.detailType] = (acc[e.detailType] ?? 0) + 1;
      return acc;
    }, {}),
    endOfSpeechToFinalizedOnBusMs: spread(perUtterance.map((u) => u.busMs.transcriptFinalized)),
    endOfSpeechSendDelayMs: spread(perUtterance.map((u) => u.endOfSpeechSendDelayMs)),
    overall: group(undefined),
    byLanguage: Object.fromEntries(langs.map((l) => [l, group(l)])),
  };
  return { summary, perUtterance, simultaneity: simultaneityFigures };
}

function serverFigures(before: ServerStats | undefined, after: ServerStats | undefined) {
  if (!after) return { available: false as const };
  const cpuMs = before
    ? after.process.cpuUserMs + after.process.cpuSystemMs - (before.process.cpuUserMs + before.process.cpuSystemMs)
    : null;
  const wallMs = before ? after.process.uptimeMs - before.process.uptimeMs : null;
  // Per-hop latencies the services record (notify.TranslationDeliveredMs, …): every histogram in milliseconds.
  const hopsMs = Object.fromEntries(Object.entries(after.histograms ?? {}).filter(([name]) => /Ms$/.test(name)));
  return {
    available: true as const,
    cpuPercentOfOneCore: cpuMs !== null && wallMs ? Math.round((cpuMs / wallMs) * 1000) / 10 : null,
    rssMb: Math.round(after.process.rssBytes / 1e6),
    peakRssMb: Math.round(after.process.maxRssBytes / 1e6),
    eventLoopDelayMs: after.eventLoopDelayMs,
    hopsMs,
    stats: after,
  };
}

/** Terms found of terms expected, and the share in percent (null when none was expected). */
interface Recall {
  found: number;
  expected: number;
  percent: number | null;
}

function recallOf(counts: readonly TermCount[]): Recall {
  const found = counts.reduce((n, c) => n + c.found, 0);
  const expected = counts.reduce((n, c) => n + c.expected, 0);
  return { found, expected, percent: expected ? Math.round((found / expected) * 1000) / 10 : null };
}

/**
 * The glossary's figures: term recall in the final source transcript (per utterance) and in each language's final
 * translated caption (per listener and utterance: a caption that never came counts as not showing the term), the
 * WER of the other words, and end of speech → final translated caption (the same figure as the main table's).
 */
function glossaryFigures(
  report: ReturnType<typeof analyse>,
  glossary: readonly GlossaryEntry[],
  run: { session: 'on' | 'off'; file: string },
) {
  const perUtterance = report.perUtterance.map((u) => {
    const recognised = u.segments.length ? u.hypothesis : null;
    const source = termRecall(u.reference, recognised, glossary);
    const byLanguage = Object.fromEntries(
      langs.map((lang) => [
        lang,
        u.listeners
          .filter((r) => r.language === lang)
          .flatMap((r) => termRecall(u.reference, r.translation, glossary, lang)),
      ]),
    );
    return {
      name: u.name,
      terms: source.map((c) => c.term),
      source,
      byLanguage,
      otherWords: withoutTerms(u.reference, u.hypothesis, glossary),
      outsideTerms: werOutsideTerms(u.reference, u.hypothesis, glossary),
    };
  });
  const perTerm = glossary
    .map((entry) => {
      const mine = (counts: readonly TermCount[]) => counts.filter((c) => c.term === entry.term);
      return {
        term: entry.term,
        source: recallOf(perUtterance.flatMap((u) => mine(u.source))),
        byLanguage: Object.fromEntries(
          langs.map((lang) => [lang, recallOf(perUtterance.flatMap((u) => mine(u.byLanguage[lang] ?? [])))]),
        ),
      };
    })
    .filter((t) => t.source.expected > 0);
  return {
    session: run.session,
    file: run.file,
    entries: glossary.length,
    termsSpoken: recallOf(perUtterance.flatMap((u) => u.source)).expected,
    termRecall: {
      source: recallOf(perUtterance.flatMap((u) => u.source)),
      byLanguage: Object.fromEntries(
        langs.map((lang) => [lang, recallOf(perUtterance.flatMap((u) => u.byLanguage[lang] ?? []))]),
      ),
    },
    otherWordsWerPercent: Math.round(aggregateWer(perUtterance.map((u) => u.otherWords)).wer * 1000) / 10,
    // The same words judged on the whole sentence's alignment: a missed term's stand-in words are not counted.
    outsideTermsWerPercent: outsideTermsPercent(perUtterance.map((u) => u.outsideTerms)),
    werPercent: report.summary.werPercent,
    translationFromEndOfSpeechMs: {
      all: report.summary.overall.latencyMs.translation,
      byLanguage: Object.fromEntries(
        langs.map((lang) => [lang, report.summary.byLanguage[lang]?.latencyMs.translation ?? null]),
      ),
    },
    perTerm,
    perUtterance: perUtterance.map((u) => ({
      name: u.name,
      terms: u.terms,
      source: recallOf(u.source),
      byLanguage: Object.fromEntries(langs.map((lang) => [lang, recallOf(u.byLanguage[lang] ?? [])])),
    })),
  };
}

type Summary = ReturnType<typeof analyse>['summary'];
type Group = Summary['overall'];
type Simultaneity = ReturnType<typeof analyse>['simultaneity'];
type GlossaryFigures = ReturnType<typeof glossaryFigures>;

interface Baseline {
  path: string;
  figures: Simultaneity;
  /** Its glossary figures, when it had a glossary to score. */
  glossary: GlossaryFigures | undefined;
}

/** A previous run's simultaneity (and glossary) figures, from its output JSON, to print beside this run's. */
function readBaseline(path: string): Baseline {
  const parsed = JSON.parse(readFileSync(path, 'utf8')) as { simultaneity?: Simultaneity; glossary?: GlossaryFigures };
  if (!parsed.simultaneity)
    throw new Error(`${path} holds no simultaneity figures (a bench:e2e output from before them?)`);
  return { path, figures: parsed.simultaneity, glossary: parsed.glossary ?? undefined };
}

function printReport(
  summary: Summary,
  server: ReturnType<typeof serverFigures>,
  listenerInfo: { index: number; reconnects: number; errors: string[] }[],
  speakerErrors: string[],
) {
  const per = Object.entries(summary.listenersPerLanguage)
    .map(([l, n]) => `${l}×${n}`)
    .join(', ');
  console.log(
    `\n${summary.utterances} utterances, ${summary.listeners} listeners (${per}) | WER of the final source transcript ` +
      `${summary.werPercent}% | no final: ${summary.utterancesWithoutFinal.length}, split: ${summary.utterancesSplit.length}, ` +
      `segments matching no utterance: ${summary.segmentsMatchingNoUtterance.length}`,
  );
  console.log('times from the end of speech (last voiced sample sent), ms:');
  const header = ['lang', 'figure', 'received', 'missing', 'dup', 'late', 'p50', 'p95', 'max', 'target'];
  const table: string[][] = [header];
  const cell = (v: number | null) => (v === null ? '–' : String(v));
  const addGroup = (lang: string, g: Group) => {
    for (const k of KINDS) {
      const c = g.counts[k];
      const l = g.latencyMs[k];
      const targets = TARGETS.filter((t) => t.kind === k)
        .map((t) => {
          const actual = l[t.stat];
          const verdict = actual === null ? 'no data' : actual <= t.ms ? 'met' : 'MISSED';
          return `${t.stat} ≤ ${t.ms}: ${verdict}`;
        })
        .join(', ');
      table.push([
        lang,
        LABELS[k],
        `${c.received}/${c.expected}`,
        String(c.missing),
        k === 'audioFetched' ? '' : String(c.duplicated),
        k === 'audioFetched' ? '' : String(c.outOfOrder),
        cell(l.p50),
        cell(l.p95),
        cell(l.max),
        targets,
      ]);
    }
  };
  addGroup('all', summary.overall);
  for (const [lang, g] of Object.entries(summary.byLanguage)) if (g.listeners) addGroup(lang, g);
  const widths = header.map((_, c) => Math.max(...table.map((r) => r[c]!.length)));
  const right = new Set([2, 3, 4, 5, 6, 7, 8]);
  for (const r of table) {
    console.log(
      r
        .map((v, c) => (right.has(c) ? v.padStart(widths[c]!) : v.padEnd(widths[c]!)))
        .join('  ')
        .trimEnd(),
    );
  }
  const o = summary.overall;
  const fin = summary.endOfSpeechToFinalizedOnBusMs;
  console.log(
    `bus (seen by the bench): TranscriptFinalized p50 ${cell(fin.p50)} p95 ${cell(fin.p95)} max ${cell(fin.max)} | ` +
      Object.entries(summary.byLanguage)
        .filter(([, g]) => g.busObservedMs)
        .map(
          ([lang, g]) =>
            `${lang}: TranslationReady p50 ${cell(g.busObservedMs!.translationReady.p50)}, SpeechSynthesized p50 ${cell(g.busObservedMs!.speechSynthesized.p50)}`,
        )
        .join(' | '),
  );
  console.log(
    `audio: ${o.audioBytes.count} fetched, bytes p50 ${cell(o.audioBytes.p50)}, fetch errors ${o.audioFetchErrors} | ` +
      `wrong-language messages ${o.wrongLanguage} | messages for no utterance ${JSON.stringify(o.unmatchedMessages)} | ` +
      `listener reconnects ${listenerInfo.reduce((n, l) => n + l.reconnects, 0)}, listener errors ` +
      `${listenerInfo.reduce((n, l) => n + l.errors.length, 0)}, speaker errors ${speakerErrors.length}`,
  );
  if (server.available) {
    console.log(
      `server: CPU ${server.cpuPercentOfOneCore ?? '?'}% of a core, RSS ${server.rssMb} MB (peak ${server.peakRssMb} MB), ` +
        `event-loop delay p50 ${server.eventLoopDelayMs.p50.toFixed(1)} / p99 ${server.eventLoopDelayMs.p99.toFixed(1)} / max ${server.eventLoopDelayMs.max.toFixed(1)} ms`,
    );
    for (const [name, h] of Object.entries(server.hopsMs)) {
      const r = (v: number | null) => (v === null ? '–' : String(Math.round(v)));
      console.log(
        `  ${name.padEnd(40)} n ${String(h.count).padStart(5)}  p50 ${r(h.p50)}  p95 ${r(h.p95)}  max ${r(h.max)}`,
      );
    }
  } else {
    console.log('server: GET /internal/stats not available');
  }
}

function printSimultaneity(figures: Simultaneity, baseline: Baseline | undefined) {
  const sp = figures.speechMs;
  console.log(
    `\nsimultaneity of translated captions as listeners saw them, per listener and utterance (speech p50 ${sp.p50} ms, ` +
      `max ${sp.max} ms); LAAL from the start of speech (SimulEval's, on time), ending offset = final − end of ` +
      `speech (capture clock), complete = every word of the final on screen for good − end of speech, erasure = words retracted per final word${baseline ? `; "off": ${baseline.path}` : ''}:`,
  );
  const cell = (v: number | null | undefined) => (v === null || v === undefined ? '–' : String(v));
  const header = [
    'lang',
    'with final',
    'LAAL p50',
    'p95',
    'start p50',
    'ending p50',
    'p95',
    'complete p50',
    'p95',
    'erasure mean',
    'max',
    'provisional',
    '1st audio−start p50',
    'p95',
    '1st audio−end p50',
    'p95',
  ];
  const table: string[][] = [header];
  const row = (lang: string, g: Simultaneity['all']) => [
    lang,
    `${g.withFinal}/${g.rows}`,
    cell(g.laalMs.p50),
    cell(g.laalMs.p95),
    cell(g.startOffsetMs.p50),
    cell(g.endingOffsetMs.p50),
    cell(g.endingOffsetMs.p95),
    // A baseline written before this figure has none.
    cell(g.completeOffsetMs?.p50),
    cell(g.completeOffsetMs?.p95),
    cell(g.normalizedErasure.mean),
    cell(g.normalizedErasure.max),
    String(g.provisionalUpdates),
    cell(g.firstAudioFromStartMs.p50),
    cell(g.firstAudioFromStartMs.p95),
    cell(g.firstAudioFromEndMs.p50),
    cell(g.firstAudioFromEndMs.p95),
  ];
  const groups: [string, Simultaneity['all']][] = [['all', figures.all], ...Object.entries(figures.byLanguage)];
  for (const [lang, g] of groups) {
    if (!g.rows) continue;
    table.push(row(lang, g));
    const off = lang === 'all' ? baseline?.figures.all : baseline?.figures.byLanguage[lang];
    if (off) table.push(row(`${lang} off`, off));
  }
  const widths = header.map((_, c) => Math.max(...table.map((r) => r[c]!.length)));
  for (const r of table) {
    console.log(
      r
        .map((v, c) => (c === 0 ? v.padEnd(widths[c]!) : v.padStart(widths[c]!)))
        .join('  ')
        .trimEnd(),
    );
  }
}

/** The glossary's figures, and the baseline's beside them (the same corpus with the glossary off, say). */
function printGlossary(g: GlossaryFigures, baseline: Baseline | undefined) {
  const base = baseline?.glossary;
  if (baseline && !base) console.log(`\n(${baseline.path} has no glossary figures to compare with)`);
  console.log(
    `\nglossary ${g.file}: ${g.termsSpoken} terms spoken; term recall per utterance (source) and per listener and ` +
      `utterance (translations); WER of the words other than the terms; end of speech → final translated caption`,
  );
  const pct = (r: Recall | undefined) =>
    r === undefined ? '–' : `${r.percent === null ? '–' : `${r.percent}%`} (${r.found}/${r.expected})`;
  const ms = (v: number | null | undefined) => (v === null || v === undefined ? '–' : `${v} ms`);
  const delta = (a: number | null | undefined, b: number | null | undefined, unit: string) =>
    a === null || a === undefined || b === null || b === undefined
      ? ''
      : `${a - b >= 0 ? '+' : ''}${Math.round((a - b) * 10) / 10}${unit}`;
  const header = ['figure', `glossary ${g.session}`, ...(base ? [`glossary ${base.session} (baseline)`, 'Δ'] : [])];
  const table: string[][] = [header];
  const add = (label: string, mine: string, theirs: string, d: string) =>
    table.push([label, mine, ...(base ? [theirs, d] : [])]);
  add(
    'term recall, source',
    pct(g.termRecall.source),
    pct(base?.termRecall.source),
    delta(g.termRecall.source.percent, base?.termRecall.source.percent, ' pt'),
  );
  for (const lang of Object.keys(g.termRecall.byLanguage)) {
    const mine = g.termRecall.byLanguage[lang];
    const theirs = base?.termRecall.byLanguage[lang];
    add(`term recall, ${lang}`, pct(mine), pct(theirs), delta(mine?.percent, theirs?.percent, ' pt'));
  }
  add(
    'WER of the other words',
    `${g.otherWordsWerPercent}%`,
    base ? `${base.otherWordsWerPercent}%` : '–',
    delta(g.otherWordsWerPercent, base?.otherWordsWerPercent, ' pt'),
  );
  add(
    'WER outside the terms (aligned)',
    `${g.outsideTermsWerPercent}%`,
    base ? `${base.outsideTermsWerPercent ?? '–'}%` : '–',
    delta(g.outsideTermsWerPercent, base?.outsideTermsWerPercent, ' pt'),
  );
  add(
    'WER of all words',
    `${g.werPercent}%`,
    base ? `${base.werPercent}%` : '–',
    delta(g.werPercent, base?.werPercent, ' pt'),
  );
  const latency = (label: string, mine: Spread | null | undefined, theirs: Spread | null | undefined) => {
    for (const stat of ['p50', 'p95'] as const) {
      add(`${label} ${stat}`, ms(mine?.[stat]), ms(theirs?.[stat]), delta(mine?.[stat], theirs?.[stat], ' ms'));
    }
  };
  latency('translated caption, all', g.translationFromEndOfSpeechMs.all, base?.translationFromEndOfSpeechMs.all);
  for (const lang of Object.keys(g.translationFromEndOfSpeechMs.byLanguage)) {
    latency(
      `translated caption, ${lang}`,
      g.translationFromEndOfSpeechMs.byLanguage[lang],
      base?.translationFromEndOfSpeechMs.byLanguage[lang],
    );
  }
  const widths = header.map((_, c) => Math.max(...table.map((r) => r[c]!.length)));
  for (const r of table) {
    console.log(
      r
        .map((v, c) => (c === 0 ? v.padEnd(widths[c]!) : v.padStart(widths[c]!)))
        .join('  ')
        .trimEnd(),
    );
  }
  const missed = g.perTerm.filter((t) => t.source.found < t.source.expected).map((t) => t.term);
  console.log(`terms missed in the source at least once: ${missed.length ? missed.join(', ') : 'none'}`);
}

try {
  await run();
} catch (error) {
  console.error(`e2e benchmark could not run: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}

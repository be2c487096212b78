// Benchmark: speech recognition through the whole local system. Streams a corpus of flite-spoken sentences
// (test/corpus) at real time through ingest, one session per voice (a session has one speaker), with 1 and
// with N sessions at once, and reports word error rate
// per voice and overall, the real-time factor of the recogniser, and the delay from the end of speech to
// TranscriptFinalized (p50/p95), with the first and last third of each run compared to show growing lag.
//
//   npm run bench:asr -- [--corpus .llt/corpus | --corpus-set short|long|glossary|hard|noisy]
//                        [--voices slt,rms,awb,kal16] [--per-voice N] [--concurrency 1,4] [--gap-ms 1500]
//                        [--out bench-results/asr.json]
//
// --corpus DIR (the default, .llt/corpus) generates the everyday sentences there, --per-voice (10) per voice.
// --corpus-set generates a project set into its own directory (test/corpus/generate.ts, hard.ts): the flite sets
// with --voices and --per-voice (the set's own number if not given); hard and noisy have fixed compositions
// (long sentences, LibriVox read speech, room noise at 10–20 dB SNR). Word error is also reported per group:
// the source (flite, librivox) and its condition (clean, or the SNR of the added noise), and per condition;
// `--corpus-set noisy` gives the same speech clean and at 15 dB. A session is one speaker in one room: one voice
// at one noise condition.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { createSession, SpeakerClient } from '@llt/cli';
import { CORPUS_SETS, type CorpusSetName, corpusSetOptions, generateCorpus } from '../corpus/generate.ts';
import { generateHardCorpusSet, HARD_CORPUS_SETS, isHardCorpusSet } from '../corpus/hard.ts';
import { type ObservedEvent, tapEvents } from '../support/bus-events.ts';
import { loadUtterances } from '../support/corpus.ts';
import { percentile as pct } from '../support/percentile.ts';
import { spawnSystem } from '../support/spawn.ts';
import { buildTimeline, overlapsSpeech } from '../support/timeline.ts';
import { aggregateWer, wordErrorRate } from '../support/wer.ts';

const { values } = parseArgs({
  options: {
    corpus: { type: 'string' },
    'corpus-set': { type: 'string' },
    voices: { type: 'string', default: 'slt,rms,awb,kal16' },
    /** 10 with --corpus, the set's own number with --corpus-set. */
    'per-voice': { type: 'string' },
    concurrency: { type: 'string', default: '1,4' },
    'gap-ms': { type: 'string', default: '1500' },
    'frame-ms': { type: 'string', default: '100' },
    out: { type: 'string', default: 'bench-results/asr.json' },
  },
});
const gapMs = Number(values['gap-ms']);
const frameMs = Number(values['frame-ms']);

const perVoice = values['per-voice'] === undefined ? undefined : Number(values['per-voice']);
const corpusSet = values['corpus-set'];

/** What every corpus entry is read as: flite entries have no group or SNR (they are `flite clean`). */
type Entry = { name: string; voice: string; text: string; group?: string; snrDb?: number };

async function loadCorpus(): Promise<{ dir: string; entries: Entry[] }> {
  const voices = values.voices.split(',').filter(Boolean);
  if (corpusSet === undefined) {
    const dir = values.corpus ?? '.llt/corpus';
    const { entries } = await generateCorpus(dir, { voices, sentencesPerVoice: perVoice ?? 10 });
    return { dir, entries };
  }
  if (values.corpus !== undefined) throw new Error('--corpus and --corpus-set exclude each other');
  if (isHardCorpusSet(corpusSet)) {
    if (perVoice !== undefined) throw new Error(`--corpus-set ${corpusSet} has a fixed composition: no --per-voice`);
    const { dir, entries } = await generateHardCorpusSet(corpusSet);
    return { dir, entries };
  }
  if (!Object.hasOwn(CORPUS_SETS, corpusSet)) {
    throw new Error(
      `--corpus-set is one of ${[...Object.keys(CORPUS_SETS), ...Object.keys(HARD_CORPUS_SETS)].join(', ')}`,
    );
  }
  const { dir } = CORPUS_SETS[corpusSet as CorpusSetName];
  const { entries } = await generateCorpus(dir, corpusSetOptions(corpusSet as CorpusSetName, voices, perVoice));
  return { dir, entries };
}

const corpus = await loadCorpus();
const utterances = loadUtterances<Entry>(corpus.dir, corpus.entries);
/** The group an utterance's word error is reported in: its source and noise condition. */
const groupOf = (e: Entry) => e.group ?? 'flite clean';
const conditionOf = (e: Entry) => (e.snrDb === undefined ? 'clean' : `${e.snrDb} dB`);

interface UtteranceResult {
  name: string;
  voice: string;
  group: string;
  condition: string;
  reference: string;
  hypothesis: string;
  wer: number;
  finals: number;
  endOfSpeechToFinalMs: number | null;
  endOfSpeechToFinalReceivedMs: number | null;
  firstPartialAfterSpeechStartMs: number | null;
  order: number;
}

/**
 * One session per speaker, a voice in one noise condition: its sentences back to back, with a gap of silence
 * between them (a real speaker's room does not fall silent between sentences: the noise, or its absence, is the
 * same throughout a session, and the recogniser adapts to each session on its own).
 */
const sessionOf = (e: Entry) => (e.snrDb === undefined ? e.voice : `${e.voice} at ${e.snrDb} dB`);
const plans = [...new Set(utterances.map((u) => sessionOf(u.entry)))].map((session) =>
  utterances.filter((u) => sessionOf(u.entry) === session),
);

async function run(concurrency: number) {
  // Admission off: the sessions follow each other, and a closed one keeps its place a while (reconnect grace), which
  // on a busy machine measured at one session would refuse the next; this benchmark measures recognition.
  const system = await spawnSystem({ LLT_SERVICES: 'transcribe', LLT_ADMISSION: 'off' });
  const tap = await tapEvents(system.url);
  try {
    const before = await system.stats();
    const results: UtteranceResult[] = [];
    // `concurrency` sessions speak at once; the next wave starts when they are done.
    for (let wave = 0; wave < plans.length; wave += concurrency) {
      results.push(...(await speak(system, tap, plans.slice(wave, wave + concurrency))));
    }
    await new Promise((r) => setTimeout(r, 2_000)); // the last finals
    const after = await system.stats();
    return summarize(concurrency, results, before, after);
  } finally {
    tap.close();
    await system.stop();
  }
}

async function speak(
  system: Awaited<ReturnType<typeof spawnSystem>>,
  tap: Awaited<ReturnType<typeof tapEvents>>,
  plans: (typeof utterances)[],
): Promise<UtteranceResult[]> {
  const concurrency = plans.length;
  {
    const sessions = await Promise.all(
      plans.map(async (plan) => {
        const session = await createSession(system.url, { sourceLanguage: 'en', targetLanguages: ['es'] });
        const { audio, spans } = buildTimeline(plan, gapMs);
        const client = new SpeakerClient({
          server: system.url,
          sessionId: session.sessionId,
          token: session.speakerToken,
          frameMs,
        });
        await client.connect();
        return { session, client, audio, spans };
      }),
    );
    const streamed = await Promise.all(
      sessions.map(async (s, i) => {
        await new Promise((r) => setTimeout(r, (i * frameMs) / concurrency));
        return s.client.streamRealtime(s.audio);
      }),
    );
    await Promise.all(sessions.map((s) => s.client.drain()));
    await lastFinals(
      tap,
      sessions.map((s, i) => {
        const last = s.spans.at(-1)!;
        const start = streamed[i]!.startTime;
        return {
          sessionId: s.session.sessionId,
          speechStart: start + last.speechStart / 16,
          speechEnd: start + last.speechEnd / 16,
        };
      }),
    );

    const results: UtteranceResult[] = [];
    sessions.forEach((s, i) => {
      const start = streamed[i]!.startTime;
      const mine = (type: string) =>
        tap.events.filter((e) => e.detailType === type && e.detail.sessionId === s.session.sessionId);
      const finals = mine('TranscriptFinalized');
      const partials = mine('TranscriptPartial');
      s.spans.forEach((span, order) => {
        const speechStart = start + span.speechStart / 16;
        const speechEnd = start + span.speechEnd / 16;
        const window = (e: ObservedEvent) =>
          overlapsSpeech(e.detail.capture as { start: number; end: number }, speechStart, speechEnd);
        const matched = finals.filter(window);
        const hypothesis = matched.map((f) => f.detail.text as string).join(' ');
        const last = matched.at(-1);
        const firstPartial = partials.find(window);
        results.push({
          name: span.entry.name,
          voice: span.entry.voice,
          group: groupOf(span.entry),
          condition: conditionOf(span.entry),
          reference: span.entry.text,
          hypothesis,
          wer: wordErrorRate(span.entry.text, hypothesis).wer,
          finals: matched.length,
          endOfSpeechToFinalMs: last ? Math.round((last.detail.occurredAt as number) - speechEnd) : null,
          endOfSpeechToFinalReceivedMs: last ? Math.round(last.receivedAt - speechEnd) : null,
          firstPartialAfterSpeechStartMs: firstPartial ? Math.round(firstPartial.receivedAt - speechStart) : null,
          order,
        });
      });
    });
    for (const s of sessions) await s.client.close();
    return results;
  }
}

/**
 * Waits for the wave's last finals: until every session has a final on its last utterance, or its sessions have
 * said nothing for SETTLE_MS (a recogniser behind real time, as in noise on a busy machine, finishes late; a fixed
 * wait would count its last utterances as unrecognised), at most MAX_SETTLE_MS after the stream.
 */
const SETTLE_MS = 5_000;
const MAX_SETTLE_MS = 90_000;
async function lastFinals(
  tap: Awaited<ReturnType<typeof tapEvents>>,
  lasts: { sessionId: string; speechStart: number; speechEnd: number }[],
): Promise<void> {
  const ids = new Set(lasts.map((l) => l.sessionId));
  const ours = (e: ObservedEvent) => ids.has(e.detail.sessionId as string);
  const done = () =>
    lasts.every((l) =>
      tap.events.some(
        (e) =>
          e.detailType === 'TranscriptFinalized' &&
          e.detail.sessionId === l.sessionId &&
          overlapsSpeech(e.detail.capture as { start: number; end: number }, l.speechStart, l.speechEnd),
      ),
    );
  const until = Date.now() + MAX_SETTLE_MS;
  let seen = tap.events.filter(ours).length;
  let quietSince = Date.now();
  await new Promise((r) => setTimeout(r, 1_500)); // a final's usual delay, and any split's second half
  while (!done() && Date.now() < until && Date.now() - quietSince < SETTLE_MS) {
    await new Promise((r) => setTimeout(r, 250));
    const count = tap.events.filter(ours).length;
    if (count !== seen) {
      seen = count;
      quietSince = Date.now();
    }
  }
}

function summarize(
  concurrency: number,
  results: UtteranceResult[],
  before: Awaited<ReturnType<Awaited<ReturnType<typeof spawnSystem>>['stats']>>,
  after: Awaited<ReturnType<Awaited<ReturnType<typeof spawnSystem>>['stats']>>,
) {
  {
    const voices = [...new Set(results.map((r) => r.voice))];
    const werOf = (rs: UtteranceResult[]) =>
      Math.round(aggregateWer(rs.map((r) => ({ reference: r.reference, hypothesis: r.hypothesis }))).wer * 1000) / 10;
    const delays = results.map((r) => r.endOfSpeechToFinalMs).filter((d): d is number => d !== null);
    const third = Math.max(1, Math.floor(Math.max(...results.map((r) => r.order + 1)) / 3));
    const early = results
      .filter((r) => r.order < third)
      .map((r) => r.endOfSpeechToFinalMs)
      .filter((d): d is number => d !== null);
    const lateMax = Math.max(...results.map((r) => r.order));
    const late = results
      .filter((r) => r.order > lateMax - third)
      .map((r) => r.endOfSpeechToFinalMs)
      .filter((d): d is number => d !== null);
    const busy = (after.counters['transcribe.DecodeBusyMs'] ?? 0) - (before.counters['transcribe.DecodeBusyMs'] ?? 0);
    const audioMs =
      (after.counters['transcribe.AudioDecodedMs'] ?? 0) - (before.counters['transcribe.AudioDecodedMs'] ?? 0);
    const cpuMs =
      after.process.cpuUserMs + after.process.cpuSystemMs - (before.process.cpuUserMs + before.process.cpuSystemMs);
    const wallMs = after.process.uptimeMs - before.process.uptimeMs;
    return {
      concurrency,
      utterances: results.length,
      missing: results.filter((r) => r.finals === 0).map((r) => r.name),
      split: results.filter((r) => r.finals > 1).map((r) => r.name),
      werPercent: {
        overall: werOf(results),
        ...Object.fromEntries(voices.map((v) => [v, werOf(results.filter((r) => r.voice === v))])),
      },
      /** Word error per source and condition (`flite clean`, `librivox 15 dB`, …), and per condition. */
      werByGroup: groupWer(results, (r) => r.group),
      werByCondition: groupWer(results, (r) => r.condition),
      endOfSpeechToFinalMs: { p50: pct(delays, 50), p95: pct(delays, 95), max: pct(delays, 100) },
      lag: { firstThirdP50: pct(early, 50), lastThirdP50: pct(late, 50) },
      endOfSpeechToFinalReceivedMs: {
        p50: pct(
          results.map((r) => r.endOfSpeechToFinalReceivedMs).filter((d): d is number => d !== null),
          50,
        ),
      },
      firstPartialAfterSpeechStartMs: {
        p50: pct(
          results.map((r) => r.firstPartialAfterSpeechStartMs).filter((d): d is number => d !== null),
          50,
        ),
      },
      realTimeFactor: audioMs ? Math.round((busy / audioMs) * 1000) / 1000 : null,
      recogniserFinishMs: after.histograms['transcribe.FinishMs'],
      server: {
        cpuPercentOfOneCore: Math.round((cpuMs / wallMs) * 1000) / 10,
        peakRssMb: Math.round(after.process.maxRssBytes / 1e6),
        eventLoopDelayMs: after.eventLoopDelayMs,
      },
      perUtterance: results,
    };
  }
}

/** Corpus-level WER (percent, one decimal) per key, with the utterances and reference words behind it. */
function groupWer(results: UtteranceResult[], keyOf: (r: UtteranceResult) => string) {
  const keys = [...new Set(results.map(keyOf))];
  return Object.fromEntries(
    keys.map((key) => {
      const rs = results.filter((r) => keyOf(r) === key);
      const w = aggregateWer(rs.map((r) => ({ reference: r.reference, hypothesis: r.hypothesis })));
      return [
        key,
        {
          werPercent: Math.round(w.wer * 1000) / 10,
          utterances: rs.length,
          referenceWords: w.referenceWords,
          missing: rs.filter((r) => r.finals === 0).length,
        },
      ];
    }),
  );
}

const runs = [];
for (const c of values.concurrency.split(',').map(Number)) {
  console.log(`asr benchmark: ${utterances.length} utterances, ${c} concurrent session(s), ${frameMs} ms frames…`);
  const r = await run(c);
  runs.push(r);
  const { perUtterance: _, ...summary } = r;
  console.log(JSON.stringify(summary, null, 2));
}
const out = {
  benchmark: 'asr',
  at: new Date().toISOString(),
  corpus: corpus.dir,
  corpusSet: corpusSet ?? null,
  gapMs,
  frameMs,
  runs,
};
mkdirSync(dirname(values.out), { recursive: true });
writeFileSync(values.out, `${JSON.stringify(out, null, 2)}\n`);
for (const r of runs) {
  console.log(
    `${r.concurrency} session(s): WER ${r.werPercent.overall}% | end of speech → final p50 ${r.endOfSpeechToFinalMs.p50} ms, p95 ${r.endOfSpeechToFinalMs.p95} ms` +
      ` (first third ${r.lag.firstThirdP50}, last third ${r.lag.lastThirdP50}) | RTF ${r.realTimeFactor} | missing ${r.missing.length}`,
  );
  const rows = [
    ...Object.entries(r.werByGroup),
    ...Object.entries(r.werByCondition).map(([k, v]) => [`all ${k}`, v] as const),
  ];
  if (Object.keys(r.werByGroup).length > 1) {
    const width = Math.max(...rows.map(([k]) => k.length));
    for (const [key, g] of rows) {
      console.log(
        `  WER ${key.padEnd(width)} ${`${g.werPercent}%`.padStart(7)}  (${g.utterances} utterances, ${g.referenceWords} words${g.missing ? `, ${g.missing} without a final` : ''})`,
      );
    }
  }
}
console.log(`written to ${values.out}`);

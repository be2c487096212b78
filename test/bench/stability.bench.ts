// Benchmark: how good the recogniser's stable words are, without the rest of the system. Each utterance of the
// long corpus is fed at its own pace (audio time, not wall time) through the transcribe service's session logic
// and PocketSphinx; for every utterance it compares the TranscriptStabilized increments with the final text:
// how many words were handed out, how many of them the final kept (the translator keeps an increment only when
// the final text still begins with it), and how long after it was spoken each word became stable (against the
// reference timing of an even speaking pace). Tunes LLT_STABLE_AGREEMENT_MS / LLT_STABLE_MIN_WORDS before an
// end-to-end run.
//
//   npm run bench:stability -- [--corpus-set long] [--agreement-ms 300] [--min-words 2] [--search accurate|fast]
//                              [--out bench-results/stability.json]
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { PocketSphinxRecognizer } from '../../services/transcribe/src/adapters/pocketsphinx.ts';
import { DEFAULT_ENDPOINTER } from '../../services/transcribe/src/core/endpointer.ts';
import { SessionTranscriber, type TranscriptSink } from '../../services/transcribe/src/core/session.ts';
import { CORPUS_SETS, corpusSetOptions, generateCorpus } from '../corpus/generate.ts';
import { loadUtterances } from '../support/corpus.ts';
import { spread } from '../support/percentile.ts';
import { aggregateWer, wordErrorRate } from '../support/wer.ts';

const { values } = parseArgs({
  options: {
    'corpus-set': { type: 'string', default: 'long' },
    voices: { type: 'string', default: 'slt,rms,awb,kal16' },
    'agreement-ms': { type: 'string', default: '300' },
    'min-words': { type: 'string', default: '2' },
    'clause-words': { type: 'string', default: '6' },
    search: { type: 'string', default: 'accurate' },
    'frame-ms': { type: 'string', default: '100' },
    out: { type: 'string', default: 'bench-results/stability.json' },
  },
});
const set = values['corpus-set'] as keyof typeof CORPUS_SETS;
if (!(set in CORPUS_SETS)) throw new Error(`--corpus-set is one of ${Object.keys(CORPUS_SETS).join(', ')}`);
const dir = CORPUS_SETS[set].dir;
const corpus = await generateCorpus(dir, corpusSetOptions(set, values.voices.split(',')));
const utterances = loadUtterances(dir, corpus.entries);
const frameMs = Number(values['frame-ms']);
const stability = {
  agreementMs: Number(values['agreement-ms']),
  minIncrementWords: Number(values['min-words']),
  clauseWords: Number(values['clause-words']),
};
const recognizer = new PocketSphinxRecognizer(
  values.search === 'fast' ? { extraArgs: { '-fwdflat': 'no', '-bestpath': 'no' } } : {},
);

const words = (text: string) => text.split(/\s+/).filter(Boolean);
interface Row {
  name: string;
  final: string;
  increments: { text: string; atMs: number; clause?: number }[];
  finalWords: number;
  shownWords: number;
  keptWords: number;
  allKept: boolean;
  lagMs: number | null;
  firstStableMs: number | null;
  reference: string;
  wer: number;
}
const rows: Row[] = [];
for (const u of utterances) {
  const stream = await recognizer.open('s_probe', 'en');
  const increments: { text: string; at: number; stableWords: number; clause?: number }[] = [];
  // The endpointer may cut a long utterance: its finals (and their increments) are taken together, in order.
  const finals: string[] = [];
  const sink: TranscriptSink = {
    partial: async () => undefined,
    stable: async (i) => {
      increments.push({
        text: i.text,
        at: i.captureEnd,
        stableWords: i.stableWords,
        ...(i.clause ? { clause: i.clause.index } : {}),
      });
    },
    final: async (f) => {
      finals.push(f.text);
    },
  };
  let clock = 0;
  const session = new SessionTranscriber(
    's_probe',
    stream,
    sink,
    {
      endpointer: { ...DEFAULT_ENDPOINTER },
      preRollMs: 300,
      partialIntervalMs: 250,
      speculateAfterMs: 100,
      stability,
    },
    () => clock,
  );
  // 0.5 s of silence before, the utterance, 1 s after; capture time is the audio's own timeline (ms).
  const samples = new Int16Array(u.samples.length + 24_000);
  samples.set(u.samples, 8_000);
  const perFrame = (frameMs * 16_000) / 1000;
  for (let seq = 0, at = 0; at < samples.length; seq++, at += perFrame) {
    clock = (at / 16_000) * 1000;
    const frame = samples.subarray(at, at + perFrame);
    await session.audio(
      {
        v: 1,
        kind: 'audio',
        sessionId: 's_probe',
        seq,
        captureTime: clock,
        receivedAt: clock,
        sampleRate: 16_000,
        channels: 1,
        encoding: 's16le',
        samples: frame.length,
      },
      frame,
    );
  }
  await session.flush('end');
  await session.release();
  const speechStart = 500 + (u.span.first / 16_000) * 1000;
  const speechEnd = 500 + (u.span.last / 16_000) * 1000;
  const finalText = finals.join(' ');
  const finalWords = words(finalText);
  const shown = increments.flatMap((i) => words(i.text));
  let kept = 0;
  for (const inc of increments) {
    const w = words(inc.text);
    const from = increments.slice(0, increments.indexOf(inc)).reduce((n, i) => n + words(i.text).length, 0);
    if (kept !== from) break;
    if (w.every((x, k) => x.toLowerCase() === finalWords[from + k]?.toLowerCase())) kept += w.length;
    else break;
  }
  // Lag of each handed-out word behind an even speaking pace over the speech (the LAAL-style ideal).
  const pace = (speechEnd - speechStart) / Math.max(1, finalWords.length);
  const lags: number[] = [];
  let index = 0;
  for (const inc of increments)
    for (const _ of words(inc.text)) lags.push(inc.at - (speechStart + pace * (++index - 1)) - pace);
  rows.push({
    name: u.entry.name,
    final: finalText,
    increments: increments.map((i) => ({
      text: i.text,
      atMs: Math.round(i.at - speechStart),
      ...(i.clause === undefined ? {} : { clause: i.clause }),
    })),
    finalWords: finalWords.length,
    shownWords: shown.length,
    keptWords: kept,
    allKept: kept === shown.length,
    lagMs: lags.length ? Math.round(lags.reduce((a, b) => a + b, 0) / lags.length) : null,
    firstStableMs: increments.length ? Math.round(increments[0]!.at - speechStart) : null,
    reference: u.entry.text,
    wer: wordErrorRate(u.entry.text, finalText).wer,
  });
}

const total = (k: 'finalWords' | 'shownWords' | 'keptWords') => rows.reduce((n, r) => n + r[k], 0);
const summary = {
  utterances: rows.length,
  allKept: rows.filter((r) => r.allKept).length,
  shownPerFinalWord: total('shownWords') / total('finalWords'),
  keptPerShownWord: total('keptWords') / Math.max(1, total('shownWords')),
  incrementsPerUtterance: rows.reduce((n, r) => n + r.increments.length, 0) / rows.length,
  lagMs: spread(rows.flatMap((r) => (r.lagMs === null ? [] : [r.lagMs]))),
  firstStableMs: spread(rows.flatMap((r) => (r.firstStableMs === null ? [] : [r.firstStableMs]))),
  werPercent:
    Math.round(aggregateWer(rows.map((r) => ({ reference: r.reference, hypothesis: r.final }))).wer * 1000) / 10,
};
for (const r of rows) {
  console.log(`${r.name}: kept ${r.keptWords}/${r.shownWords} shown of ${r.finalWords} | ${r.final}`);
  console.log(
    `   ${r.increments.map((i) => `[${i.atMs}] ${i.text}${i.clause === undefined ? '' : ` ‖${i.clause}`}`).join(' | ')}`,
  );
}
console.log(
  `\nagreement ${stability.agreementMs} ms, min ${stability.minIncrementWords} words, search ${values.search}: ` +
    `${summary.allKept}/${summary.utterances} utterances kept every shown word; shown ${(summary.shownPerFinalWord * 100).toFixed(0)}% of final words, ` +
    `kept ${(summary.keptPerShownWord * 100).toFixed(0)}% of shown; ${summary.incrementsPerUtterance.toFixed(1)} increments per utterance; ` +
    `final WER ${summary.werPercent}%; lag behind an even pace p50 ${summary.lagMs.p50} ms; first stable word p50 ${summary.firstStableMs.p50} ms after speech start`,
);
mkdirSync(dirname(values.out), { recursive: true });
writeFileSync(
  values.out,
  `${JSON.stringify({ benchmark: 'stability', at: new Date().toISOString(), stability, search: values.search, summary, rows }, null, 2)}\n`,
);
console.log(`written to ${values.out}`);

// Benchmark: speech recognition through the whole local system. Streams a corpus of flite-spoken sentences
// (test/corpus) at real time through ingest, one session per voice (a session has one speaker), with 1 and
// with N sessions at once, and reports word error rate
// per voice and overall, the real-time factor of the recogniser, and the delay from the end of speech to
// TranscriptFinalized (p50/p95), with the first and last third of each run compared to show growing lag.
//
//   npm run bench:asr -- [--corpus .llt/corpus] [--voices slt,rms,awb,kal16] [--per-voice 10]
//                        [--concurrency 1,4] [--gap-ms 1500] [--out bench-results/asr.json]
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { createSession, SpeakerClient } from '@llt/cli';
import { generateCorpus } from '../corpus/generate.ts';
import { type ObservedEvent, tapEvents } from '../support/bus-events.ts';
import { loadUtterances } from '../support/corpus.ts';
import { percentile as pct } from '../support/percentile.ts';
import { spawnSystem } from '../support/spawn.ts';
import { buildTimeline, overlapsSpeech } from '../support/timeline.ts';
import { aggregateWer, wordErrorRate } from '../support/wer.ts';

const { values } = parseArgs({
  options: {
    corpus: { type: 'string', default: '.llt/corpus' },
    voices: { type: 'string', default: 'slt,rms,awb,kal16' },
    'per-voice': { type: 'string', default: '10' },
    concurrency: { type: 'string', default: '1,4' },
    'gap-ms': { type: 'string', default: '1500' },
    'frame-ms': { type: 'string', default: '100' },
    out: { type: 'string', default: 'bench-results/asr.json' },
  },
});
const gapMs = Number(values['gap-ms']);
const frameMs = Number(values['frame-ms']);

const corpus = await generateCorpus(values.corpus, {
  voices: values.voices.split(','),
  sentencesPerVoice: Number(values['per-voice']),
});
const utterances = loadUtterances(values.corpus, corpus.entries);

interface UtteranceResult {
  name: string;
  voice: string;
  reference: string;
  hypothesis: string;
  wer: number;
  finals: number;
  endOfSpeechToFinalMs: number | null;
  endOfSpeechToFinalReceivedMs: number | null;
  firstPartialAfterSpeechStartMs: number | null;
  order: number;
}

/** One session per voice: its sentences back to back, with a gap of silence between them. */
const plans = [...new Set(utterances.map((u) => u.entry.voice))].map((voice) =>
  utterances.filter((u) => u.entry.voice === voice),
);

async function run(concurrency: number) {
  const system = await spawnSystem({ LLT_SERVICES: 'transcribe' });
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
    await new Promise((r) => setTimeout(r, 1_500)); // the last finals of this wave

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

const runs = [];
for (const c of values.concurrency.split(',').map(Number)) {
  console.log(`asr benchmark: ${utterances.length} utterances, ${c} concurrent session(s), ${frameMs} ms frames…`);
  const r = await run(c);
  runs.push(r);
  const { perUtterance: _, ...summary } = r;
  console.log(JSON.stringify(summary, null, 2));
}
const out = { benchmark: 'asr', at: new Date().toISOString(), corpus: values.corpus, gapMs, frameMs, runs };
mkdirSync(dirname(values.out), { recursive: true });
writeFileSync(values.out, `${JSON.stringify(out, null, 2)}\n`);
for (const r of runs) {
  console.log(
    `${r.concurrency} session(s): WER ${r.werPercent.overall}% | end of speech → final p50 ${r.endOfSpeechToFinalMs.p50} ms, p95 ${r.endOfSpeechToFinalMs.p95} ms` +
      ` (first third ${r.lag.firstThirdP50}, last third ${r.lag.lastThirdP50}) | RTF ${r.realTimeFactor} | missing ${r.missing.length}`,
  );
}
console.log(`written to ${values.out}`);

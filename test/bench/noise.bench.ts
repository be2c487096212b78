// Benchmark: speech recognition in noise and how soon each utterance ends, without the rest of the system. Each
// speaker's utterances are fed back to back (a gap between them) through the transcribe service's session logic
// (endpointer, noise suppression, voice detection) and PocketSphinx, at the audio's own pace (audio time, not wall
// time), clean or mixed with generated noise at a given signal-to-noise ratio that runs through the gaps too, as
// room noise does. Reports word error rate per set (over each speaker's whole run, so a split or merged
// utterance costs nothing by itself) and the delay from the end of speech to the final transcript of each
// utterance: the audio time the endpointer waited (until the end of the frame that ended it; deterministic), plus
// the wall time of that frame (mostly the recogniser's final pass; depends on the machine's load).
//
//   node --import tsx test/bench/noise.bench.ts [--sets flite,long,librivox,DIR] [--noise none,pink] [--snr 15] [--denoise on,off]
//                                             [--vad energy,webrtc,rnnoise] [--search fast|accurate]
//                                             [--gaps noise|silence] [--prefix clean|noisy15]
//                                             [--sentence-end off|MS:LOG10[,MS:LOG10…]]
//                                             [--per-voice 5] [--out bench-results/noise.json]
//
// Every combination of --noise × --denoise × --vad is run. Sets: flite = .llt/corpus (synthetic sentences),
// long = .llt/corpus-long (long synthetic sentences), librivox = PocketSphinx's test recordings of a human reader,
// or a corpus folder (with --prefix, only its files of one condition: `--sets .llt/corpus-noisy --prefix noisy15
// --noise none` runs the noisy corpus' own files). --gaps silence leaves the gaps between files digitally silent, as
// a file-based stream has them, instead of carrying the noise through. --sentence-end ends an utterance after MS
// of silence when the recogniser's language model gives its words' sentence end at least that log10 probability
// (LLT_ASR_SENTENCE_END's rules; off by default here, so --hangover alone is what is measured); each final over the
// utterances is a sentence split at a pause, and the log10 probabilities asked at utterance ends and at pauses are
// printed (`--sentence-end=1000:-99` asks without ending anything sooner).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { readWav } from '@llt/cli';
import { createAudioFrontEnd, loadAudioFrontEnd } from '../../services/transcribe/src/adapters/audio-front-end.ts';
import { PocketSphinxRecognizer } from '../../services/transcribe/src/adapters/pocketsphinx.ts';
import { parseSentenceEndRules } from '../../services/transcribe/src/config.ts';
import { DEFAULT_ENDPOINTER } from '../../services/transcribe/src/core/endpointer.ts';
import { SessionTranscriber, type TranscriptSink } from '../../services/transcribe/src/core/session.ts';
import { uniforms } from '../corpus/noise.ts';
import { voicedSpan } from '../support/audio.ts';
import { readCorpusDir } from '../support/corpus.ts';
import { spread } from '../support/percentile.ts';
import { aggregateWer } from '../support/wer.ts';

const { values } = parseArgs({
  options: {
    sets: { type: 'string', default: 'flite,long,librivox' },
    voices: { type: 'string', default: 'slt,rms,awb,kal16' },
    'per-voice': { type: 'string', default: '5' },
    noise: { type: 'string', default: 'none,room,pink' },
    snr: { type: 'string', default: '15' },
    denoise: { type: 'string', default: 'off,on' },
    vad: { type: 'string', default: 'energy' },
    // The service's default while translating as the speaker talks (LLT_ASR_SEARCH).
    search: { type: 'string', default: 'fast' },
    'gap-ms': { type: 'string', default: '1500' },
    gaps: { type: 'string', default: 'noise' },
    prefix: { type: 'string', default: '' },
    'frame-ms': { type: 'string', default: '100' },
    hangover: { type: 'string', default: String(DEFAULT_ENDPOINTER.hangoverMs) },
    // Ending at a likely sentence end (SessionSettings.sentenceEnd): MS:LOG10 rules (as LLT_ASR_SENTENCE_END), or off.
    'sentence-end': { type: 'string', default: 'off' },
    extra: { type: 'string', default: '' },
    out: { type: 'string', default: 'bench-results/noise.json' },
  },
});
const frameMs = Number(values['frame-ms']);
const gapMs = Number(values['gap-ms']);
const snrDb = Number(values.snr);
const list = (s: string) => s.split(',').filter(Boolean);

interface Utterance {
  name: string;
  text: string;
  samples: Int16Array;
}
interface Speaker {
  set: string;
  voice: string;
  utterances: Utterance[];
}

const LIBRIVOX = '/usr/share/pocketsphinx/test/data/librivox';

function loadSet(set: string): Speaker[] {
  if (set === 'librivox') {
    const lines = readFileSync(join(LIBRIVOX, 'transcription'), 'utf8').trim().split('\n');
    const utterances = lines.map((line) => {
      const match = /^<s> (.*) <\/s> \((.*)\)$/.exec(line.trim());
      if (!match) throw new Error(`unexpected transcription line: ${line}`);
      return { name: match[2]!, text: match[1]!, samples: readWav(join(LIBRIVOX, `${match[2]}.wav`)).samples };
    });
    return [{ set, voice: 'librivox', utterances }];
  }
  const dir = set === 'flite' ? '.llt/corpus' : set === 'long' ? '.llt/corpus-long' : set;
  if (!existsSync(dir)) throw new Error(`${dir} is missing: run npm run bench:stability or bench:asr once to make it`);
  const { entries } = readCorpusDir(dir);
  const perVoice = set === 'flite' ? Number(values['per-voice']) : Number.POSITIVE_INFINITY;
  return list(values.voices)
    .map((voice) => ({
      set,
      voice,
      utterances: entries
        .filter(
          (e) =>
            e.name.replace(/^(long|clean|noisy\d+)-/, '').startsWith(`${voice}-`) &&
            e.name.startsWith(values.prefix ?? ''),
        )
        .slice(0, perVoice)
        .map((e) => ({ name: e.name, text: e.text, samples: readWav(join(dir, `${e.name}.wav`)).samples })),
    }))
    .filter((s) => s.utterances.length > 0);
}

/**
 * `length` samples of unit-RMS noise: white, pink (Paul Kellet's filter), room (pink low-passed at 2 kHz, like the
 * corpus helper's room noise) or brown (leaky integral of white).
 */
function noise(kind: string, length: number, seed: number): Float64Array {
  const rand = uniforms(seed);
  const out = new Float64Array(length);
  let b0 = 0;
  let b1 = 0;
  let b2 = 0;
  let b3 = 0;
  let b4 = 0;
  let b5 = 0;
  let b6 = 0;
  let brown = 0;
  for (let i = 0; i < length; i++) {
    const white = rand() * 2 - 1;
    if (kind === 'white') out[i] = white;
    else if (kind === 'pink' || kind === 'room') {
      b0 = 0.99886 * b0 + white * 0.0555179;
      b1 = 0.99332 * b1 + white * 0.0750759;
      b2 = 0.969 * b2 + white * 0.153852;
      b3 = 0.8665 * b3 + white * 0.3104856;
      b4 = 0.55 * b4 + white * 0.5329522;
      b5 = -0.7616 * b5 - white * 0.016898;
      out[i] = b0 + b1 + b2 + b3 + b4 + b5 + b6 + white * 0.5362;
      b6 = white * 0.115926;
    } else if (kind === 'brown') {
      brown = 0.995 * brown + white * 0.1;
      out[i] = brown;
    } else throw new Error(`unknown noise ${kind}`);
  }
  if (kind === 'room') lowPass(out, 2_000);
  let power = 0;
  for (const x of out) power += x * x;
  const rms = Math.sqrt(power / length);
  for (let i = 0; i < length; i++) out[i]! /= rms;
  return out;
}

/** Second-order Butterworth low-pass at `cutoff` Hz (16 kHz), in place. */
function lowPass(x: Float64Array, cutoff: number): void {
  const w = Math.tan((Math.PI * cutoff) / 16_000);
  const norm = 1 / (1 + Math.SQRT2 * w + w * w);
  const b0 = w * w * norm;
  const a1 = 2 * (w * w - 1) * norm;
  const a2 = (1 - Math.SQRT2 * w + w * w) * norm;
  let x1 = 0;
  let x2 = 0;
  let y1 = 0;
  let y2 = 0;
  for (let i = 0; i < x.length; i++) {
    const y = b0 * (x[i]! + 2 * x1 + x2) - a1 * y1 - a2 * y2;
    x2 = x1;
    x1 = x[i]!;
    y2 = y1;
    y1 = y;
    x[i] = y;
  }
}

const LEAD_MS = 1_000;

/** The speaker's run: lead, then each utterance followed by a gap, with noise over all of it at `snr` dB. */
function mix(speaker: Speaker, noiseKind: string, seed: number) {
  const gap = (gapMs * 16_000) / 1000;
  const lead = (LEAD_MS * 16_000) / 1000;
  const length = lead + speaker.utterances.reduce((n, u) => n + u.samples.length + gap, 0);
  const clean = new Float64Array(length);
  const spans: { start: number; end: number; from: number }[] = [];
  const files: [number, number][] = [];
  let at = lead;
  let speechPower = 0;
  let speechSamples = 0;
  for (const u of speaker.utterances) {
    clean.set(u.samples, at);
    const span = voicedSpan(u.samples);
    if (!span) throw new Error(`${u.name} holds no speech`);
    for (let i = span.first; i <= span.last; i++) speechPower += u.samples[i]! ** 2;
    speechSamples += span.last - span.first + 1;
    spans.push({ from: at, start: at + span.first, end: at + span.last });
    files.push([at, at + u.samples.length]);
    at += u.samples.length + gap;
  }
  const out = new Int16Array(length);
  const speechRms = Math.sqrt(speechPower / speechSamples);
  const n = noiseKind === 'none' ? undefined : noise(noiseKind, length, seed);
  const gain = speechRms / 10 ** (snrDb / 20);
  for (let i = 0; i < length; i++) {
    out[i] = Math.max(-32768, Math.min(32767, Math.round(clean[i]! + (n ? n[i]! * gain : 0))));
  }
  if (values.gaps === 'silence') {
    let from = 0;
    for (const [start, end] of files) {
      out.fill(0, from, start);
      from = end;
    }
    out.fill(0, from);
  }
  return { samples: out, spans };
}

const extraArgs: Record<string, string> = {};
for (const pair of list(values.extra)) {
  const [k, v] = pair.split('=');
  extraArgs[k!] = v!;
}
if (values.search === 'fast') Object.assign(extraArgs, { '-fwdflat': 'no', '-bestpath': 'no' });
const recognizer = new PocketSphinxRecognizer({ extraArgs });

interface Final {
  text: string;
  captureStart: number;
  /** Audio time at the end of the frame that published it. */
  decidedAt: number;
  /** Wall time that frame had taken when it was published (mostly the recogniser's final pass). */
  wallMs: number;
}

async function runSpeaker(
  speaker: Speaker,
  noiseKind: string,
  denoise: boolean,
  vad: 'energy' | 'webrtc',
  seed: number,
) {
  const { samples, spans } = mix(speaker, noiseKind, seed);
  const stream = await recognizer.open('s_noise', 'en');
  // Every look at how likely a sentence ends (with --sentence-end): which words, and what the model said.
  const probes: { words: string; logProb: number | undefined }[] = [];
  const ask = stream.sentenceEndLogProb?.bind(stream);
  if (ask) {
    stream.sentenceEndLogProb = (words) => {
      const logProb = ask(words);
      probes.push({ words: words.join(' '), logProb });
      return logProb;
    };
  }
  const finals: Final[] = [];
  let clock = 0;
  /** Audio time at the end of the frame being handled, plus the wall time it has taken so far. */
  let frameEnd = 0;
  let frameStarted = 0;
  const sink: TranscriptSink = {
    partial: async () => undefined,
    stable: async () => undefined,
    final: async (f) => {
      finals.push({
        text: f.text,
        captureStart: f.captureStart,
        decidedAt: frameEnd,
        wallMs: performance.now() - frameStarted,
      });
    },
  };
  const session = new SessionTranscriber(
    's_noise',
    stream,
    sink,
    {
      endpointer: { ...DEFAULT_ENDPOINTER, hangoverMs: Number(values.hangover) },
      preRollMs: 300,
      partialIntervalMs: 250,
      speculateAfterMs: 100,
      sentenceEnd: parseSentenceEndRules(values['sentence-end']),
      frontEnd: () => createAudioFrontEnd({ denoise, vad }),
    },
    () => clock,
  );
  const perFrame = (frameMs * 16_000) / 1000;
  let busy = 0;
  for (let seq = 0, at = 0; at < samples.length; seq++, at += perFrame) {
    clock = (at / 16_000) * 1000;
    const frame = samples.subarray(at, at + perFrame);
    frameEnd = clock + (frame.length / 16_000) * 1000;
    frameStarted = performance.now();
    await session.audio(
      {
        v: 1,
        kind: 'audio',
        sessionId: 's_noise',
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
    busy += performance.now() - frameStarted;
  }
  clock = (samples.length / 16_000) * 1000;
  frameEnd = clock;
  frameStarted = performance.now();
  await session.flush('end');
  await session.release();
  const ms = (s: number) => (s / 16_000) * 1000;
  // Each final belongs to the utterance whose stretch of the run (from its start to the next one's) it starts in.
  const last = spans.map((span, i) => {
    const until = i + 1 < spans.length ? ms(spans[i + 1]!.from) : Number.POSITIVE_INFINITY;
    const own = finals.filter((f) => f.captureStart >= ms(span.from) - 500 && f.captureStart < until - 500);
    return own.length ? { final: own[own.length - 1]!, end: ms(span.end) } : null;
  });
  // A look whose words are a whole final was at the end of that utterance; any other, at a pause within one.
  const finalWords = new Set(finals.map((f) => f.text.toLowerCase()));
  return {
    endLogProbs: {
      atEnd: probes.filter((p) => finalWords.has(p.words)).map((p) => p.logProb ?? null),
      atPause: probes.filter((p) => !finalWords.has(p.words)).map((p) => p.logProb ?? null),
    },
    reference: speaker.utterances.map((u) => u.text).join(' '),
    hypothesis: finals.map((f) => f.text).join(' '),
    decisions: last.map((l) => (l ? l.final.decidedAt - l.end : null)),
    delays: last.map((l) => (l ? l.final.decidedAt - l.end + l.final.wallMs : null)),
    finals: finals.length,
    audioMs: ms(samples.length),
    busyMs: busy,
  };
}

const loadStarted = performance.now();
await loadAudioFrontEnd();
console.log(`front end loaded in ${Math.round(performance.now() - loadStarted)} ms`);
const speakers = list(values.sets).flatMap(loadSet);
const rows = [];
for (const noiseKind of list(values.noise)) {
  for (const denoise of list(values.denoise)) {
    for (const vad of list(values.vad) as ('energy' | 'webrtc')[]) {
      for (const set of list(values.sets)) {
        const results = [];
        for (const [i, speaker] of speakers.filter((s) => s.set === set).entries()) {
          results.push(await runSpeaker(speaker, noiseKind, denoise === 'on', vad, 1000 + i));
        }
        const wer = aggregateWer(results.map((r) => ({ reference: r.reference, hypothesis: r.hypothesis })));
        const delays = results.flatMap((r) => r.delays);
        const row = {
          set,
          noise: noiseKind === 'none' ? 'clean' : `${noiseKind} ${snrDb} dB`,
          denoise,
          vad,
          werPercent: Math.round(wer.wer * 1000) / 10,
          errors: { s: wer.substitutions, d: wer.deletions, i: wer.insertions, words: wer.referenceWords },
          endOfSpeechToFinalMs: spread(delays),
          endOfSpeechToDecisionMs: spread(results.flatMap((r) => r.decisions)),
          notEnded: delays.filter((d) => d === null).length,
          utterances: delays.length,
          finals: results.reduce((n, r) => n + r.finals, 0),
          realTimeFactor:
            Math.round(
              (results.reduce((n, r) => n + r.busyMs, 0) / results.reduce((n, r) => n + r.audioMs, 0)) * 1000,
            ) / 1000,
          hypotheses: results.map((r) => r.hypothesis),
          endLogProbs: {
            atEnd: results.flatMap((r) => r.endLogProbs.atEnd),
            atPause: results.flatMap((r) => r.endLogProbs.atPause),
          },
        };
        rows.push(row);
        const d = row.endOfSpeechToFinalMs;
        const e = row.endOfSpeechToDecisionMs;
        console.log(
          `${set.padEnd(9)} ${row.noise.padEnd(12)} denoise ${denoise.padEnd(3)} vad ${vad.padEnd(6)}: WER ${row.werPercent.toFixed(1).padStart(5)}% ` +
            `(S${wer.substitutions} D${wer.deletions} I${wer.insertions} / ${wer.referenceWords}), end→final p50 ${d.p50} p95 ${d.p95} max ${d.max} ms (audio-time decision p50 ${e.p50} p95 ${e.p95}), ` +
            `${row.finals} finals for ${row.utterances} utterances (${row.notEnded} without), RTF ${row.realTimeFactor}`,
        );
        if (values['sentence-end'] !== 'off') {
          const quartiles = (xs: (number | null)[]) => {
            const known = xs.filter((x): x is number => x !== null).sort((a, b) => a - b);
            const at = (q: number) => known[Math.min(known.length - 1, Math.floor(q * known.length))]?.toFixed(2);
            return `${xs.length} (${xs.length - known.length} unknown), log10 P quartiles ${at(0.25)} / ${at(0.5)} / ${at(0.75)}`;
          };
          console.log(
            `  sentence end asked at utterance ends: ${quartiles(row.endLogProbs.atEnd)}; at pauses: ${quartiles(row.endLogProbs.atPause)}`,
          );
        }
      }
    }
  }
}
mkdirSync(dirname(values.out), { recursive: true });
writeFileSync(
  values.out,
  `${JSON.stringify({ benchmark: 'noise', at: new Date().toISOString(), options: values, rows }, null, 2)}\n`,
);
console.log(`written to ${values.out}`);

// Benchmark: how intelligible and how fast the local voices are. Intelligibility proxy: each English-capable voice
// speaks the corpus sentences, the audio (resampled to 16 kHz) is read back by PocketSphinx (en-us), and the word
// error rate is counted per voice; flite, whose voices the recogniser hears best, is the reference. Speed:
// synthesis time per sentence per voice, and through the local speech engine (text to MP3) per product language,
// on the corpus sentences translated by the local Apertium routes.
//
//   node --import tsx test/bench/voices.bench.ts [--sentences 30] [--languages es,ca,fr,it,pt,oc,gl,eo]
//                                                [--out bench-results/voices.json]
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { readWav, toMono16k } from '@llt/cli';
import { DEFAULT_FESTIVAL_VOICES_DIR, DEFAULT_PICO_DIR, resolveLocalVoices } from '@llt/synthesize/capabilities/local';
import { findApertiumRoute } from '@llt/translate/capabilities/local';
import { Espeak } from '../../services/synthesize/src/adapters/espeak.ts';
import type { Pcm } from '../../services/synthesize/src/adapters/espeak-wasm.ts';
import { FestivalVoice } from '../../services/synthesize/src/adapters/festival.ts';
import { LocalSpeechEngine } from '../../services/synthesize/src/adapters/local-speech.ts';
import { PicoVoice, picoSafeText } from '../../services/synthesize/src/adapters/pico.ts';
import { trimSilence } from '../../services/synthesize/src/adapters/speech-output.ts';
import { PocketSphinxRecognizer } from '../../services/transcribe/src/adapters/pocketsphinx.ts';
import { SENTENCES } from '../corpus/sentences.ts';
import { percentile } from '../support/percentile.ts';
import { aggregateWer, wordErrorRate } from '../support/wer.ts';

const run = promisify(execFile);

const { values } = parseArgs({
  options: {
    sentences: { type: 'string', default: '30' },
    languages: { type: 'string', default: 'es,ca,fr,it,pt,oc,gl,eo' },
    out: { type: 'string', default: 'bench-results/voices.json' },
  },
});
const sentences = SENTENCES.slice(0, Number(values.sentences));
const languages = values.languages.split(',').filter(Boolean);

/** An English-capable voice: text to PCM at any rate. */
interface BenchVoice {
  name: string;
  kind: string;
  synthesize(text: string): Promise<Pcm>;
  close?(): void;
}

/** What the recogniser hears around each sentence, as in the spoken corpus. */
const PAD_MS = 300;

async function englishVoices(): Promise<{ voices: BenchVoice[]; skipped: Record<string, string> }> {
  const voices: BenchVoice[] = [];
  const skipped: Record<string, string> = {};

  const espeak = new Espeak();
  voices.push({ name: 'espeak-ng:en-us', kind: 'formant', synthesize: (t) => espeak.synthesize(t, 'en-us') });

  const pico = resolveLocalVoices().en?.find((v) => v.engine === 'pico');
  if (pico?.engine === 'pico') {
    const voice = await PicoVoice.load({ locale: pico.voice, ...pico });
    // As the local engine speaks: 60 % volume (no clipping), silence trimmed.
    voices.push({
      name: `pico:${pico.voice}`,
      kind: 'hts',
      synthesize: async (t) => trimSilence(voice.synthesize(`<volume level="60">${picoSafeText(t)}`)),
    });
  } else skipped['pico:en-US'] = `no en-US voice data in ${DEFAULT_PICO_DIR}`;

  // Festival's English voices are folders under voices/english (festvox-kallpc16k, festvox-us-slt-hts, …).
  const englishDir = join(DEFAULT_FESTIVAL_VOICES_DIR, 'english');
  const festivalEnglish = existsSync(englishDir) ? readdirSync(englishDir) : [];
  if (festivalEnglish.length > 0) {
    for (const name of festivalEnglish) {
      const festival = new FestivalVoice({ voice: name });
      voices.push({
        name: `festival:${name}`,
        kind: 'festival',
        synthesize: (t) => festival.synthesize(t),
        close: () => festival.close(),
      });
    }
  } else skipped['festival (English)'] = `no English festival voice installed (${englishDir} is empty or missing)`;

  // flite runs as a process per sentence, so its time includes starting it (~10 ms).
  for (const flite of ['slt', 'rms']) {
    const scratch = mkdtempSync(join(tmpdir(), 'llt-voices-bench-'));
    voices.push({
      name: `flite:${flite}`,
      kind: 'reference',
      synthesize: async (t) => {
        const path = join(scratch, `${flite}.wav`);
        await run('flite', ['-voice', flite, '-t', t, '-o', path]);
        const wav = readWav(path);
        return { samples: wav.samples, sampleRate: wav.sampleRate };
      },
      close: () => rmSync(scratch, { recursive: true, force: true }),
    });
  }
  return { voices, skipped };
}

function padded16k(pcm: Pcm): Int16Array {
  const speech = toMono16k({ samples: pcm.samples, sampleRate: pcm.sampleRate, channels: 1 });
  const pad = (PAD_MS * 16_000) / 1000;
  const out = new Int16Array(speech.length + 2 * pad);
  out.set(speech, pad);
  return out;
}

async function intelligibility(voice: BenchVoice) {
  const recognizer = new PocketSphinxRecognizer();
  const stream = await recognizer.open(`bench-${voice.name}`, 'en');
  const rows: { reference: string; hypothesis: string; wer: number; synthMs: number; audioMs: number }[] = [];
  try {
    await voice.synthesize('Hello.'); // the first call compiles and loads
    for (const reference of sentences) {
      const started = performance.now();
      const pcm = await voice.synthesize(reference);
      const synthMs = performance.now() - started;
      const audio = padded16k(pcm);
      for (let i = 0; i < audio.length; i += 1600) await stream.write(audio.subarray(i, i + 1600));
      const hypothesis = await stream.finish();
      rows.push({
        reference,
        hypothesis,
        wer: wordErrorRate(reference, hypothesis).wer,
        synthMs,
        audioMs: (pcm.samples.length / pcm.sampleRate) * 1000,
      });
    }
  } finally {
    await stream.release();
    voice.close?.();
  }
  const total = aggregateWer(rows);
  return {
    voice: voice.name,
    kind: voice.kind,
    sentences: rows.length,
    wer: Number(total.wer.toFixed(4)),
    errors: { substitutions: total.substitutions, deletions: total.deletions, insertions: total.insertions },
    referenceWords: total.referenceWords,
    synthMsP50: percentile(
      rows.map((r) => r.synthMs),
      50,
    ),
    synthMsP95: percentile(
      rows.map((r) => r.synthMs),
      95,
    ),
    audioMsP50: percentile(
      rows.map((r) => r.audioMs),
      50,
    ),
    worst: [...rows]
      .sort((a, b) => b.wer - a.wer)
      .slice(0, 3)
      .map((r) => ({ reference: r.reference, hypothesis: r.hypothesis })),
  };
}

/** The sentences in `language`, through the local Apertium route: one `apertium` run per hop, a sentence a line. */
async function translated(language: string): Promise<string[] | string> {
  const route = findApertiumRoute('en', language);
  if (!route) return `no Apertium route en → ${language}`;
  const scratch = mkdtempSync(join(tmpdir(), 'llt-voices-apertium-'));
  try {
    let lines = sentences.join('\n');
    for (const hop of route.hops) {
      // Through a file: apertium reading a Node pipe on stdin printed nothing.
      const input = join(scratch, 'in.txt');
      writeFileSync(input, `${lines}\n`);
      lines = (await run('apertium', ['-u', hop.mode, input], { maxBuffer: 10_000_000 })).stdout.trimEnd();
    }
    const result = lines.split('\n');
    return result.length === sentences.length
      ? result
      : `apertium returned ${result.length} lines for ${sentences.length}`;
  } catch (error) {
    return `apertium failed: ${String(error).slice(0, 200)}`;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

async function speedPerLanguage() {
  const engine = new LocalSpeechEngine();
  const results: Record<string, unknown> = {};
  try {
    await engine.warm();
    for (const language of languages) {
      const texts = await translated(language);
      if (typeof texts === 'string') {
        results[language] = { skipped: texts };
        continue;
      }
      const ms: number[] = [];
      const audioMs: number[] = [];
      let voice = '';
      for (const text of texts.filter((t) => t.trim() !== '')) {
        const started = performance.now();
        const speech = await engine.synthesize(text, language);
        ms.push(performance.now() - started);
        audioMs.push(speech.durationMs);
        voice = speech.engine;
      }
      results[language] = {
        voice,
        sentences: ms.length,
        synthMsP50: percentile(ms, 50),
        synthMsP95: percentile(ms, 95),
        audioMsP50: percentile(audioMs, 50),
      };
    }
  } finally {
    engine.close();
  }
  return results;
}

const { voices, skipped } = await englishVoices();
const english = [];
for (const voice of voices) {
  const result = await intelligibility(voice);
  english.push(result);
  console.log(
    `${result.voice.padEnd(22)} WER ${(result.wer * 100).toFixed(1).padStart(5)} %   synthesis p50 ${String(result.synthMsP50).padStart(4)} ms  p95 ${String(result.synthMsP95).padStart(4)} ms  (audio p50 ${result.audioMsP50} ms)`,
  );
}
for (const [voice, why] of Object.entries(skipped)) console.log(`${voice.padEnd(22)} skipped: ${why}`);

const perLanguage = await speedPerLanguage();
console.log('\nLocal speech engine, text to MP3, per language (corpus sentences translated by Apertium):');
for (const [language, r] of Object.entries(perLanguage) as [string, Record<string, unknown>][]) {
  if (r.skipped) console.log(`${language}  skipped: ${r.skipped}`);
  else {
    console.log(
      `${language}  ${String(r.voice).padEnd(26)} p50 ${String(r.synthMsP50).padStart(4)} ms  p95 ${String(r.synthMsP95).padStart(4)} ms  (audio p50 ${r.audioMsP50} ms, ${r.sentences} sentences)`,
    );
  }
}

mkdirSync(dirname(values.out), { recursive: true });
writeFileSync(
  values.out,
  `${JSON.stringify(
    {
      at: new Date().toISOString(),
      recogniser: 'pocketsphinx en-us (default model), 300 ms of silence around each sentence',
      sentences: sentences.length,
      english,
      skipped,
      perLanguage,
    },
    null,
    2,
  )}\n`,
);
console.log(`\nwritten to ${values.out}`);

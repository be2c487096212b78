// Benchmark: per-sentence time of the local Apertium engine per target language, direct pairs and pivots through
// Catalan, on warm pipelines. Translates the corpus sentences one at a time into each language (after one untimed
// pass, so every stage has loaded its dictionaries and seen the vocabulary), prints p50/p95 and writes them to JSON
// with a few translations per language to read.
//
//   node --import tsx test/bench/apertium.bench.ts [--rounds 3] [--out bench-results/apertium.json]
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
// The engine itself, not the local system: this measures only what Apertium costs per sentence.
import { ApertiumTranslator } from '../../services/translate/src/adapters/apertium.ts';
import { apertiumCapabilities } from '../../services/translate/src/adapters/apertium-routes.ts';
import { SENTENCES } from '../corpus/sentences.ts';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '1' },
    out: { type: 'string', default: 'bench-results/apertium.json' },
  },
});
const rounds = Number(values.rounds);

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] as number;
}

const round2 = (ms: number) => Math.round(ms * 100) / 100;

const pairs = apertiumCapabilities().pairs.filter((p) => p.source === 'en');
if (pairs.length === 0) throw new Error('no Apertium pair from English is installed (see scripts/setup.sh)');
const languages = pairs.map((p) => p.target);

const translator = new ApertiumTranslator();
try {
  const warmStarted = performance.now();
  await translator.warm(languages);
  const warmMs = performance.now() - warmStarted;
  console.log(
    `apertium benchmark: ${SENTENCES.length} sentences × ${rounds} round(s) into ${languages.join(', ')}; warm-up ${warmMs.toFixed(0)} ms`,
  );

  const results: Record<string, unknown> = {};
  for (const pair of pairs) {
    const lang = pair.target;
    for (const sentence of SENTENCES) await translator.translate(sentence, 'en', lang);
    const times: number[] = [];
    const samples: { en: string; out: string }[] = [];
    for (let r = 0; r < rounds; r++) {
      for (const sentence of SENTENCES) {
        const t0 = performance.now();
        const out = await translator.translate(sentence, 'en', lang);
        times.push(performance.now() - t0);
        if (r === 0 && samples.length < 5) samples.push({ en: sentence, out });
      }
    }
    times.sort((a, b) => a - b);
    const p50 = round2(percentile(times, 0.5));
    const p95 = round2(percentile(times, 0.95));
    const max = round2(times.at(-1) as number);
    const engine = translator.name(lang);
    console.log(
      `${lang.padEnd(3)} ${engine.padEnd(28)} p50 ${p50.toFixed(2)} ms  p95 ${p95.toFixed(2)} ms  max ${max} ms`,
    );
    results[lang] = { engine, via: pair.via ?? [], sentences: times.length, p50, p95, max, samples };
  }

  const out = {
    date: new Date().toISOString(),
    node: process.version,
    cpus: availableParallelism(),
    sentencesPerRound: SENTENCES.length,
    rounds,
    warmUpMs: Math.round(warmMs),
    languages: results,
  };
  mkdirSync(dirname(values.out), { recursive: true });
  writeFileSync(values.out, `${JSON.stringify(out, null, 2)}\n`);
  console.log(`written to ${values.out}`);
} finally {
  await translator.close();
}

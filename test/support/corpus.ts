// Loading a spoken corpus for benchmarks: NAME.wav (16 kHz mono s16) + NAME.txt pairs, with where the speech is.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readWav } from '@llt/cli';
import { voicedSpan } from './audio.ts';

export interface LoadedUtterance<E extends { name: string }> {
  entry: E;
  samples: Int16Array;
  /** First and last voiced sample (see voicedSpan). */
  span: { first: number; last: number };
}

/**
 * Reads DIR/NAME.wav for every entry and finds its speech; throws for a file that is not 16 kHz mono or silent.
 * An entry that says where its speech is (`speech`, as the noisy corpora's do: noise would pass a level threshold
 * from the first sample to the last) is taken at its word.
 */
export function loadUtterances<E extends { name: string; speech?: { first: number; last: number } }>(
  dir: string,
  entries: readonly E[],
): LoadedUtterance<E>[] {
  return entries.map((entry) => {
    const wav = readWav(join(dir, `${entry.name}.wav`));
    if (wav.sampleRate !== 16_000 || wav.channels !== 1) {
      throw new Error(`${entry.name}.wav is ${wav.sampleRate} Hz × ${wav.channels} channels; 16 kHz mono expected`);
    }
    const span = entry.speech ?? voicedSpan(wav.samples);
    if (!span) throw new Error(`${entry.name}.wav holds no speech`);
    if (!(span.first >= 0 && span.first <= span.last && span.last < wav.samples.length)) {
      throw new Error(
        `${entry.name}: speech ${span.first}–${span.last} lies outside its ${wav.samples.length} samples`,
      );
    }
    return { entry, samples: wav.samples, span: { first: span.first, last: span.last } };
  });
}

/** Every NAME.wav with a NAME.txt beside it, sorted by name; `unpaired` names the WAVs without text. */
export function readCorpusDir(dir: string): { entries: { name: string; text: string }[]; unpaired: string[] } {
  const files = new Set(readdirSync(dir));
  const names = [...files]
    .filter((f) => f.endsWith('.wav'))
    .map((f) => f.slice(0, -'.wav'.length))
    .sort();
  return {
    entries: names
      .filter((name) => files.has(`${name}.txt`))
      .map((name) => ({ name, text: readFileSync(join(dir, `${name}.txt`), 'utf8').trim() })),
    unpaired: names.filter((name) => !files.has(`${name}.txt`)),
  };
}

/**
 * `a` and `b` merged so that `b`'s items are spread evenly through `a`'s, each list keeping its order: the
 * item at position i of a list of n goes where (i + ½) / n falls, `a` first on a tie.
 */
export function interleave<T>(a: readonly T[], b: readonly T[]): T[] {
  const place = (list: readonly T[], from: 0 | 1) =>
    list.map((item, i) => ({ item, at: (i + 0.5) / list.length, from }));
  return [...place(a, 0), ...place(b, 1)].sort((x, y) => x.at - y.at || x.from - y.from).map(({ item }) => item);
}

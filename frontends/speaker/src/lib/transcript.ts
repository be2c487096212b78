// The live transcript as data: captions merged into sentences keyed by segment id (partial text replaced by
// the final, translations attached as they come) and the latency of recent sentences. Functions mutate the
// array they are given, so the same code serves a plain array in tests and a $state proxy on the page.
import type { CaptionMessage } from '@llt/events';

export interface Translation {
  language: string;
  text: string;
  /** receivedAt - captureEnd on this device's clock; absent for captions fetched from history. */
  latencyMs?: number;
}

export interface Sentence {
  segmentId: string;
  segmentIndex: number;
  /** The recognised text: provisional until `final`. */
  text: string;
  final: boolean;
  captureEnd?: number;
  /** Latency of the final source caption (absent for history, or before the final). */
  latencyMs?: number;
  /** In the session's target-language order. */
  translations: Translation[];
}

export interface TranscriptOptions {
  /** Target languages in display order. */
  languages: readonly string[];
  /** Oldest sentences beyond this many are dropped (a long session must not grow the page forever). */
  maxSentences?: number;
}

export const DEFAULT_MAX_SENTENCES = 200;

/**
 * Merges one caption. `receivedAt` (epoch ms) is when it arrived live; pass undefined for captions from the
 * history endpoint, which then count for the text but not for latency. Repeats and late partials are ignored.
 */
export function applyCaption(
  sentences: Sentence[],
  message: CaptionMessage,
  receivedAt: number | undefined,
  options: TranscriptOptions,
): void {
  const sentence = findOrInsert(sentences, message);
  const latency = receivedAt === undefined ? undefined : Math.max(0, receivedAt - message.captureEnd);
  if (message.kind === 'source') {
    if (sentence.final) return;
    sentence.text = message.text;
    sentence.captureEnd = message.captureEnd;
    if (message.final) {
      sentence.final = true;
      if (latency !== undefined) sentence.latencyMs = latency;
    }
  } else {
    if (sentence.translations.some((t) => t.language === message.language)) return;
    const translation: Translation = { language: message.language, text: message.text };
    if (latency !== undefined) translation.latencyMs = latency;
    const order = (language: string) => {
      const index = options.languages.indexOf(language);
      return index < 0 ? options.languages.length : index;
    };
    const at = sentence.translations.findIndex((t) => order(t.language) > order(message.language));
    if (at < 0) sentence.translations.push(translation);
    else sentence.translations.splice(at, 0, translation);
  }
  const max = options.maxSentences ?? DEFAULT_MAX_SENTENCES;
  if (sentences.length > max) sentences.splice(0, sentences.length - max);
}

function findOrInsert(sentences: Sentence[], message: CaptionMessage): Sentence {
  // Captions almost always concern the last sentence or the one before: search from the end.
  let at = sentences.length;
  for (let i = sentences.length - 1; i >= 0; i--) {
    const sentence = sentences[i]!;
    if (sentence.segmentId === message.segmentId) return sentence;
    if (sentence.segmentIndex < message.segmentIndex) break;
    at = i;
  }
  sentences.splice(at, 0, {
    segmentId: message.segmentId,
    segmentIndex: message.segmentIndex,
    text: '',
    final: false,
    translations: [],
  });
  // Return the stored element: on the page that is the reactive proxy, not the object passed in.
  return sentences[at]!;
}

/** Highest segment index with a final caption in `language` ('source' for the recognised text), or undefined. */
export function lastFinalIndex(sentences: readonly Sentence[], language: string | 'source'): number | undefined {
  for (let i = sentences.length - 1; i >= 0; i--) {
    const sentence = sentences[i]!;
    if (language === 'source' ? sentence.final : sentence.translations.some((t) => t.language === language)) {
      return sentence.segmentIndex;
    }
  }
  return undefined;
}

export interface LatencyRow {
  segmentId: string;
  segmentIndex: number;
  /** The sentence, to tell the rows apart. */
  text: string;
  captionMs: number;
  /** Per target language, when its translation arrived live. */
  translationMs: Record<string, number>;
}

export interface LatencySummary {
  /** The most recent measured sentences, oldest first. */
  rows: LatencyRow[];
  captionMedianMs: number | undefined;
  /** Median over every language's translations of those sentences. */
  translationMedianMs: number | undefined;
  perLanguageMedianMs: Record<string, number | undefined>;
}

/** Latency of the last `count` sentences whose final caption arrived live, with medians. */
export function latencySummary(
  sentences: readonly Sentence[],
  languages: readonly string[],
  count = 5,
): LatencySummary {
  const rows: LatencyRow[] = [];
  for (let i = sentences.length - 1; i >= 0 && rows.length < count; i--) {
    const sentence = sentences[i]!;
    if (sentence.latencyMs === undefined) continue;
    const translationMs: Record<string, number> = {};
    for (const t of sentence.translations) if (t.latencyMs !== undefined) translationMs[t.language] = t.latencyMs;
    rows.unshift({
      segmentId: sentence.segmentId,
      segmentIndex: sentence.segmentIndex,
      text: sentence.text,
      captionMs: sentence.latencyMs,
      translationMs,
    });
  }
  const perLanguageMedianMs: Record<string, number | undefined> = {};
  for (const language of languages) {
    perLanguageMedianMs[language] = median(rows.flatMap((r) => r.translationMs[language] ?? []));
  }
  return {
    rows,
    captionMedianMs: median(rows.map((r) => r.captionMs)),
    translationMedianMs: median(rows.flatMap((r) => Object.values(r.translationMs))),
    perLanguageMedianMs,
  };
}

export function median(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

// The transcript as page state: the sentences (see transcript.ts) and their latency summary.
import type { CaptionMessage } from '@llt/events';
import { applyCaption, lastFinalIndex, latencySummary, type Sentence } from './transcript.ts';

export class Transcript {
  sentences: Sentence[] = $state([]);
  readonly languages: readonly string[];
  // A function, so that `languages` is read once set: the summary recomputes only when sentences change.
  latency = $derived.by(() => latencySummary(this.sentences, this.languages));

  constructor(languages: readonly string[]) {
    this.languages = languages;
  }

  /** Merges a caption; `receivedAt` undefined for history (no latency). */
  apply(message: CaptionMessage, receivedAt: number | undefined): void {
    applyCaption(this.sentences, message, receivedAt, { languages: this.languages });
  }

  lastFinalIndex(language: string | 'source'): number | undefined {
    return lastFinalIndex(this.sentences, language);
  }
}

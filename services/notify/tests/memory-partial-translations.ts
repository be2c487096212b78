// The translated increments as DynamoDB keeps them, in memory: one record per increment, all of them returned.
import type { PartialTranslations, TranslatedIncrement } from '#core/ports';

export class MemoryPartialTranslations implements PartialTranslations {
  readonly utterances = new Map<string, Map<number, TranslatedIncrement>>();

  async record(
    utterance: { sessionId: string; language: string; segmentIndex: number },
    translated: TranslatedIncrement,
  ): Promise<TranslatedIncrement[]> {
    const key = `${utterance.sessionId}/${utterance.language}/${utterance.segmentIndex}`;
    const increments = this.utterances.get(key) ?? new Map<number, TranslatedIncrement>();
    this.utterances.set(key, increments);
    increments.set(translated.increment, { ...translated });
    return [...increments.values()].sort((a, b) => a.increment - b.increment);
  }
}

// Keeps one recogniser stream loaded ahead per language, so a new session's first words are recognised at once
// instead of waiting for a decoder to load (~0.3 s alone, over a second on a busy machine: that wait is lag behind
// real time at the start of every session). The spare is taken by the next session and another is loaded behind it.
import type { Recognizer, RecognizerStream, ServiceLog } from '#core/ports';

export class SpareRecognizer implements Recognizer {
  readonly name: string;
  private readonly spares = new Map<string, Promise<RecognizerStream | undefined>>();

  constructor(
    private readonly inner: Recognizer,
    private readonly log: ServiceLog,
    /** Languages to keep a spare for from the start (others get one after their first session). */
    languages: readonly string[] = [],
  ) {
    this.name = inner.name;
    for (const language of languages) this.prepare(language);
  }

  async open(sessionId: string, language: string): Promise<RecognizerStream> {
    const spare = this.spares.get(language);
    this.spares.delete(language);
    const stream = (spare ? await spare : undefined) ?? (await this.inner.open(sessionId, language));
    // The next one loads once this session has its own (two loading at once would slow both).
    this.prepare(language);
    return stream;
  }

  /** Frees the spares (at shutdown). */
  async release(): Promise<void> {
    const spares = [...this.spares.values()];
    this.spares.clear();
    for (const spare of spares) await (await spare)?.release().catch(() => undefined);
  }

  private prepare(language: string): void {
    if (this.spares.has(language)) return;
    const loading = this.inner.open('spare', language).catch((error: Error) => {
      // No spare: the next session loads its own, as without one.
      this.log.warn('spare recogniser not loaded', { language, error: error.message });
      this.spares.delete(language);
      return undefined;
    });
    this.spares.set(language, loading);
  }
}

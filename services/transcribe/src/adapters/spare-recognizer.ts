// Keeps recogniser streams loaded ahead per language, so a new session's first words are recognised at once
// instead of waiting for a decoder to load (~0.3 s of a core alone, over a second on a busy machine: that wait is
// lag behind real time at the start of every session).
//
// Loading a decoder is itself the heaviest thing a worker does: one loaded the moment a session took the spare ran
// through that session's first sentences (its recognition fell ~0.8 s behind real time there, on the harder
// corpus), and a second session starting at the same time waited for it. So several are kept (as many as sessions
// usually start together), one loads at a time, and taken spares are replaced only a while after the last session
// took one. A session that finds none left loads its own, as it would without spares.
import type { Recognizer, RecognizerStream, ServiceLog } from '#core/ports';

export interface SpareSettings {
  /** Streams kept loaded ahead per language. */
  spares: number;
  /** How long after a session took a spare the spares are topped up again (each new taking puts it off). */
  refillAfterMs: number;
}

export const DEFAULT_SPARES: SpareSettings = { spares: 2, refillAfterMs: 15_000 };

export class SpareRecognizer implements Recognizer {
  readonly name: string;
  /** Per language, the spares loaded or loading, oldest first (loads finish in this order). */
  private readonly spares = new Map<string, Promise<RecognizerStream | undefined>[]>();
  private readonly refills = new Map<string, NodeJS.Timeout>();
  /** Loads run one after the other: two at once would slow both, and the sessions running. */
  private loads: Promise<unknown> = Promise.resolve();
  private released = false;

  constructor(
    private readonly inner: Recognizer,
    private readonly log: ServiceLog,
    /** Languages to keep spares for from the start (others get them after their first session). */
    languages: readonly string[] = [],
    private readonly settings: SpareSettings = DEFAULT_SPARES,
  ) {
    this.name = inner.name;
    for (const language of languages) this.topUp(language);
  }

  async open(sessionId: string, language: string): Promise<RecognizerStream> {
    const spare = this.spares.get(language)?.shift();
    this.refillLater(language);
    return (spare ? await spare : undefined) ?? (await this.inner.open(sessionId, language));
  }

  /** Frees the spares (at shutdown). */
  async release(): Promise<void> {
    this.released = true;
    for (const timer of this.refills.values()) clearTimeout(timer);
    this.refills.clear();
    const spares = [...this.spares.values()].flat();
    this.spares.clear();
    for (const spare of spares) await (await spare)?.release().catch(() => undefined);
  }

  private refillLater(language: string): void {
    clearTimeout(this.refills.get(language));
    this.refills.delete(language);
    if (this.settings.refillAfterMs <= 0) {
      this.topUp(language);
      return;
    }
    const timer = setTimeout(() => {
      this.refills.delete(language);
      this.topUp(language);
    }, this.settings.refillAfterMs);
    timer.unref();
    this.refills.set(language, timer);
  }

  private topUp(language: string): void {
    if (this.released) return;
    const list = this.spares.get(language) ?? [];
    this.spares.set(language, list);
    while (list.length < this.settings.spares) {
      const loading = this.loads.then(() =>
        this.inner.open('spare', language).catch((error: Error) => {
          // No spare: the next session loads its own, as without one.
          this.log.warn('spare recogniser not loaded', { language, error: error.message });
          const at = list.indexOf(loading);
          if (at >= 0) list.splice(at, 1);
          return undefined;
        }),
      );
      this.loads = loading;
      list.push(loading);
    }
  }
}

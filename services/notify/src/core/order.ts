// Translated captions and audio of one session reach each language's listeners in segment order. Segments are
// fanned out by separate workflow executions that run side by side (several sentences finalized close together,
// as when recognition catches up), so a later sentence's caption could overtake an earlier one's. Every
// execution starts with ResolveLanguages here, which registers which (language, caption/audio) deliveries the
// segment will make; a delivery then waits until the same session's earlier registered deliveries of its
// language and kind are done — at most `maxWaitMs`, after which earlier ones that never came (their branch
// failed) are given up. The registry lives in the process (a warm Lambda container, the local runtime).

export type DeliveryKind = 'caption' | 'audio';

export class SegmentOrder {
  /** `session|language|kind` → segment indexes registered and not yet delivered. */
  readonly #pending = new Map<string, Set<number>>();
  readonly #waiters = new Map<string, Set<() => void>>();

  constructor(private readonly maxWaitMs: number) {}

  /** ResolveLanguages: this segment will deliver a caption and audio in each of these languages. */
  expect(sessionId: string, segmentIndex: number, languages: readonly string[]): void {
    for (const language of languages) {
      for (const kind of ['caption', 'audio'] as const) {
        const key = keyOf(sessionId, language, kind);
        let pending = this.#pending.get(key);
        if (!pending) {
          pending = new Set();
          this.#pending.set(key, pending);
        }
        pending.add(segmentIndex);
      }
    }
  }

  /** Resolves when every earlier registered delivery of the same stream is done (or waited out). */
  async turn(
    sessionId: string,
    language: string,
    kind: DeliveryKind,
    segmentIndex: number,
  ): Promise<'in-order' | 'waited-out'> {
    const key = keyOf(sessionId, language, kind);
    const deadline = Date.now() + this.maxWaitMs;
    while (this.#earlier(key, segmentIndex)) {
      const remaining = deadline - Date.now();
      if (remaining <= 0) {
        // The earlier ones are late or will never come (their branch failed): stop holding this stream up.
        for (const index of [...(this.#pending.get(key) ?? [])])
          if (index < segmentIndex) this.done(sessionId, language, kind, index);
        return 'waited-out';
      }
      await new Promise<void>((resolve) => {
        let waiters = this.#waiters.get(key);
        if (!waiters) {
          waiters = new Set();
          this.#waiters.set(key, waiters);
        }
        const wake = () => {
          clearTimeout(timer);
          waiters.delete(wake);
          resolve();
        };
        const timer = setTimeout(wake, remaining);
        waiters.add(wake);
      });
    }
    return 'in-order';
  }

  /** The delivery was made (or failed for good): later ones may go. */
  done(sessionId: string, language: string, kind: DeliveryKind, segmentIndex: number): void {
    const key = keyOf(sessionId, language, kind);
    const pending = this.#pending.get(key);
    if (!pending?.delete(segmentIndex)) return;
    if (pending.size === 0) this.#pending.delete(key);
    for (const wake of [...(this.#waiters.get(key) ?? [])]) wake();
  }

  #earlier(key: string, segmentIndex: number): boolean {
    for (const index of this.#pending.get(key) ?? []) if (index < segmentIndex) return true;
    return false;
  }
}

function keyOf(sessionId: string, language: string, kind: DeliveryKind): string {
  return `${sessionId}|${language}|${kind}`;
}

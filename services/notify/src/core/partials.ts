// Partial captions are superseded within a fraction of a second; with a large audience, fanning out each of
// them would queue every later message (the final caption, translations, audio) behind stale text. Per session,
// one partial fan-out runs at a time; partials arriving meanwhile replace each other (only the newest is sent
// when it ends), a final transcript drops the pending partials of its utterance and earlier, and a partial
// fan-out stops handing out its text once something newer for the session exists.
// The state lives in the process (a warm Lambda container, the local runtime): partials reaching another
// container are simply not coalesced with these.

export interface SourceCaptionRef {
  sessionId: string;
  segmentIndex: number;
  /** Partial revisions count up within an utterance; a final is newer than all of them. */
  revision: number;
  final: boolean;
}

interface Pending {
  ref: SourceCaptionRef;
  send: () => Promise<void>;
  settle: (outcome: PartialOutcome) => void;
}

interface SessionState {
  newest: SourceCaptionRef;
  busy: boolean;
  pending: Pending | undefined;
}

export type PartialOutcome = 'sent' | 'replaced' | 'superseded';

export class PartialCoalescer {
  readonly #sessions = new Map<string, SessionState>();

  /** Records a final transcript: pending partials of its utterance (and earlier) will not be sent. */
  final(ref: SourceCaptionRef): void {
    const state = this.#state(ref);
    if (isNewer(ref, state.newest)) state.newest = ref;
    if (state.pending && state.pending.ref.segmentIndex <= ref.segmentIndex) {
      state.pending.settle('superseded');
      state.pending = undefined;
    }
  }

  /**
   * Runs `send` for this partial now, later (if it is still the newest when the running fan-out ends), or never.
   * Resolves when this partial is sent, replaced by a newer one or superseded by a final.
   */
  async partial(ref: SourceCaptionRef, send: () => Promise<void>): Promise<PartialOutcome> {
    const state = this.#state(ref);
    if (!this.isCurrent(ref)) return 'superseded';
    state.newest = ref;
    if (state.busy) {
      state.pending?.settle('replaced');
      return new Promise<PartialOutcome>((settle) => {
        state.pending = { ref, send, settle };
      });
    }
    state.busy = true;
    try {
      await send();
    } finally {
      void this.#drain(state);
    }
    return 'sent';
  }

  /** Whether a caption is still the newest source caption of its session (partial fan-outs check between sends). */
  isCurrent(ref: SourceCaptionRef): boolean {
    const newest = this.#sessions.get(ref.sessionId)?.newest;
    return !newest || sameCaption(ref, newest) || isNewer(ref, newest);
  }

  async #drain(state: SessionState): Promise<void> {
    for (;;) {
      const next = state.pending;
      state.pending = undefined;
      if (!next) {
        state.busy = false;
        if (this.#sessions.size > MAX_IDLE_SESSIONS) this.#dropIdle();
        return;
      }
      await next.send().then(
        () => next.settle('sent'),
        () => next.settle('sent'), // the fan-out reports its own failures
      );
    }
  }

  #dropIdle(): void {
    for (const [sessionId, state] of this.#sessions) if (!state.busy) this.#sessions.delete(sessionId);
  }

  #state(ref: SourceCaptionRef): SessionState {
    let state = this.#sessions.get(ref.sessionId);
    if (!state) {
      state = { newest: ref, busy: false, pending: undefined };
      this.#sessions.set(ref.sessionId, state);
    }
    return state;
  }
}

const MAX_IDLE_SESSIONS = 10_000;

function isNewer(a: SourceCaptionRef, b: SourceCaptionRef): boolean {
  if (a.segmentIndex !== b.segmentIndex) return a.segmentIndex > b.segmentIndex;
  if (a.final !== b.final) return a.final;
  return a.revision > b.revision;
}

function sameCaption(a: SourceCaptionRef, b: SourceCaptionRef): boolean {
  return a.segmentIndex === b.segmentIndex && a.final === b.final && a.revision === b.revision;
}

// Per session, what its lag behind real time calls for: degrade its recognition before it falls behind (lag past
// `degradeAtMs`), give the work back once it has kept up for a while, and tell the speaker when it is behind (past
// `warnAtMs`), while it stays behind (as the figure moves), and once when it is back.

export interface LagWatchSettings {
  /** Lag past which the speaker is told recognition is behind. */
  warnAtMs: number;
  /** Lag past which the session's next utterances are made cheaper. */
  degradeAtMs: number;
  /** Lag under which a session counts as keeping up. */
  calmBelowMs: number;
  /** Keeping up this long gives a degraded session its full work back. */
  recoverAfterMs: number;
  /** While behind, a new figure is sent when it moved by this much, or this long after the last. */
  resendStepMs: number;
  resendEveryMs: number;
}

export const DEFAULT_LAG_WATCH: LagWatchSettings = {
  warnAtMs: 1_000,
  degradeAtMs: 750,
  calmBelowMs: 500,
  recoverAfterMs: 10_000,
  resendStepMs: 1_000,
  resendEveryMs: 5_000,
};

export interface LagNotice {
  lagMs: number;
  behind: boolean;
  degraded: boolean;
}

interface SessionLag {
  behind: boolean;
  degraded: boolean;
  calmSince: number | undefined;
  sentLagMs: number;
  sentAt: number;
}

export interface LagVerdict {
  /** Degrade (true) or restore (false) the session now; absent: no change. */
  degrade?: boolean;
  /** What to tell the speaker now, if anything. */
  notice?: LagNotice;
}

export class LagWatch {
  private readonly sessions = new Map<string, SessionLag>();

  constructor(private readonly settings: LagWatchSettings = DEFAULT_LAG_WATCH) {}

  observe(sessionId: string, lagMs: number, now: number): LagVerdict {
    const s = this.settings;
    let state = this.sessions.get(sessionId);
    if (!state) {
      state = { behind: false, degraded: false, calmSince: undefined, sentLagMs: 0, sentAt: 0 };
      this.sessions.set(sessionId, state);
    }
    const verdict: LagVerdict = {};
    if (lagMs < s.calmBelowMs) state.calmSince ??= now;
    else state.calmSince = undefined;
    if (!state.degraded && lagMs > s.degradeAtMs) {
      state.degraded = true;
      verdict.degrade = true;
    } else if (state.degraded && state.calmSince !== undefined && now - state.calmSince >= s.recoverAfterMs) {
      state.degraded = false;
      verdict.degrade = false;
    }
    const behind = lagMs > s.warnAtMs;
    const changed = behind !== state.behind || (verdict.degrade !== undefined && (behind || state.behind));
    const moved =
      behind && (Math.abs(lagMs - state.sentLagMs) >= s.resendStepMs || now - state.sentAt >= s.resendEveryMs);
    if (changed || moved) {
      state.behind = behind;
      state.sentLagMs = lagMs;
      state.sentAt = now;
      verdict.notice = { lagMs: Math.round(lagMs), behind, degraded: state.degraded };
    }
    return verdict;
  }

  /** Whether the session is degraded now. */
  degraded(sessionId: string): boolean {
    return this.sessions.get(sessionId)?.degraded ?? false;
  }

  /** Forgets sessions that are no longer live. */
  retain(live: ReadonlySet<string>): void {
    for (const sessionId of this.sessions.keys()) if (!live.has(sessionId)) this.sessions.delete(sessionId);
  }
}

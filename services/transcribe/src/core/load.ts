// What each live session costs and how far behind real time it is: the recogniser's time per second of audio
// (real-time factor) and, for each frame, the time from ingest receiving it to its recognition (lag). Read by the
// capacity reporter once a period, and by the transcriber to make a falling-behind session cheaper.

interface SessionWindow {
  audioMs: number;
  busyMs: number;
  maxLagMs: number;
}

export interface SessionLoad {
  sessionId: string;
  /** Audio recognised during the period. */
  audioMs: number;
  /** Recogniser time per second of that audio (undefined without audio). */
  realTimeFactor: number | undefined;
  /** The largest frame lag of the period (0 when no audio came: nothing waits to be recognised). */
  lagMs: number;
}

export class LoadTracker {
  private readonly windows = new Map<string, SessionWindow>();

  /** One frame recognised: `busyMs` the recogniser took, `lagMs` from ingest's receipt to now. */
  frame(sessionId: string, audioMs: number, busyMs: number, lagMs: number): void {
    let w = this.windows.get(sessionId);
    if (!w) {
      w = { audioMs: 0, busyMs: 0, maxLagMs: 0 };
      this.windows.set(sessionId, w);
    }
    w.audioMs += audioMs;
    w.busyMs += busyMs;
    w.maxLagMs = Math.max(w.maxLagMs, lagMs);
  }

  /** The worst lag of the session's current period so far. */
  lagMs(sessionId: string): number {
    return this.windows.get(sessionId)?.maxLagMs ?? 0;
  }

  forget(sessionId: string): void {
    this.windows.delete(sessionId);
  }

  /** The period's figures per session (of `live` sessions), and a new period starts. */
  takePeriod(live: Iterable<string>): SessionLoad[] {
    const out: SessionLoad[] = [];
    const liveSet = new Set(live);
    for (const sessionId of liveSet) {
      const w = this.windows.get(sessionId);
      out.push({
        sessionId,
        audioMs: w?.audioMs ?? 0,
        realTimeFactor: w?.audioMs ? w.busyMs / w.audioMs : undefined,
        lagMs: Math.round(w?.maxLagMs ?? 0),
      });
      if (w) {
        w.audioMs = 0;
        w.busyMs = 0;
        w.maxLagMs = 0;
      }
    }
    for (const sessionId of this.windows.keys()) if (!liveSet.has(sessionId)) this.windows.delete(sessionId);
    return out;
  }
}

// How many live sessions this worker can keep in real time, from what it measures while running: the CPU the
// process and the processes it started use (the recognisers, and locally every other service and the engines'
// own processes too), how many live sessions share it, the recognisers' real-time factor, the event loop's delay
// and how far each session is behind. A session's cost is learned from the machine, not assumed: until the first
// periods of speech have measured it, sessions are admitted one at a time.

export interface CapacitySettings {
  /** Cores the worker may use (os.availableParallelism()). */
  cores: number;
  /** Share of the cores the live sessions may fill, leaving room for bursts (a sentence's end, a cold start). */
  targetUtilization: number;
  /** What a live session is taken to cost, in cores, until measurements say otherwise. */
  sessionCoresPrior: number;
  /** The least a session is ever taken to cost (a quiet period does not make sessions free). */
  minSessionCores: number;
  /** Hard limit (memory: each local recogniser holds ~90 MB). */
  maxSessions: number;
  /** A session this far behind real time means the worker is full: admit no more. */
  lagLimitMs: number;
  /** Event-loop delay (p99) past which the worker is full. */
  eventLoopLimitMs: number;
  /** Weight of each new measurement in the running estimates (0–1). */
  smoothing: number;
  /**
   * Periods with sessions speaking before a session's cost counts as measured. Until then sessions are admitted one
   * at a time: the prior is a guess about another day's machine, and the same machine runs a third slower at times.
   */
  learningPeriods: number;
}

export const DEFAULT_CAPACITY: Omit<CapacitySettings, 'cores' | 'maxSessions'> = {
  targetUtilization: 0.75,
  // Measured by bench:load on 2 cores (a session with 50 listeners in 4 languages, translated while it is spoken):
  // 0.42–0.65 cores. With 0.4 a fresh system admitted 3 such sessions, which fell up to 1.9 s behind after their
  // first sentence; with 0.55, 2, which kept every later sentence within 0.7 s.
  sessionCoresPrior: 0.55,
  minSessionCores: 0.15,
  lagLimitMs: 1_000,
  eventLoopLimitMs: 250,
  smoothing: 0.2,
  // Five seconds of speech; their mean then replaces the prior, and later periods are mixed in.
  learningPeriods: 5,
};

/** One period's measurements. */
export interface LoadSample {
  /** CPU the process used over the period, in cores (1.0 = one core busy the whole period). */
  busyCores: number;
  /** Sessions with a live recogniser during the period, and of those, how many were fed audio. */
  live: number;
  active: number;
  /** Recogniser time per second of audio over the period, mean over the sessions fed audio. */
  realTimeFactor: number | undefined;
  eventLoopDelayMs: number;
  /** The most-behind session's lag over the period. */
  maxLagMs: number;
}

export interface CapacityEstimate {
  /** Live sessions the worker can hold, those it has included. */
  sessions: number;
  busyCores: number;
  /** What one session costs, in cores, as learned so far. */
  sessionCores: number;
  /** CPU used with no session, in cores (the process's own work). */
  idleCores: number;
  limitedBy?: string;
}

export class CapacityEstimator {
  private sessionCores: number;
  private idleCores = 0.05;
  private readonly idleSamples: number[] = [];
  /** Periods of speech this estimator observed, and the sum of what they measured a session to cost. */
  private observedPeriods = 0;
  private observedCores = 0;
  /** Started from a cost measured in an earlier run. */
  private resumed = false;

  constructor(private readonly settings: CapacitySettings) {
    this.sessionCores = settings.sessionCoresPrior;
  }

  /**
   * Starts from a cost measured in an earlier run on this machine instead of the prior, as if learned: sessions are
   * no longer admitted one at a time. Ignored once this estimator has begun learning on its own.
   */
  resume(sessionCores: number): boolean {
    if (this.observedPeriods > 0 || !(sessionCores > 0)) return false;
    this.sessionCores = Math.max(this.settings.minSessionCores, sessionCores);
    this.resumed = true;
    return true;
  }

  /** Whether a session's cost is known: measured over the learning periods here, or in an earlier run. */
  private get measured(): boolean {
    return this.resumed || this.observedPeriods >= this.settings.learningPeriods;
  }

  /** What a session costs, once learned, and how many periods of speech this estimator observed itself. */
  get learned(): { sessionCores: number; observedPeriods: number } | undefined {
    if (!this.measured || this.observedPeriods === 0) return undefined;
    return { sessionCores: round2(this.sessionCores), observedPeriods: this.observedPeriods };
  }

  /** Learns from one period and says how many sessions fit now. */
  observe(sample: LoadSample): CapacityEstimate {
    const s = this.settings;
    const mix = (old: number, next: number) => old + s.smoothing * (next - old);
    if (sample.live === 0) {
      // The quietest of the recent periods without a session: a busy one is mostly a one-off (engines warming up
      // at start, a crowd of listeners connecting), not what sessions will share.
      this.idleSamples.push(sample.busyCores);
      if (this.idleSamples.length > IDLE_WINDOW) this.idleSamples.shift();
      this.idleCores = Math.min(...this.idleSamples);
    } else if (sample.active > 0) {
      // Only periods in which sessions spoke teach what a speaking session costs (silence is nearly free).
      const perSession = Math.max(0, sample.busyCores - this.idleCores) / sample.active;
      const recogniserFloor = sample.realTimeFactor ?? 0;
      // The first periods of speech replace the prior by their mean; later ones (or all, after a resumed cost) are
      // mixed in.
      const learning = !this.measured;
      this.observedPeriods++;
      this.observedCores += perSession;
      const learned = learning ? this.observedCores / this.observedPeriods : mix(this.sessionCores, perSession);
      this.sessionCores = Math.max(s.minSessionCores, recogniserFloor, learned);
    }
    const budget = s.cores * s.targetUtilization - this.idleCores;
    let sessions = Math.max(0, Math.min(s.maxSessions, Math.floor(budget / this.sessionCores)));
    let limitedBy: string | undefined;
    if (sessions >= s.maxSessions) limitedBy = `the ${s.maxSessions}-recogniser limit`;
    else
      limitedBy = `CPU: ${s.cores} cores at ${Math.round(s.targetUtilization * 100)} %, ${round2(this.sessionCores)} cores per session`;
    // Not measured yet: one session at a time (a first one, or none beside those there are) until it has spoken.
    const learning = !this.measured && sessions > Math.max(1, sample.live);
    if (learning) {
      sessions = Math.max(1, sample.live);
      limitedBy = `measuring what a session costs (${this.observedPeriods} of ${s.learningPeriods} periods of speech)`;
    }
    // Falling behind, measured: whatever the estimate says, the sessions there are now are all it can hold.
    if (sample.maxLagMs > s.lagLimitMs && sessions >= sample.live) {
      sessions = sample.live;
      limitedBy = `a session ${Math.round(sample.maxLagMs)} ms behind real time`;
    } else if (sample.eventLoopDelayMs > s.eventLoopLimitMs && sessions >= sample.live) {
      sessions = sample.live;
      limitedBy = `event-loop delay ${Math.round(sample.eventLoopDelayMs)} ms`;
    }
    return {
      sessions,
      busyCores: round2(sample.busyCores),
      sessionCores: round2(this.sessionCores),
      idleCores: round2(this.idleCores),
      ...(sessions <= sample.live || learning ? { limitedBy } : {}),
    };
  }
}

/** Periods without a session remembered for the idle figure. */
const IDLE_WINDOW = 30;

const round2 = (x: number) => Math.round(x * 100) / 100;

// Use case: say, once a period, how many live sessions this worker can keep in real time, and watch each session's
// lag behind real time.
//   input: the period's measurements (CPU of the process and those it started, event-loop delay) and each live
//   session's recogniser time and lag
//   output: a capacity report in the shared table (ingest admits new sessions against it), a RecognitionLagMs metric
//   per session, TranscriptionLagChanged events for the speaker, a degraded/restored session
//   primary course: every period, take the transcriber's per-session figures and the probe's; estimate capacity
//   (measured locally; the recognition service's stream quota on AWS); write the report; per session, degrade or
//   restore it and publish what its speaker should be told. A failed write is logged and retried next period.
import { type CapacityReport, TranscriptionLagChangedV1 } from '@llt/events';
import { type CapacityEstimate, CapacityEstimator, type CapacitySettings } from '#core/capacity';
import { LagWatch, type LagWatchSettings } from '#core/lag-watch';
import type { SessionLoad } from '#core/load';
import type { Clock, EventPublisher, ServiceLog, ServiceMetrics } from '#core/ports';
import type { Transcriber } from '#core/transcriber';

/** The load of the process and the processes it started over the period since the last call. */
export interface LoadProbe {
  sample(): { busyCores: number; eventLoopDelayMs: number };
}

/** Where capacity reports go (the sessions table, which ingest reads), and this machine's measured session cost. */
export interface CapacityStore {
  put(report: CapacityReport): Promise<void>;
  /** What a session was last measured to cost on this machine (an earlier run's), if it is still kept. */
  lastSessionCost(): Promise<number | undefined>;
  saveSessionCost(sessionCores: number): Promise<void>;
}

/** A measured session cost is written again at most this often (while sessions speak). */
const SAVE_COST_EVERY_MS = 60_000;

export interface CapacityReporterSettings {
  periodMs: number;
  /**
   * `measured`: local recognisers share this machine's cores (capacity from CPU and lag); `quota`: a remote
   * service recognises (Amazon Transcribe), and the deployment's concurrent-stream quota is the capacity.
   */
  basis: 'measured' | 'quota';
  capacity: CapacitySettings;
  lag: LagWatchSettings;
}

export interface CapacityReporterDeps {
  workerId: string;
  transcriber: Transcriber;
  probe: LoadProbe;
  store: CapacityStore;
  events: EventPublisher;
  clock: Clock;
  log: ServiceLog;
  metrics: ServiceMetrics;
  settings: CapacityReporterSettings;
}

/** The latest period, for operators (`/internal/stats` locally). */
export interface CapacitySnapshot {
  report: CapacityReport;
  sessions: (SessionLoad & { degraded: boolean })[];
}

export class CapacityReporter {
  private readonly estimator: CapacityEstimator;
  private readonly lagWatch: LagWatch;
  private timer: ReturnType<typeof setInterval> | undefined;
  private running: Promise<unknown> | undefined;
  private costSaved: { at: number; observedPeriods: number } | undefined;
  latest: CapacitySnapshot | undefined;

  constructor(private readonly deps: CapacityReporterDeps) {
    this.estimator = new CapacityEstimator(deps.settings.capacity);
    this.lagWatch = new LagWatch(deps.settings.lag);
  }

  start(): void {
    if (this.timer) return;
    this.deps.probe.sample();
    if (this.deps.settings.basis === 'measured') void this.resumeSessionCost();
    this.timer = setInterval(() => {
      this.running ??= this.tick().finally(() => {
        this.running = undefined;
      });
    }, this.deps.settings.periodMs);
    this.timer.unref?.();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** An earlier run's measured session cost, so a restart does not admit one session at a time again. */
  async resumeSessionCost(): Promise<void> {
    try {
      const sessionCores = await this.deps.store.lastSessionCost();
      if (sessionCores !== undefined && this.estimator.resume(sessionCores)) {
        this.deps.log.info('session cost measured in an earlier run', { sessionCores });
      }
    } catch (error) {
      this.deps.log.warn('earlier session cost not read', { error: (error as Error).message });
    }
  }

  /** Keeps what a session was measured to cost, when this run measured something new since the last write. */
  private async saveSessionCost(now: number): Promise<void> {
    const learned = this.estimator.learned;
    const saved = this.costSaved;
    if (
      !learned ||
      (saved && (saved.observedPeriods === learned.observedPeriods || now - saved.at < SAVE_COST_EVERY_MS))
    ) {
      return;
    }
    this.costSaved = { at: now, observedPeriods: learned.observedPeriods };
    await this.deps.store.saveSessionCost(learned.sessionCores).catch((error: Error) => {
      this.deps.log.warn('session cost not kept', { error: error.message });
    });
  }

  /** One period: measure, report, watch every session's lag. */
  async tick(): Promise<CapacitySnapshot> {
    const { transcriber, probe, clock, settings, metrics } = this.deps;
    const now = clock.now();
    const live = transcriber.liveSessionIds();
    const loads = transcriber.load.takePeriod(live);
    const { busyCores, eventLoopDelayMs } = probe.sample();
    const speaking = loads.filter((l) => l.audioMs > 0);
    const rtfs = speaking.map((l) => l.realTimeFactor ?? 0);
    const realTimeFactor = rtfs.length ? rtfs.reduce((a, b) => a + b, 0) / rtfs.length : undefined;
    const maxLagMs = loads.reduce((m, l) => Math.max(m, l.lagMs), 0);
    const estimate: CapacityEstimate | undefined =
      settings.basis === 'measured'
        ? this.estimator.observe({
            busyCores,
            live: live.length,
            active: speaking.length,
            realTimeFactor,
            eventLoopDelayMs,
            maxLagMs,
          })
        : undefined;
    const report: CapacityReport = {
      workerId: this.deps.workerId,
      basis: settings.basis,
      sessions: estimate?.sessions ?? settings.capacity.maxSessions,
      live: live.length,
      ...(estimate
        ? {
            cores: settings.capacity.cores,
            busyCores: estimate.busyCores,
            sessionCores: estimate.sessionCores,
            ...(realTimeFactor !== undefined ? { realTimeFactor: Math.round(realTimeFactor * 1000) / 1000 } : {}),
            eventLoopDelayMs: Math.round(eventLoopDelayMs),
            ...(estimate.limitedBy ? { limitedBy: estimate.limitedBy } : {}),
          }
        : {}),
      maxLagMs,
      updatedAt: now,
    };
    await this.deps.store.put(report).catch((error: Error) => {
      this.deps.log.warn('capacity report not written', { error: error.message });
    });
    if (estimate) await this.saveSessionCost(now);
    const sessions: CapacitySnapshot['sessions'] = [];
    for (const load of loads) {
      if (load.audioMs > 0) metrics.latency('RecognitionLagMs', load.lagMs);
      const verdict = this.lagWatch.observe(load.sessionId, load.lagMs, now);
      if (verdict.degrade !== undefined && transcriber.degrade(load.sessionId, verdict.degrade)) {
        metrics.count(verdict.degrade ? 'SessionsDegraded' : 'SessionsRestored');
        this.deps.log.warn(verdict.degrade ? 'session degraded to keep real time' : 'session keeps up again', {
          sessionId: load.sessionId,
          lagMs: load.lagMs,
        });
      }
      if (verdict.notice) {
        await this.deps.events
          .publish(TranscriptionLagChangedV1, {
            v: 1,
            sessionId: load.sessionId,
            ...verdict.notice,
            occurredAt: now,
          })
          .catch((error: Error) =>
            this.deps.log.warn('lag not reported', { sessionId: load.sessionId, error: error.message }),
          );
      }
      sessions.push({ ...load, degraded: this.lagWatch.degraded(load.sessionId) });
    }
    this.lagWatch.retain(new Set(live));
    this.latest = { report, sessions };
    return this.latest;
  }
}

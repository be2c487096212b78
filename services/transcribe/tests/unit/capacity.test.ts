// How many sessions a worker says it can hold, learned from what it measures; and what a session's lag calls for.
import { describe, expect, test } from 'vitest';
import { CapacityEstimator, DEFAULT_CAPACITY } from '#core/capacity';
import { DEFAULT_LAG_WATCH, LagWatch } from '#core/lag-watch';
import { LoadTracker } from '#core/load';

const settings = { ...DEFAULT_CAPACITY, cores: 2, maxSessions: 8 };
const quiet = { live: 0, active: 0, realTimeFactor: undefined, eventLoopDelayMs: 5, maxLagMs: 0 };

describe('capacity estimate', () => {
  test('before a session has been measured: one at a time, whatever the prior says', () => {
    const estimator = new CapacityEstimator(settings);
    // The prior alone would say (2 × 0.75 − 0.05) / 0.55 = 2.6.
    expect(estimator.observe({ ...quiet, busyCores: 0.05 })).toMatchObject({
      sessions: 1,
      limitedBy: expect.stringMatching(/measuring what a session costs \(0 of 5/),
    });
    // One session live and speaking, four periods: still one (no second beside it until it is measured).
    for (let i = 0; i < 4; i++) {
      expect(estimator.observe({ ...quiet, busyCores: 0.35, live: 1, active: 1, realTimeFactor: 0.1 }).sessions).toBe(
        1,
      );
    }
    // The fifth: measured at 0.3 cores a session (the mean of its periods, not the prior): (1.5 − 0.05) / 0.3 = 4.
    expect(estimator.observe({ ...quiet, busyCores: 0.35, live: 1, active: 1, realTimeFactor: 0.1 })).toMatchObject({
      sessions: 4,
      sessionCores: 0.3,
    });
  });

  test('measured dearer than the prior: fewer sessions than the prior would have admitted', () => {
    const estimator = new CapacityEstimator(settings);
    estimator.observe({ ...quiet, busyCores: 0.05 });
    let estimate = estimator.observe({ ...quiet, busyCores: 0.85, live: 1, active: 1, realTimeFactor: 0.2 });
    for (let i = 0; i < 4; i++) {
      estimate = estimator.observe({ ...quiet, busyCores: 0.85, live: 1, active: 1, realTimeFactor: 0.2 });
    }
    // 0.8 cores a session: (1.5 − 0.05) / 0.8 = 1.8, one.
    expect(estimate).toMatchObject({ sessions: 1, sessionCores: 0.8, limitedBy: expect.stringMatching(/CPU/) });
  });

  test('a cost measured in an earlier run stands for the learning; not once learning has begun', () => {
    const resumed = new CapacityEstimator(settings);
    expect(resumed.learned).toBeUndefined();
    expect(resumed.resume(0.3)).toBe(true);
    // (1.5 − 0.05) / 0.3 = 4, at once; not "learned" by this run until it has observed speech itself.
    expect(resumed.observe({ ...quiet, busyCores: 0.05 }).sessions).toBe(4);
    expect(resumed.learned).toBeUndefined();
    resumed.observe({ ...quiet, busyCores: 0.45, live: 1, active: 1, realTimeFactor: 0.1 });
    // Mixed in as any later period: 0.3 + 0.2 × (0.4 − 0.3).
    expect(resumed.learned).toEqual({ sessionCores: 0.32, observedPeriods: 1 });

    const learning = new CapacityEstimator(settings);
    learning.observe({ ...quiet, busyCores: 0.35, live: 1, active: 1, realTimeFactor: 0.1 });
    expect(learning.resume(0.3)).toBe(false);
    expect(learning.observe({ ...quiet, busyCores: 0.35, live: 1, active: 1 }).sessions).toBe(1);
  });

  test('learning off (0 periods): the prior decides until measurements say otherwise', () => {
    const estimate = new CapacityEstimator({ ...settings, learningPeriods: 0 }).observe({ ...quiet, busyCores: 0.05 });
    expect(estimate.sessions).toBe(2);
  });

  test('learns what a speaking session costs from the CPU the process uses with sessions live', () => {
    const estimator = new CapacityEstimator(settings);
    let sessions = 0;
    for (let i = 0; i < 40; i++) {
      sessions = estimator.observe({ ...quiet, busyCores: 0.65, live: 3, active: 3, realTimeFactor: 0.12 }).sessions;
    }
    // ~0.2 cores a session: (1.5 − 0.05) / 0.2 = 7
    expect(sessions).toBe(7);
    for (let i = 0; i < 40; i++) {
      sessions = estimator.observe({ ...quiet, busyCores: 1.9, live: 3, active: 3, realTimeFactor: 0.3 }).sessions;
    }
    expect(sessions).toBe(2);
  });

  test('a session behind real time or a late event loop means full: no more than are live now', () => {
    const estimator = new CapacityEstimator(settings);
    const behind = estimator.observe({ ...quiet, busyCores: 0.3, live: 2, active: 2, maxLagMs: 1500 });
    expect(behind).toMatchObject({ sessions: 2, limitedBy: expect.stringMatching(/1500 ms behind/) });
    const late = estimator.observe({ ...quiet, busyCores: 0.3, live: 1, active: 1, eventLoopDelayMs: 400 });
    expect(late).toMatchObject({ sessions: 1, limitedBy: expect.stringMatching(/event-loop/) });
  });

  test('never more than the recogniser limit, never below zero', () => {
    const estimator = new CapacityEstimator({ ...settings, maxSessions: 2, learningPeriods: 0 });
    expect(estimator.observe({ ...quiet, busyCores: 0 }).sessions).toBe(2);
    const busy = new CapacityEstimator(settings);
    expect(busy.observe({ ...quiet, busyCores: 4 }).sessions).toBeGreaterThanOrEqual(0);
  });
});

describe('per-session load', () => {
  test('real-time factor and worst lag per period, then a new period', () => {
    const load = new LoadTracker();
    load.frame('a', 100, 20, 150);
    load.frame('a', 100, 10, 900);
    const [a, b] = load.takePeriod(['a', 'b']);
    expect(a).toEqual({ sessionId: 'a', audioMs: 200, realTimeFactor: 0.15, lagMs: 900 });
    expect(b).toEqual({ sessionId: 'b', audioMs: 0, realTimeFactor: undefined, lagMs: 0 });
    expect(load.takePeriod(['a'])[0]).toMatchObject({ audioMs: 0, lagMs: 0 });
  });
});

describe('lag watch', () => {
  test('degrades past the degrade threshold, warns past the warning one, says when it is back, restores later', () => {
    const watch = new LagWatch(DEFAULT_LAG_WATCH);
    expect(watch.observe('s', 100, 0)).toEqual({});
    expect(watch.observe('s', 800, 1000)).toEqual({ degrade: true });
    expect(watch.observe('s', 1400, 2000)).toEqual({ notice: { lagMs: 1400, behind: true, degraded: true } });
    expect(watch.observe('s', 1600, 3000)).toEqual({});
    expect(watch.observe('s', 2500, 4000)).toEqual({ notice: { lagMs: 2500, behind: true, degraded: true } });
    expect(watch.observe('s', 100, 5000)).toEqual({ notice: { lagMs: 100, behind: false, degraded: true } });
    expect(watch.observe('s', 100, 14_000)).toEqual({});
    expect(watch.observe('s', 100, 15_000)).toEqual({ degrade: false });
    expect(watch.degraded('s')).toBe(false);
  });
});

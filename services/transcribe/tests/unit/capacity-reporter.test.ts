// The worker's capacity report and the lag watch, over a real Transcriber with a fake recogniser.
import type { CapacityReport } from '@llt/events';
import { describe, expect, test } from 'vitest';
import { DEFAULT_CAPACITY } from '#core/capacity';
import { DEFAULT_LAG_WATCH } from '#core/lag-watch';
import { Transcriber } from '#core/transcriber';
import { CapacityReporter } from '#worker/capacity-reporter';
import { fakeDeps, records } from '../fakes.ts';

const STABILITY = { agreementMs: 200, minIncrementWords: 2, clauseWords: 4 };

function setUp(basis: 'measured' | 'quota' = 'measured', earlierCost?: number, busyCores = 0.5) {
  const world = fakeDeps({ stability: STABILITY });
  const transcriber = new Transcriber(world.deps);
  const reports: CapacityReport[] = [];
  const savedCosts: number[] = [];
  const reporter = new CapacityReporter({
    workerId: 'w1',
    transcriber,
    probe: { sample: () => ({ busyCores, eventLoopDelayMs: 12 }) },
    store: {
      put: async (r) => void reports.push(r),
      lastSessionCost: async () => earlierCost,
      saveSessionCost: async (cores) => void savedCosts.push(cores),
    },
    events: world.deps.events,
    clock: world.deps.clock,
    log: world.deps.log,
    metrics: world.deps.metrics,
    settings: {
      periodMs: 1000,
      basis,
      capacity: { ...DEFAULT_CAPACITY, cores: 2, maxSessions: 25 },
      lag: DEFAULT_LAG_WATCH,
    },
  });
  return { ...world, transcriber, reporter, reports, savedCosts };
}

describe('capacity reporter', () => {
  test('reports what the worker measured: live sessions, their real-time factor and lag', async () => {
    const { transcriber, reporter, reports, time } = setUp();
    // Frames received 100–1500 ms ago: recognised now, that is their lag.
    await transcriber.handle(records('s_session0001', 'ssVVVVVsssss', time.now - 1600));
    await reporter.tick();
    expect(reports).toHaveLength(1);
    expect(reports[0]).toMatchObject({ workerId: 'w1', basis: 'measured', live: 1, cores: 2, busyCores: 0.5 });
    expect(reports[0]!.maxLagMs).toBeGreaterThan(1000);
    expect(reports[0]!.sessions).toBe(1);
    expect(reports[0]!.limitedBy).toMatch(/behind real time/);
  });

  test('starts from the session cost measured in an earlier run on this machine, and keeps what it measures', async () => {
    const { transcriber, reporter, reports, savedCosts, time } = setUp('measured', 0.4);
    await reporter.resumeSessionCost();
    await reporter.tick();
    // Idle at 0.5 cores: (2 × 0.75 − 0.5) / 0.4 = 2.5, and no longer one at a time.
    expect(reports[0]).toMatchObject({ live: 0, sessions: 2, sessionCores: 0.4 });
    expect(reports[0]!.limitedBy).toBeUndefined();
    expect(savedCosts).toEqual([]); // nothing measured in this run yet
    // A period of speech: what this run measured is kept, at most once a minute.
    await transcriber.handle(records('s_session0001', 'ssVVVVVsssss', time.now));
    await reporter.tick();
    expect(savedCosts).toHaveLength(1);
    await transcriber.handle(records('s_session0001', 'VVVVVsss', time.now, 12));
    await reporter.tick();
    expect(savedCosts).toHaveLength(1);
    time.now += 61_000;
    await transcriber.handle(records('s_session0001', 'VVVVVsss', time.now, 20));
    await reporter.tick();
    expect(savedCosts).toHaveLength(2);
  });

  test('without an earlier cost it measures first: one session at a time, whatever the prior says', async () => {
    // Idle at 0.05 cores the prior would say (1.5 − 0.05) / 0.55 = 2.6.
    const { reporter, reports, savedCosts } = setUp('measured', undefined, 0.05);
    await reporter.resumeSessionCost();
    await reporter.tick();
    expect(reports[0]).toMatchObject({ live: 0, sessions: 1, limitedBy: expect.stringMatching(/measuring/) });
    expect(savedCosts).toEqual([]);
  });

  test('a session behind real time is degraded, its speaker told, and its next utterance sheds provisional words', async () => {
    const { transcriber, reporter, published, time } = setUp();
    await transcriber.handle(records('s_session0001', 'ssVVVVVsssss', time.now - 1600));
    await reporter.tick();
    const lag = published.filter((p) => p.detailType === 'TranscriptionLagChanged').map((p) => p.detail);
    expect(lag).toEqual([expect.objectContaining({ sessionId: 's_session0001', behind: true, degraded: true })]);
    expect(reporter.latest?.sessions[0]).toMatchObject({ sessionId: 's_session0001', degraded: true });
    const before = published.length;
    await transcriber.handle(records('s_session0001', 'VVVVVVVVVVVVssss', time.now, 12));
    const later = published.slice(before);
    expect(later.filter((p) => p.detailType === 'TranscriptStabilized')).toEqual([]);
    expect(later.filter((p) => p.detailType === 'TranscriptFinalized')).toHaveLength(1);
  });

  test('on the quota basis the report is the deployment quota, whatever the CPU', async () => {
    const { reporter, reports } = setUp('quota');
    await reporter.tick();
    expect(reports[0]).toMatchObject({ basis: 'quota', sessions: 25, live: 0 });
    expect(reports[0]!.busyCores).toBeUndefined();
  });
});

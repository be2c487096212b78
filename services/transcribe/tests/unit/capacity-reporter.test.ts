// The worker's capacity report and the lag watch, over a real Transcriber with a fake recogniser.
import type { CapacityReport } from '@llt/events';
import { describe, expect, test } from 'vitest';
import { DEFAULT_CAPACITY } from '#core/capacity';
import { DEFAULT_LAG_WATCH } from '#core/lag-watch';
import { Transcriber } from '#core/transcriber';
import { CapacityReporter } from '#worker/capacity-reporter';
import { fakeDeps, records } from '../fakes.ts';

const STABILITY = { agreementMs: 200, minIncrementWords: 2, clauseWords: 4 };

function setUp(basis: 'measured' | 'quota' = 'measured') {
  const world = fakeDeps({ stability: STABILITY });
  const transcriber = new Transcriber(world.deps);
  const reports: CapacityReport[] = [];
  const reporter = new CapacityReporter({
    workerId: 'w1',
    transcriber,
    probe: { sample: () => ({ busyCores: 0.5, eventLoopDelayMs: 12 }) },
    store: { put: async (r) => void reports.push(r) },
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
  return { ...world, transcriber, reporter, reports };
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

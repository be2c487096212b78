import { expect, test } from 'vitest';
import { Histogram, StatsRegistry } from '../../src/stats.ts';

test('a histogram reports nearest-rank percentiles of its most recent samples', () => {
  const h = new Histogram(10);
  expect(h.summary()).toEqual({ count: 0, p50: null, p95: null, p99: null, max: null });
  for (const v of [5, 1, 9, 3, 7, 2, 8, 4, 6, 10, 11, 12]) h.record(v);
  // The ring keeps the last 10 samples: 9 3 7 2 8 4 6 10 11 12.
  expect(h.summary()).toEqual({ count: 12, p50: 7, p95: 12, p99: 12, max: 12 });
  expect(h.percentile(10)).toBe(2);
});

test('a registry keeps named histograms and counters', () => {
  const stats = new StatsRegistry();
  stats.histogram('ingest.FrameToStreamMs').record(4);
  stats.increment('ingest.FramesStored');
  stats.increment('ingest.FramesStored', 2);
  expect(stats.counter('ingest.FramesStored')).toBe(3);
  expect(stats.snapshot()).toEqual({
    histograms: { 'ingest.FrameToStreamMs': { count: 1, p50: 4, p95: 4, p99: 4, max: 4 } },
    counters: { 'ingest.FramesStored': 3 },
  });
});

test("a registry's changes since they were last taken merge into another as if recorded there", () => {
  const environment = new StatsRegistry();
  const runtime = new StatsRegistry();
  environment.increment('notify.Before');
  environment.trackChanges();
  environment.histogram('notify.FanoutMs').record(3);
  environment.histogram('notify.FanoutMs').record(5);
  environment.increment('notify.Delivered', 2);
  const changes = environment.takeChanges();
  expect(changes).toEqual({ samples: { 'notify.FanoutMs': [3, 5] }, counters: { 'notify.Delivered': 2 } });
  expect(environment.takeChanges()).toBeUndefined();
  runtime.merge(changes!);
  runtime.increment('notify.Delivered');
  expect(runtime.snapshot()).toEqual({
    histograms: { 'notify.FanoutMs': { count: 2, p50: 3, p95: 5, p99: 5, max: 5 } },
    counters: { 'notify.Delivered': 3 },
  });
});

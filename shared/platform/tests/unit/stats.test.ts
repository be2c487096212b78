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

// Mapping AudioContext time to epoch ms from the render callbacks' timing.
import { describe, expect, test } from 'vitest';
import { CaptureClock } from '../../src/lib/capture-clock.ts';

const EPOCH = 1_700_000_000_000;

describe('CaptureClock', () => {
  test('is not ready before the first callback', () => {
    const clock = new CaptureClock();
    expect(clock.ready).toBe(false);
    expect(clock.epochAt(1)).toBeNaN();
  });

  test('takes the earliest render of recent callbacks as the offset (late renders only add delay)', () => {
    const clock = new CaptureClock();
    // Context time 0 is epoch EPOCH; callbacks run 3, 0.5 and 8 ms after their quantum's last sample.
    clock.observe(1.0, EPOCH + 1000 + 3);
    clock.observe(1.1, EPOCH + 1100 + 0.5);
    clock.observe(1.2, EPOCH + 1200 + 8);
    expect(clock.epochAt(1.15)).toBeCloseTo(EPOCH + 1150.5, 6);
  });

  test('forgets observations older than its window, so it follows drift between the clocks', () => {
    const clock = new CaptureClock({ windowMs: 2000, bucketMs: 500, gapMs: 10_000 });
    clock.observe(0, EPOCH); // offset EPOCH
    // The audio clock runs slow: from then on callbacks show an offset 5 ms larger.
    for (let t = 0.25; t <= 3; t += 0.25) clock.observe(t, EPOCH + t * 1000 + 5);
    expect(clock.epochAt(3)).toBeCloseTo(EPOCH + 3005, 6);
  });

  test('starts over after a gap in callbacks (a suspended or starved context lost time)', () => {
    const clock = new CaptureClock({ gapMs: 1000 });
    clock.observe(1, EPOCH + 1000);
    // Suspended for 5 s: context time went on from 1.003 while the epoch clock moved 5 s.
    clock.observe(1.003, EPOCH + 6003);
    expect(clock.epochAt(1.003)).toBeCloseTo(EPOCH + 6003, 6);
  });
});

// The real-time schedule (absolute, drift-free deadlines) and the reconnection backoff, as pure functions.
import { describe, expect, test } from 'vitest';
import { delayUntil, realtimeSchedule, sampleTime } from '../../src/schedule.ts';

describe('realtimeSchedule', () => {
  test('each frame is captured at its first sample and due when its last sample is captured', () => {
    const frames = realtimeSchedule(10_000, 1600 * 3, 1600);
    expect(frames.map((f) => [f.index, f.startSample, f.length, f.captureTime, f.sendAt])).toEqual([
      [0, 0, 1600, 10_000, 10_100],
      [1, 1600, 1600, 10_100, 10_200],
      [2, 3200, 1600, 10_200, 10_300],
    ]);
  });

  test('a trailing partial frame is due at the end of the audio', () => {
    const frames = realtimeSchedule(0, 1600 + 400, 1600);
    expect(frames.at(-1)).toMatchObject({ startSample: 1600, length: 400, captureTime: 100, sendAt: 125 });
  });

  test('deadlines depend only on the start time, so late wake-ups do not accumulate drift', () => {
    const start = 1_000_000;
    const frames = realtimeSchedule(start, 16_000 * 60, 320); // one minute of 20 ms frames
    // Simulate a pacing loop whose timer always fires 3 ms late: each wait is computed from the absolute
    // deadline, so the lateness stays 3 ms instead of growing by 3 ms per frame.
    let clock = start;
    const lateness: number[] = [];
    for (const frame of frames) {
      clock += delayUntil(frame.sendAt, clock) + 3;
      lateness.push(clock - frame.sendAt);
    }
    expect(Math.max(...lateness)).toBeCloseTo(3, 6);
    expect(frames.at(-1)!.sendAt).toBe(start + 60_000);
  });

  test('after a stall the schedule catches up: overdue frames get no wait', () => {
    const frames = realtimeSchedule(0, 1600 * 5, 1600);
    expect(frames.map((f) => delayUntil(f.sendAt, 350))).toEqual([0, 0, 0, 50, 150]);
  });

  test('no audio, no frames', () => {
    expect(realtimeSchedule(0, 0, 1600)).toEqual([]);
  });

  test('sampleTime converts 16 kHz sample positions to ms', () => {
    expect(sampleTime(5, 16)).toBe(6);
    expect(sampleTime(0, 8)).toBe(0.5);
  });
});

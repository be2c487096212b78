// Reconnection delays: exponential, capped, jittered within bounds.
import { describe, expect, test } from 'vitest';
import { backoffDelay, LISTENER_RECONNECT, SPEAKER_RECONNECT } from '../../src/backoff.ts';

describe('backoffDelay', () => {
  const noJitter = { ...SPEAKER_RECONNECT, jitter: 0 };
  const jitter = { ...SPEAKER_RECONNECT, jitter: 0.2 };

  test('doubles from 100 ms and is capped at 2 s', () => {
    expect([0, 1, 2, 3, 4, 5, 10].map((a) => backoffDelay(a, noJitter))).toEqual([
      100, 200, 400, 800, 1600, 2000, 2000,
    ]);
  });

  test('jitter stays within its fraction and never exceeds the cap', () => {
    expect(backoffDelay(0, jitter, () => 0)).toBe(80);
    expect(backoffDelay(0, jitter, () => 1)).toBe(120);
    expect(backoffDelay(8, jitter, () => 1)).toBe(2000);
  });

  test('honours a custom policy', () => {
    expect(backoffDelay(2, { ...SPEAKER_RECONNECT, initialDelayMs: 10, factor: 3, maxDelayMs: 50, jitter: 0 })).toBe(
      50,
    );
    expect(backoffDelay(1, { ...SPEAKER_RECONNECT, initialDelayMs: 10, factor: 3, maxDelayMs: 50, jitter: 0 })).toBe(
      30,
    );
  });
});

test('listeners start slower and wait longer than speakers', () => {
  const listener = { ...LISTENER_RECONNECT, jitter: 0 };
  expect([0, 1, 2, 3, 4, 5].map((a) => backoffDelay(a, listener))).toEqual([250, 500, 1000, 2000, 4000, 5000]);
});

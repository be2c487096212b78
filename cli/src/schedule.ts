// Timing as pure functions: when each frame of a real-time stream is due, and how long to wait between reconnects.
import { SAMPLE_RATE } from '@llt/events';

export interface ScheduledFrame {
  index: number;
  /** Position of the frame's first sample in the streamed audio. */
  startSample: number;
  length: number;
  /** Epoch ms at which the frame's first sample is "captured". */
  captureTime: number;
  /** Epoch ms at which the frame's last sample has been captured, so a live microphone could send it. */
  sendAt: number;
}

/**
 * The real-time schedule for `totalSamples` of 16 kHz audio starting at `startTime`. Every deadline is derived
 * from the start time and the sample position, never from the previous wake-up, so timer lateness does not
 * accumulate: a late frame is sent late and the next one is still due on time.
 */
export function realtimeSchedule(startTime: number, totalSamples: number, frameSamples: number): ScheduledFrame[] {
  const frames: ScheduledFrame[] = [];
  for (let index = 0, startSample = 0; startSample < totalSamples; index++, startSample += frameSamples) {
    const length = Math.min(frameSamples, totalSamples - startSample);
    frames.push({
      index,
      startSample,
      length,
      captureTime: sampleTime(startTime, startSample),
      sendAt: sampleTime(startTime, startSample + length),
    });
  }
  return frames;
}

/** Epoch ms of the sample at `position` in a stream whose first sample was captured at `startTime`. */
export function sampleTime(startTime: number, position: number): number {
  return startTime + (position * 1000) / SAMPLE_RATE;
}

/** How long to sleep before a deadline (0 when it has already passed: catch up without waiting). */
export function delayUntil(deadline: number, now: number): number {
  return Math.max(0, deadline - now);
}

export interface ReconnectPolicy {
  /** Delay before the first reconnection attempt. Default 100 ms. */
  initialDelayMs?: number;
  /** Upper bound of the delay between attempts. Default 2000 ms. */
  maxDelayMs?: number;
  /** Growth per failed attempt. Default 2. */
  factor?: number;
  /** Attempts after one drop before giving up. Default 30 (about a minute at the cap). */
  maxAttempts?: number;
  /** Randomizes each delay by ±this fraction so many clients do not retry in lockstep. Default 0.2. */
  jitter?: number;
}

export const DEFAULT_RECONNECT: Required<ReconnectPolicy> = {
  initialDelayMs: 100,
  maxDelayMs: 2000,
  factor: 2,
  maxAttempts: 30,
  jitter: 0.2,
};

/** Delay before reconnection attempt `attempt` (0-based): exponential, capped, optionally jittered. */
export function backoffDelay(
  attempt: number,
  policy: ReconnectPolicy = {},
  random: () => number = Math.random,
): number {
  const p = { ...DEFAULT_RECONNECT, ...policy };
  const base = Math.min(p.maxDelayMs, p.initialDelayMs * p.factor ** attempt);
  const jittered = base * (1 + p.jitter * (2 * random() - 1));
  return Math.round(Math.min(p.maxDelayMs, Math.max(0, jittered)));
}

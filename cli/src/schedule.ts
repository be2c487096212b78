// Timing as pure functions: when each frame of a real-time stream is due; how long the command line retries.
import { type ReconnectPolicy, SPEAKER_RECONNECT } from '@llt/client';
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

/**
 * The command line gives up where a page would keep trying: about a minute of attempts after a drop, from
 * 100 ms doubling to 2 s (the speaker's defaults otherwise).
 */
export const DEFAULT_RECONNECT: Required<ReconnectPolicy> = { ...SPEAKER_RECONNECT, maxAttempts: 30 };

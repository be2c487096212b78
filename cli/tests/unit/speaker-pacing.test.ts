// SpeakerClient pacing with an injected clock and timer: no network (frames just queue), no real waiting.
import { expect, test } from 'vitest';
import { SpeakerClient } from '../../src/speaker.ts';

function offlineClient(lateByMs: number) {
  let clock = 1_000_000;
  const waits: number[] = [];
  const client = new SpeakerClient({
    server: 'http://127.0.0.1:1',
    sessionId: 'offline-session',
    token: 't',
    frameMs: 20,
    now: () => clock,
    // Every timer fires `lateByMs` late, as real timers do under load.
    sleep: async (ms) => {
      waits.push(ms);
      clock += ms + lateByMs;
    },
  });
  return { client, waits, clock: () => clock };
}

test('waits are computed from absolute deadlines, so a consistently late timer does not add up', async () => {
  const { client, waits, clock } = offlineClient(3);
  const result = await client.streamRealtime(new Int16Array(320 * 50));
  expect(result).toEqual({ frames: 50, startTime: 1_000_000, aborted: false });
  // The first wait is a whole frame; after that each wait is shortened by the previous lateness.
  expect(waits[0]).toBe(20);
  expect(waits.slice(1)).toEqual(Array(49).fill(17));
  expect(clock()).toBe(1_000_000 + 50 * 20 + 3);
  expect(client.stats.bufferedFrames).toBe(50);
});

test('after a long stall the overdue frames go at once, then pacing resumes on schedule', async () => {
  let clock = 0;
  const waits: number[] = [];
  const client = new SpeakerClient({
    server: 'http://127.0.0.1:1',
    sessionId: 'offline-session',
    token: 't',
    frameMs: 100,
    now: () => clock,
    sleep: async (ms) => {
      waits.push(ms);
      clock += waits.length === 1 ? ms + 350 : ms; // the first timer fires 350 ms late
    },
  });
  await client.streamRealtime(new Int16Array(1600 * 6));
  // Frames due at 200, 300 and 400 ms are overdue at 450 ms: no wait; the one due at 500 waits 50 ms.
  expect(waits).toEqual([100, 50, 100]);
});

test('lead silence adds whole frames before the audio', async () => {
  const { client } = offlineClient(0);
  const result = await client.streamRealtime(new Int16Array(320 * 2), { leadSilenceMs: 60 });
  expect(result.frames).toBe(5);
});

test('an abort signal stops the stream early', async () => {
  const { client } = offlineClient(0);
  const controller = new AbortController();
  controller.abort();
  const result = await client.streamRealtime(new Int16Array(320 * 10), { signal: controller.signal });
  expect(result).toMatchObject({ frames: 0, aborted: true });
});

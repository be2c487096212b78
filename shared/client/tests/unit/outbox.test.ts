// Frame slicing and numbering, and what a (re)connection's welcome does to the resend buffer.
import { decodeAudioFrame, encodeAudioFrame, MIN_FRAME_SAMPLES } from '@llt/events';
import { describe, expect, test } from 'vitest';
import { frameSamplesFor, Outbox, type OutFrame, pcmBytes } from '../../src/outbox.ts';

const ramp = (n: number, from = 0) => Int16Array.from({ length: n }, (_, i) => (from + i) % 30_000);

function takeAll(outbox: Outbox): OutFrame[] {
  const out: OutFrame[] = [];
  for (let f = outbox.take(); f; f = outbox.take()) out.push(f);
  return out;
}

describe('frameSamplesFor', () => {
  test.each([
    [20, 320],
    [100, 1600],
    [30, 480],
  ])('%d ms is %d samples', (ms, samples) => expect(frameSamplesFor(ms)).toBe(samples));

  test.each([10, 19, 101, 20.01])('%d ms is refused', (ms) =>
    expect(() => frameSamplesFor(ms)).toThrowError(RangeError),
  );
});

describe('slicing and numbering', () => {
  test('whole frames are numbered from 0 with capture times following the samples', () => {
    const outbox = new Outbox({ frameMs: 20 });
    const frames = outbox.push(ramp(320 * 3), 1_000);
    expect(frames.map((f) => [f.seq, f.captureTime, f.samples.length, f.samples[0]])).toEqual([
      [0, 1000, 320, 0],
      [1, 1020, 320, 320],
      [2, 1040, 320, 640],
    ]);
  });

  test('a remainder waits for the next push and keeps the capture time of its first sample', () => {
    const outbox = new Outbox({ frameMs: 20 });
    expect(outbox.push(ramp(500), 1_000)).toHaveLength(1);
    expect(outbox.partialSamples).toBe(180);
    const next = outbox.push(ramp(200, 500), 5_000); // new chunk's own timestamp does not move the carried frame
    expect(next).toHaveLength(1);
    expect(next[0]!.seq).toBe(1);
    expect(next[0]!.captureTime).toBe(1_000 + (320 * 1000) / 16_000);
    expect([...next[0]!.samples]).toEqual([...ramp(320, 320)]);
    expect(outbox.partialSamples).toBe(60);
  });

  test('many tiny pushes add up to the same frames as one big push', () => {
    const a = new Outbox({ frameMs: 20 });
    const b = new Outbox({ frameMs: 20 });
    const audio = ramp(2000);
    a.push(audio, 0);
    for (let i = 0; i < audio.length; i += 7) b.push(audio.subarray(i, i + 7), (i * 1000) / 16_000);
    const seqs = (o: Outbox) => takeAll(o).map((f) => [f.seq, f.captureTime, [...f.samples]]);
    expect(seqs(b)).toEqual(seqs(a));
  });

  test('flush pads a short remainder with silence up to the 20 ms minimum; a longer one is sent as is', () => {
    const short = new Outbox({ frameMs: 100 });
    short.push(ramp(100), 0);
    const [padded] = short.flush();
    expect(padded!.samples.length).toBe(MIN_FRAME_SAMPLES);
    expect([...padded!.samples.subarray(0, 100)]).toEqual([...ramp(100)]);
    expect(padded!.samples.subarray(100).every((s) => s === 0)).toBe(true);

    const long = new Outbox({ frameMs: 100 });
    long.push(ramp(1000), 0);
    expect(long.flush()[0]!.samples.length).toBe(1000);
    expect(long.flush()).toEqual([]);
  });

  test('frames encode to valid protocol frames carrying their seq and capture time', () => {
    const outbox = new Outbox({ frameMs: 40 });
    const [frame] = outbox.push(ramp(640), 1_700_000_000_000.5);
    const decoded = decodeAudioFrame(encodeAudioFrame(frame!.seq, frame!.captureTime, pcmBytes(frame!.samples)));
    expect(decoded.ok && decoded.frame).toMatchObject({ seq: 0, captureTime: 1_700_000_000_000.5, durationMs: 40 });
  });

  test('the caller can reuse its buffer after a push', () => {
    const outbox = new Outbox({ frameMs: 20 });
    const buffer = ramp(330);
    outbox.push(buffer, 0);
    buffer.fill(7);
    outbox.push(new Int16Array(310), 0);
    const [first, second] = takeAll(outbox);
    expect(first!.samples[0]).toBe(0);
    expect([...second!.samples.subarray(0, 10)]).toEqual([...ramp(10, 320)]);
  });
});

describe('resend after welcome', () => {
  function sentOutbox(frames: number) {
    const outbox = new Outbox({ frameMs: 20 });
    outbox.push(ramp(320 * frames), 0);
    return outbox;
  }

  test('the first welcome with lastSeq null sends everything from seq 0', () => {
    const outbox = sentOutbox(3);
    expect(outbox.welcome(null)).toEqual({ acknowledged: 0, pending: 3, renumberedBy: 0 });
    expect(takeAll(outbox).map((f) => f.seq)).toEqual([0, 1, 2]);
    expect(outbox.unsent).toBe(0);
  });

  test('after a reconnect, frames <= lastSeq are dropped and the rest resent in order, then new ones', () => {
    const outbox = sentOutbox(6);
    outbox.welcome(null);
    expect(takeAll(outbox).map((f) => f.seq)).toEqual([0, 1, 2, 3, 4, 5]);
    outbox.push(ramp(320 * 2), 0); // captured while disconnected: 6, 7

    const outcome = outbox.welcome(3);
    expect(outcome).toEqual({ acknowledged: 4, pending: 4, renumberedBy: 0 });
    expect(outbox.bufferedSeqs()).toEqual([4, 5, 6, 7]);
    const resent = takeAll(outbox);
    expect(resent.map((f) => [f.seq, f.sends])).toEqual([
      [4, 2],
      [5, 2],
      [6, 1],
      [7, 1],
    ]);
  });

  test('a welcome confirming everything leaves nothing to send; a stale one (older lastSeq) drops nothing extra', () => {
    const outbox = sentOutbox(4);
    outbox.welcome(null);
    takeAll(outbox);
    expect(outbox.welcome(3)).toMatchObject({ acknowledged: 4, pending: 0 });
    expect(outbox.take()).toBeUndefined();
    outbox.push(ramp(320), 0);
    expect(outbox.welcome(1)).toMatchObject({ acknowledged: 0, pending: 1 });
    expect(takeAll(outbox).map((f) => f.seq)).toEqual([4]);
  });

  test('a first welcome into a session that already has audio renumbers the unsent frames after it', () => {
    const outbox = sentOutbox(2);
    expect(outbox.welcome(41)).toMatchObject({ renumberedBy: 42, pending: 2 });
    expect(takeAll(outbox).map((f) => f.seq)).toEqual([42, 43]);
    expect(outbox.push(ramp(320), 0)[0]!.seq).toBe(44);
    // Later welcomes never renumber: those frames have been sent under their numbers.
    expect(outbox.welcome(42)).toMatchObject({ renumberedBy: 0, acknowledged: 1 });
  });

  test('a full buffer drops the oldest frames; a welcome behind the buffer reports the lost range', () => {
    const outbox = new Outbox({ frameMs: 100, maxBufferedMs: 500 }); // 5 frames
    outbox.welcome(null);
    outbox.push(ramp(1600 * 2), 0);
    takeAll(outbox); // 0, 1 sent
    outbox.push(ramp(1600 * 6), 0); // 2..7 unsent; 0..2 evicted
    expect(outbox.bufferedSeqs()).toEqual([3, 4, 5, 6, 7]);
    expect(outbox.droppedUnsent).toBe(1); // seq 2 was never sent
    const outcome = outbox.welcome(1);
    expect(outcome.lost).toEqual({ from: 2, to: 2 });
    expect(takeAll(outbox).map((f) => f.seq)).toEqual([3, 4, 5, 6, 7]);
  });

  test('requeue resends a frame the server could not store ahead of new frames, once', () => {
    const outbox = sentOutbox(3);
    outbox.welcome(null);
    takeAll(outbox);
    outbox.push(ramp(320), 0);
    expect(outbox.requeue(1)).toBe(true);
    expect(outbox.requeue(1)).toBe(true);
    expect(outbox.requeue(99)).toBe(false);
    expect(takeAll(outbox).map((f) => f.seq)).toEqual([1, 3]);
  });

  test('unsent counts frames still to hand to the current connection', () => {
    const outbox = sentOutbox(3);
    outbox.welcome(null);
    expect(outbox.unsent).toBe(3);
    outbox.take();
    expect(outbox.unsent).toBe(2);
    outbox.welcome(null); // reconnect without progress: all three go again
    expect(outbox.unsent).toBe(3);
  });
});

// The worklet's work without Web Audio: 128-frame quanta of 44.1 kHz stereo in, levels and stamped 16 kHz
// frames out.
import { describe, expect, test } from 'vitest';
import { CapturePipeline, FRAME_SAMPLES, type PipelineEvent, toDbfs, toS16 } from '../../src/lib/capture-pipeline.ts';

const RATE = 44_100;
const EPOCH = 1_700_000_000_000;

/** Runs `seconds` of a stereo sine through the pipeline as a worklet would, rendering exactly on time. */
function run(pipeline: CapturePipeline, seconds: number, startFrame = 0, amplitude = 0.5): PipelineEvent[] {
  const events: PipelineEvent[] = [];
  const quanta = Math.ceil((seconds * RATE) / 128);
  for (let q = 0; q < quanta; q++) {
    const frame = startFrame + q * 128;
    const left = Float32Array.from(
      { length: 128 },
      (_, i) => amplitude * Math.sin((2 * Math.PI * 440 * (frame + i)) / RATE),
    );
    // Rendered 2 ms after the quantum's last sample was captured.
    pipeline.process([left, left], 128, frame, EPOCH + ((frame + 128) / RATE) * 1000 + 2, (e) => events.push(e));
  }
  return events;
}

const frames = (events: PipelineEvent[]) => events.filter((e) => e.type === 'frame');

describe('CapturePipeline', () => {
  test('cuts 100 ms frames of 16 kHz s16 audio once streaming', () => {
    const pipeline = new CapturePipeline({ inputRate: RATE });
    pipeline.setStreaming(true, () => {});
    const out = frames(run(pipeline, 1.05));
    expect(out.length).toBe(10);
    for (const frame of out) expect(frame.pcm.length).toBe(FRAME_SAMPLES);
    const loudest = Math.max(...out.flatMap((f) => [...f.pcm].map(Math.abs)));
    expect(loudest).toBeGreaterThan(0.49 * 32_767);
    expect(loudest).toBeLessThan(0.51 * 32_767);
  });

  test('stamps each frame with the epoch time of its first sample', () => {
    const startFrame = 44_100 * 3; // the context had run 3 s before the microphone started
    const pipeline = new CapturePipeline({ inputRate: RATE, inputLatencyMs: 10 });
    pipeline.setStreaming(true, () => {});
    const out = frames(run(pipeline, 0.65, startFrame));
    // Context time 3 s is epoch EPOCH + 3000, plus the 2 ms render delay the clock cannot see through, minus
    // the input latency the browser reported.
    expect(out.map((f) => f.captureTime - EPOCH)).toEqual(
      [0, 100, 200, 300, 400, 500].map((ms) => expect.closeTo(3000 + ms + 2 - 10, 6)),
    );
  });

  test('measures the level every 100 ms whether streaming or not', () => {
    const pipeline = new CapturePipeline({ inputRate: RATE });
    const events = run(pipeline, 1);
    const levels = events.filter((e) => e.type === 'level');
    expect(frames(events)).toHaveLength(0);
    expect(levels.length).toBe(9); // the filter looks 2 ms ahead, so the 10th is not complete yet
    const last = levels[levels.length - 1]!;
    expect(last.rms).toBeCloseTo(0.5 / Math.SQRT2, 2);
    expect(last.peak).toBeCloseTo(0.5, 2);
  });

  test('stopping emits the partial frame, then stopped; starting again begins a fresh frame', () => {
    const pipeline = new CapturePipeline({ inputRate: RATE });
    const events: PipelineEvent[] = [];
    pipeline.setStreaming(true, (e) => events.push(e));
    events.push(...run(pipeline, 0.15));
    pipeline.setStreaming(false, (e) => events.push(e));
    const kinds = events.filter((e) => e.type !== 'level').map((e) => (e.type === 'frame' ? e.pcm.length : e.type));
    expect(kinds[0]).toBe(FRAME_SAMPLES);
    expect(kinds[1]).toBeGreaterThan(700);
    expect(kinds[1]).toBeLessThan(FRAME_SAMPLES);
    expect(kinds[2]).toBe('stopped');
    expect(kinds).toHaveLength(3);
  });

  test('fills a skipped stretch of context time with silence so capture times stay true', () => {
    const pipeline = new CapturePipeline({ inputRate: RATE });
    pipeline.setStreaming(true, () => {});
    const events: PipelineEvent[] = [];
    const emit = (e: PipelineEvent) => events.push(e);
    const quantum = new Float32Array(128);
    let frame = 0;
    for (; frame < 44_100 * 0.2; frame += 128)
      pipeline.process([quantum], 128, frame, EPOCH + frame / 44.1 + 128 / 44.1, emit);
    frame += 44_100 * 0.5; // half a second never rendered
    for (let end = frame + 44_100 * 0.3; frame < end; frame += 128) {
      pipeline.process([quantum], 128, frame, EPOCH + frame / 44.1 + 128 / 44.1, emit);
    }
    const times = frames(events).map((f) => (f.type === 'frame' ? Math.round(f.captureTime - EPOCH) : 0));
    expect(times.slice(0, 9)).toEqual([0, 100, 200, 300, 400, 500, 600, 700, 800]);
  });
});

describe('conversions', () => {
  test('toS16 rounds and clips', () => {
    expect([toS16(0), toS16(1), toS16(-1), toS16(1.5), toS16(-2), toS16(0.5)]).toEqual([
      0, 32_767, -32_767, 32_767, -32_767, 16_384,
    ]);
  });

  test('toDbfs floors silence', () => {
    expect(toDbfs(1)).toBe(0);
    expect(toDbfs(0.1)).toBeCloseTo(-20, 6);
    expect(toDbfs(0, -60)).toBe(-60);
  });
});

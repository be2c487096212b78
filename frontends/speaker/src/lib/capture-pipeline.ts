// Everything the capture worklet does to the microphone's samples, without Web Audio: mix down to mono,
// resample to 16 kHz, measure the level and cut 100 ms s16 frames stamped with their capture time.
import { CaptureClock } from './capture-clock.ts';
import { mixToMono, Resampler } from './resampler.ts';

export const OUTPUT_RATE = 16_000;
/** 100 ms at 16 kHz: the protocol's largest frame, so the fewest messages. */
export const FRAME_SAMPLES = 1_600;

export interface LevelEvent {
  type: 'level';
  /** Linear RMS and peak of the last ~100 ms, 0…1 (full scale). */
  rms: number;
  peak: number;
}

export interface FrameEvent {
  type: 'frame';
  /** 16 kHz mono samples: FRAME_SAMPLES of them, fewer for the last frame before streaming stops. */
  pcm: Int16Array;
  /** Epoch ms (this device's clock) at which the frame's first sample was captured. */
  captureTime: number;
}

/** Streaming stopped: every frame captured before has been emitted. */
export interface StoppedEvent {
  type: 'stopped';
}

export type PipelineEvent = LevelEvent | FrameEvent | StoppedEvent;

export interface PipelineOptions {
  inputRate: number;
  /** Capture-to-graph delay the browser reports for the track, subtracted from capture times. Default 0. */
  inputLatencyMs?: number;
  frameSamples?: number;
  /** Samples per level measurement. Default FRAME_SAMPLES. */
  levelSamples?: number;
  clock?: CaptureClock;
}

/** Longest hole in the context's frame counter filled with silence to keep the timeline (5 s). */
const MAX_GAP_SECONDS = 5;

export class CapturePipeline {
  private readonly resampler: Resampler;
  private readonly clock: CaptureClock;
  private readonly inputRate: number;
  private readonly inputLatencyMs: number;
  private readonly frameSamples: number;
  private readonly levelSamples: number;
  private mono = new Float32Array(128);
  private resampled = new Float32Array(128);
  /** Context frame of input sample 0 (set by the first callback). */
  private firstContextFrame: number | undefined;
  private nextContextFrame = 0;
  private streaming = false;
  private frame: Int16Array;
  private frameLength = 0;
  private frameStart = 0;
  private levelSquares = 0;
  private levelPeak = 0;
  private levelCount = 0;

  constructor(options: PipelineOptions) {
    this.inputRate = options.inputRate;
    this.inputLatencyMs = options.inputLatencyMs ?? 0;
    this.frameSamples = options.frameSamples ?? FRAME_SAMPLES;
    this.levelSamples = options.levelSamples ?? FRAME_SAMPLES;
    this.clock = options.clock ?? new CaptureClock();
    this.resampler = new Resampler({ inputRate: options.inputRate, outputRate: OUTPUT_RATE });
    this.frame = new Int16Array(this.frameSamples);
  }

  get isStreaming(): boolean {
    return this.streaming;
  }

  /**
   * Starts or stops cutting frames (levels are measured either way). Stopping emits the partial frame, so the
   * end of what was said goes out before the pause, then `stopped` (also when streaming was already off).
   */
  setStreaming(on: boolean, emit: (event: PipelineEvent) => void): void {
    if (on) {
      if (!this.streaming) this.frameLength = 0;
      this.streaming = true;
      return;
    }
    if (this.streaming && this.frameLength > 0) this.emitFrame(emit);
    this.streaming = false;
    emit({ type: 'stopped' });
  }

  /**
   * One render callback: `frames` samples per channel (planar), the first at context frame `contextFrame`,
   * processed at epoch `nowMs`.
   */
  process(
    channels: readonly Float32Array[],
    frames: number,
    contextFrame: number,
    nowMs: number,
    emit: (event: PipelineEvent) => void,
  ): void {
    if (this.firstContextFrame === undefined) {
      this.firstContextFrame = contextFrame;
      this.nextContextFrame = contextFrame;
    }
    const gap = contextFrame - this.nextContextFrame;
    if (gap > 0 && gap <= MAX_GAP_SECONDS * this.inputRate) {
      this.consume(new Float32Array(gap), emit);
    } else if (gap !== 0) {
      // Out of step by more than makes sense to fill: restart the timeline here.
      this.firstContextFrame = contextFrame - this.resampler.inputCount;
    }
    this.nextContextFrame = contextFrame + frames;
    this.clock.observe((contextFrame + frames) / this.inputRate, nowMs);
    if (this.mono.length < frames) this.mono = new Float32Array(frames);
    const mono = mixToMono(channels, frames, this.mono).subarray(0, frames);
    this.consume(mono, emit);
  }

  private consume(input: Float32Array, emit: (event: PipelineEvent) => void): void {
    const needed = this.resampler.maxOutput(input.length);
    if (this.resampled.length < needed) this.resampled = new Float32Array(needed);
    const count = this.resampler.push(input, this.resampled);
    const first = this.resampler.outputCount - count;
    for (let i = 0; i < count; i++) {
      const sample = this.resampled[i]!;
      const magnitude = Math.abs(sample);
      this.levelSquares += sample * sample;
      if (magnitude > this.levelPeak) this.levelPeak = magnitude;
      if (++this.levelCount === this.levelSamples) {
        emit({ type: 'level', rms: Math.sqrt(this.levelSquares / this.levelCount), peak: Math.min(1, this.levelPeak) });
        this.levelSquares = 0;
        this.levelPeak = 0;
        this.levelCount = 0;
      }
      if (this.streaming) {
        if (this.frameLength === 0) this.frameStart = first + i;
        this.frame[this.frameLength++] = toS16(sample);
        if (this.frameLength === this.frameSamples) this.emitFrame(emit);
      }
    }
  }

  private emitFrame(emit: (event: PipelineEvent) => void): void {
    const pcm = this.frame.slice(0, this.frameLength);
    const contextSec = (this.firstContextFrame ?? 0) / this.inputRate + this.frameStart / OUTPUT_RATE;
    emit({ type: 'frame', pcm, captureTime: this.clock.epochAt(contextSec) - this.inputLatencyMs });
    this.frameLength = 0;
  }
}

/** Float sample (-1…1) to signed 16-bit, clipped. */
export function toS16(sample: number): number {
  return Math.round(Math.max(-1, Math.min(1, sample)) * 32_767);
}

/** Decibels relative to full scale, floored at `floor` (silence has no finite level). */
export function toDbfs(linear: number, floor = -100): number {
  return linear > 0 ? Math.max(floor, 20 * Math.log10(linear)) : floor;
}

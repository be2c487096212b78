// Messages between the page and the capture worklet (the worklet's events are in capture-pipeline.ts).

export const CAPTURE_PROCESSOR = 'llt-capture';

export interface CaptureProcessorOptions {
  /** Capture-to-graph delay of the track in ms (from its settings, when the browser reports it). */
  inputLatencyMs: number;
}

export type CaptureCommand =
  /** Start or stop cutting frames; stopping emits the partial frame first. */
  | { type: 'stream'; on: boolean }
  /** Emit what is left and stop processing for good. */
  | { type: 'stop' };

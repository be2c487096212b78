// The AudioWorklet processor: runs CapturePipeline on the audio thread and posts levels and 16 kHz frames to
// the page. Built by vite as a separate bundle (`?worker&url`), so it may import plain modules.
import { CapturePipeline, type PipelineEvent } from './capture-pipeline.ts';
import { CAPTURE_PROCESSOR, type CaptureCommand, type CaptureProcessorOptions } from './capture-protocol.ts';

// AudioWorkletGlobalScope is not in TypeScript's DOM library.
declare const sampleRate: number;
declare const currentFrame: number;
declare class AudioWorkletProcessor {
  readonly port: MessagePort;
  constructor(options?: AudioWorkletNodeOptions);
}
declare function registerProcessor(
  name: string,
  processor: new (options: AudioWorkletNodeOptions) => AudioWorkletProcessor,
): void;

class CaptureProcessor extends AudioWorkletProcessor {
  private readonly pipeline: CapturePipeline;
  private alive = true;
  private readonly emit = (event: PipelineEvent): void => {
    if (event.type === 'frame') this.port.postMessage(event, [event.pcm.buffer]);
    else this.port.postMessage(event);
  };

  constructor(options: AudioWorkletNodeOptions) {
    super(options);
    const settings = (options.processorOptions ?? {}) as Partial<CaptureProcessorOptions>;
    this.pipeline = new CapturePipeline({ inputRate: sampleRate, inputLatencyMs: settings.inputLatencyMs ?? 0 });
    this.port.onmessage = (message: MessageEvent<CaptureCommand>) => {
      const command = message.data;
      if (command.type === 'stream') this.pipeline.setStreaming(command.on, this.emit);
      else if (command.type === 'stop') {
        this.pipeline.setStreaming(false, this.emit);
        this.alive = false;
      }
    };
  }

  process(inputs: Float32Array[][]): boolean {
    if (!this.alive) return false;
    const channels = inputs[0] ?? [];
    // A source with no channels (not started yet, or gone) still advances time by one quantum of silence.
    const frames = channels[0]?.length ?? 128;
    this.pipeline.process(channels, frames, currentFrame, Date.now(), this.emit);
    return true;
  }
}

registerProcessor(CAPTURE_PROCESSOR, CaptureProcessor);

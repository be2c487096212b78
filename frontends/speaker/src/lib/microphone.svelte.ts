// The microphone: getUserMedia into an AudioWorklet that hands back 100 ms frames of 16 kHz mono s16 audio with
// their capture times, and the input level for the meter.

import workletUrl from './capture.worklet.ts?worker&url';
import type { PipelineEvent } from './capture-pipeline.ts';
import { CAPTURE_PROCESSOR, type CaptureCommand, type CaptureProcessorOptions } from './capture-protocol.ts';

export type MicrophoneStatus = 'off' | 'starting' | 'on' | 'failed';
export type FrameHandler = (pcm: Int16Array, captureTime: number) => void;

export class Microphone {
  status: MicrophoneStatus = $state('off');
  /** Why the microphone is off, in words. */
  error: string | undefined = $state();
  /** Linear RMS and peak of the last ~100 ms (0…1). */
  rms = $state(0);
  peak = $state(0);
  /** What the browser delivers before conversion, e.g. "44100 Hz, 2 channels". */
  source: string | undefined = $state();
  private context: AudioContext | undefined;
  private stream: MediaStream | undefined;
  private node: AudioWorkletNode | undefined;
  private onFrame: FrameHandler = () => {};
  private stoppedWaiters: Array<() => void> = [];
  private readonly onFailure: (message: string) => void;

  /** `onFailure`: the microphone stopped by itself (unplugged, revoked), with the reason in words. */
  constructor(options: { onFailure?: (message: string) => void } = {}) {
    this.onFailure = options.onFailure ?? (() => {});
  }

  /** Opens the microphone (asking for permission) and starts measuring; frames flow once streaming is on. */
  async start(onFrame: FrameHandler): Promise<boolean> {
    if (this.status === 'on' || this.status === 'starting') return this.status === 'on';
    this.onFrame = onFrame;
    this.status = 'starting';
    this.error = undefined;
    try {
      if (!navigator.mediaDevices?.getUserMedia) {
        throw new DOMException(
          'This browser cannot capture audio here (a secure https page is needed)',
          'NotSupportedError',
        );
      }
      // Echo cancellation is for calls; a speaker's page plays nothing back. Noise suppression and gain
      // control help a recogniser with room noise and quiet voices.
      this.stream = await navigator.mediaDevices.getUserMedia({
        audio: { echoCancellation: false, noiseSuppression: true, autoGainControl: true, channelCount: { ideal: 1 } },
      });
      const track = this.stream.getAudioTracks()[0];
      if (!track) throw new DOMException('No audio track', 'NotFoundError');
      track.addEventListener('ended', () => {
        this.fail('The microphone was disconnected or access to it was withdrawn. Press Start to try again.');
        this.onFailure(this.error ?? '');
      });
      // The context runs at the device's own rate (44.1 or 48 kHz): the worklet converts to 16 kHz itself.
      this.context = new AudioContext({ latencyHint: 'interactive' });
      await this.context.audioWorklet.addModule(workletUrl);
      // `latency` is a standard track setting that TypeScript's DOM library does not list yet.
      const { latency } = track.getSettings() as MediaTrackSettings & { latency?: number };
      const processorOptions: CaptureProcessorOptions = {
        inputLatencyMs: typeof latency === 'number' && latency > 0 ? latency * 1000 : 0,
      };
      const source = this.context.createMediaStreamSource(this.stream);
      this.node = new AudioWorkletNode(this.context, CAPTURE_PROCESSOR, {
        numberOfInputs: 1,
        numberOfOutputs: 1,
        outputChannelCount: [1],
        processorOptions,
      });
      this.node.port.onmessage = (event: MessageEvent<PipelineEvent>) => this.receive(event.data);
      // The worklet outputs silence; connecting it to the destination (muted) keeps it rendered everywhere.
      const mute = new GainNode(this.context, { gain: 0 });
      source.connect(this.node).connect(mute).connect(this.context.destination);
      if (this.context.state !== 'running') await this.context.resume();
      const settings = track.getSettings();
      this.source = `${this.context.sampleRate} Hz, ${settings.channelCount ?? source.channelCount} channel(s)`;
      this.status = 'on';
      return true;
    } catch (error) {
      this.fail(describeMicrophoneError(error));
      return false;
    }
  }

  /** Starts or stops sending frames; resolves once every frame captured before stopping has been handed over. */
  setStreaming(on: boolean): Promise<void> {
    if (!this.node) return Promise.resolve();
    if (on) {
      this.command({ type: 'stream', on: true });
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      this.stoppedWaiters.push(resolve);
      this.command({ type: 'stream', on: false });
      // A context that stopped rendering never answers: do not hang on it.
      setTimeout(resolve, 1_000);
    });
  }

  /** Hands over the last frames, then releases the microphone. */
  async stop(): Promise<void> {
    if (this.node && this.context?.state === 'running') await this.setStreaming(false);
    this.release();
    if (this.status !== 'failed') this.status = 'off';
    this.rms = 0;
    this.peak = 0;
  }

  private receive(event: PipelineEvent): void {
    switch (event.type) {
      case 'level':
        this.rms = event.rms;
        this.peak = event.peak;
        return;
      case 'frame':
        this.onFrame(event.pcm, event.captureTime);
        return;
      case 'stopped':
        for (const resolve of this.stoppedWaiters.splice(0)) resolve();
        return;
    }
  }

  private command(command: CaptureCommand): void {
    this.node?.port.postMessage(command);
  }

  private fail(message: string): void {
    this.release();
    this.status = 'failed';
    this.error = message;
    this.rms = 0;
    this.peak = 0;
  }

  private release(): void {
    if (this.node) {
      this.command({ type: 'stop' });
      this.node.port.onmessage = null;
      this.node.disconnect();
      this.node = undefined;
    }
    for (const track of this.stream?.getTracks() ?? []) track.stop();
    this.stream = undefined;
    const context = this.context;
    this.context = undefined;
    context?.close().catch(() => {});
    for (const resolve of this.stoppedWaiters.splice(0)) resolve();
  }
}

/** Words for what went wrong, for the person at the microphone. */
export function describeMicrophoneError(error: unknown): string {
  const name = error instanceof DOMException || error instanceof Error ? error.name : '';
  switch (name) {
    case 'NotAllowedError':
    case 'SecurityError':
      return 'Microphone access was refused. Allow it for this site in the browser (the icon in the address bar), then press Start again.';
    case 'NotFoundError':
    case 'OverconstrainedError':
      return 'No microphone was found. Connect one and press Start again.';
    case 'NotReadableError':
    case 'AbortError':
      return 'The microphone could not be opened: another application may be using it.';
    case 'NotSupportedError':
      return (error as Error).message;
    default:
      return `The microphone could not be started: ${error instanceof Error ? error.message : String(error)}`;
  }
}

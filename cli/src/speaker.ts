// The command-line speaker: the protocol client's speaker connection over Node's socket, plus streaming a
// whole recording at real time (or as fast as the connection takes it).
import {
  ClientClosedError,
  type FrameTag,
  type LinkState,
  type ReconnectPolicy,
  SpeakerConnection,
  type SpeakerOptions,
  type SpeakerStats,
  type SpeakerWelcome,
  webSocketUrl,
} from '@llt/client';
import { nodeSocket } from '@llt/client/node';
import type { ServerMessage } from '@llt/events';
import { DEFAULT_RECONNECT, delayUntil, realtimeSchedule } from './schedule.ts';
import { sleep } from './sleep.ts';

export type { SpeakerStats, SpeakerWelcome };
export type ConnectionState = LinkState;
export type FrameSentHook = NonNullable<FrameTag['onSent']>;

export interface SpeakerClientOptions
  extends Omit<SpeakerOptions, 'url' | 'createSocket' | 'onProblem' | 'onFailed' | 'onMessage'> {
  /** http(s) or ws(s) URL of the server. */
  server: string;
  sessionId: string;
  token: string;
  reconnect?: ReconnectPolicy;
  handshakeTimeoutMs?: number;
  onMessage?: (message: ServerMessage, receivedAt: number) => void;
  /**
   * Problems along the way. `fatal` false: the client carries on (a retried handshake, lost frames); true: the
   * client has closed, and pending promises (connect, streams, drain, end) reject with the same error.
   */
  onError?: (error: Error, fatal: boolean) => void;
  /** Timer used to pace streams; injectable so pacing can be tested without waiting. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

export interface StreamOptions {
  /** Silence streamed before the audio (it gives a recogniser a noise floor). Default 0. */
  leadSilenceMs?: number;
  /**
   * Called when a frame first goes out. `frameStartSample` is relative to the samples passed in, so it is
   * negative for lead-silence frames.
   */
  onFrameSent?: FrameSentHook;
  signal?: AbortSignal;
}

export interface StreamResult {
  /** Frames the stream queued (fewer than the audio holds when it was cut short). */
  frames: number;
  /** Clock time of sample 0 of the stream (lead silence included). */
  startTime: number;
  /** Whether the stream was cut short (signal, close() or the session ending). */
  aborted: boolean;
}

/** In fast mode, frames wait for the socket once this many are unsent, so a long file cannot overflow the buffer. */
const FAST_WINDOW_FRAMES = 50;

export class SpeakerClient extends SpeakerConnection {
  private readonly pace: (ms: number, signal?: AbortSignal) => Promise<void>;
  private readonly lifetime = new AbortController();

  constructor(options: SpeakerClientOptions) {
    const { server, sessionId, token, onError } = options;
    super({
      ...options,
      url: webSocketUrl(server, { role: 'speaker', sessionId, token }),
      createSocket: nodeSocket({ handshakeTimeoutMs: options.handshakeTimeoutMs }),
      reconnect: { ...DEFAULT_RECONNECT, ...options.reconnect },
      onProblem: (problem) => onError?.(problem.error, false),
      onFailed: (error) => onError?.(error, true),
    });
    this.pace = options.sleep ?? sleep;
    void this.done.finally(() => this.lifetime.abort()).catch(() => {});
  }

  /** Streams audio at real time: each frame leaves when its last sample would have been captured live. */
  streamRealtime(samples: Int16Array, options: StreamOptions = {}): Promise<StreamResult> {
    return this.stream(samples, options, true);
  }

  /**
   * Streams audio as fast as the connection takes it (call `connect()` first: frames wait for the socket).
   * Capture times still follow the audio's own timeline from the start (so they run ahead of the wall clock),
   * which keeps them consistent with sample counts.
   */
  streamFast(samples: Int16Array, options: StreamOptions = {}): Promise<StreamResult> {
    return this.stream(samples, options, false);
  }

  override close(): Promise<void> {
    this.lifetime.abort();
    return super.close();
  }

  private async stream(samples: Int16Array, options: StreamOptions, paced: boolean): Promise<StreamResult> {
    this.assertUsable();
    this.flush();
    const lead = Math.round(((options.leadSilenceMs ?? 0) * 16_000) / 1000);
    const signal = options.signal ? AbortSignal.any([options.signal, this.lifetime.signal]) : this.lifetime.signal;
    const startTime = this.now();
    const schedule = realtimeSchedule(startTime, lead + samples.length, this.frameSamples);
    const onSent = options.onFrameSent ?? (() => {});
    let queued = 0;
    for (const frame of schedule) {
      if (paced) {
        const wait = delayUntil(frame.sendAt, this.now());
        if (wait > 0) await this.pace(wait, signal);
      } else {
        try {
          await this.whenUnsentAtMost(FAST_WINDOW_FRAMES);
        } catch (error) {
          if (this.closedByCaller || this.sessionEnded) break;
          throw error;
        }
      }
      if (signal.aborted || this.sessionEnded) break;
      this.assertUsable();
      const chunk = new Int16Array(frame.length);
      const from = frame.startSample - lead;
      // Frames overlapping the lead silence keep zeros where the audio has not started yet.
      const audioStart = Math.max(0, from);
      const audioEnd = Math.min(samples.length, from + frame.length);
      if (audioEnd > audioStart) chunk.set(samples.subarray(audioStart, audioEnd), audioStart - from);
      this.sendPcm(chunk, frame.captureTime, { startSample: from, onSent });
      queued++;
    }
    if (this.failure) throw this.failure;
    if (!this.closedByCaller && !this.sessionEnded) this.flush();
    return { frames: queued, startTime, aborted: signal.aborted || this.sessionEnded };
  }

  private assertUsable(): void {
    if (this.failure) throw this.failure;
    if (this.closedByCaller) throw new ClientClosedError('The speaker client was closed');
    if (this.sessionEnded) throw new ClientClosedError('The session has ended');
  }
}

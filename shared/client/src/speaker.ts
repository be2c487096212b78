// The speaker's connection: numbered audio frames kept until the server confirms them, sent as base64 text
// frames (API Gateway closes binary ones), resent after a reconnect from where the welcome says the server
// stopped; pause/resume/end after the audio queued before them; `end` only once that audio is confirmed
// stored, since API Gateway may run a connection's messages concurrently and an end that overtook the last
// frames would lose them.
import { encodeAudioFrameText, type ServerMessage, type WelcomeMessage } from '@llt/events';
import { SPEAKER_RECONNECT } from './backoff.ts';
import { ClientClosedError, FramesLostError, ResendBufferFullError, TimeoutError } from './errors.ts';
import { Link, type LinkOptions, type RoleSettings } from './link.ts';

/** The subprotocol ingest selects; the JWT is offered after it. */
const SUBPROTOCOL = 'llt';

import {
  DEFAULT_FRAME_MS,
  DEFAULT_MAX_BUFFERED_MS,
  type FrameSentHook,
  type FrameTag,
  Outbox,
  pcmBytes,
  samplesToMs,
} from './outbox.ts';

export type SpeakerWelcome = Extract<WelcomeMessage, { role: 'speaker' }>;

export interface SpeakerOptions extends LinkOptions<SpeakerWelcome> {
  /** Frame length, 20–100 ms. Default 100. */
  frameMs?: number;
  /** Audio kept for resending until the server confirms it. Default 5 minutes. */
  maxBufferedMs?: number;
  /**
   * How often to ask the server (a `hello`) how far it has stored the audio; this frees the buffer, keeps the
   * connection within API Gateway's idle timeout and proves it alive. Default 5 s.
   */
  ackIntervalMs?: number;
  /** A connection that answers nothing for this long is taken for dead. Default 3 ack intervals. */
  silenceTimeoutMs?: number;
  /** Bytes allowed to wait inside the socket before frames wait in the outbox. Default 64 KiB. */
  maxSocketBufferBytes?: number;
  onStats?: (stats: SpeakerStats) => void;
  /**
   * The signed-in speaker's JWT where speakers sign in (a user pool's ID or access token), asked for on every
   * connection attempt so a refreshed token is used; offered as `Sec-WebSocket-Protocol: llt, <jwt>`.
   */
  speakerJwt?: () => string | undefined;
}

export interface SpeakerStats {
  /** Distinct frames sent at least once. */
  framesSent: number;
  /** Repeat transmissions (after a reconnect or a frame_not_stored error). */
  framesResent: number;
  /** Frames the server never stored and the client no longer has (they overflowed the resend buffer). */
  framesLost: number;
  /** `error` messages received from the server. */
  errorsReceived: number;
  /** Successful reconnections after a dropped connection. */
  reconnects: number;
  /** Frames kept for possible resending right now. */
  bufferedFrames: number;
  /** Audio not yet confirmed by the server (sent or not), in ms. */
  bufferedMs: number;
  /** Audio not yet handed to the current socket, in ms. */
  unsentMs: number;
  /** Audio the server will never get (the buffer overflowed while disconnected), in ms. */
  droppedMs: number;
}

type Control = { action: 'pause' | 'resume' | 'end'; afterSeq: number };
type Waiter = { maxUnsent: number; resolve: () => void; reject: (error: Error) => void };

/** While `end` waits for the audio before it to be confirmed, a `hello` asks again this often. */
const END_FENCE_RETRY_MS = 100;

export class SpeakerConnection extends Link<SpeakerWelcome> {
  private readonly outbox: Outbox;
  private controls: Control[] = [];
  private waiters: Waiter[] = [];
  private endWaiters: Array<{ resolve: () => void; reject: (error: Error) => void }> = [];
  private ending = false;
  private fenceTimer: ReturnType<typeof setTimeout> | undefined;
  private pumpTimer: ReturnType<typeof setTimeout> | undefined;
  private reportedDrops = 0;
  private overflowReported = false;
  private readonly counters = { framesSent: 0, framesResent: 0, framesLost: 0, errorsReceived: 0, reconnects: 0 };

  constructor(protected override readonly options: SpeakerOptions) {
    super(options, speakerSettings(options));
    this.outbox = new Outbox({
      frameMs: options.frameMs ?? DEFAULT_FRAME_MS,
      maxBufferedMs: options.maxBufferedMs ?? DEFAULT_MAX_BUFFERED_MS,
    });
  }

  get stats(): SpeakerStats {
    const frameMs = samplesToMs(this.outbox.frameSamples);
    return {
      ...this.counters,
      bufferedFrames: this.outbox.size,
      bufferedMs: this.outbox.size * frameMs,
      unsentMs: this.outbox.unsent * frameMs,
      droppedMs: (this.outbox.droppedUnsent + this.counters.framesLost) * frameMs,
    };
  }

  get frameSamples(): number {
    return this.outbox.frameSamples;
  }

  /** Longest audio kept for resending, in ms. */
  get capacityMs(): number {
    return this.outbox.maxFrames * samplesToMs(this.outbox.frameSamples);
  }

  /** Whether audio can still be queued (not closed, failed or ended). */
  get usable(): boolean {
    return !this.sessionEnded && !this.closedByCaller && !this.failure;
  }

  /**
   * Queues 16 kHz mono audio whose first sample was captured at `captureTime` (epoch ms). Whole frames go out
   * as soon as the connection allows; a remainder waits for more audio or `flush()`. Ignored once the
   * session has ended or the connection is closed.
   */
  sendPcm(samples: Int16Array, captureTime: number, tag?: FrameTag): void {
    if (!this.usable) return;
    this.outbox.push(samples, captureTime, tag);
    this.afterQueue();
  }

  /** Queues the partial frame left by `sendPcm` (padded with silence to the 20 ms minimum). */
  flush(): void {
    if (!this.usable) return;
    this.outbox.flush();
    this.afterQueue();
  }

  /** Tells the server the speaker paused (it finalizes what it heard), after every frame queued before. */
  pause(): void {
    this.queueControl('pause');
  }

  resume(): void {
    this.queueControl('resume');
  }

  /** Flushes the partial frame, then resolves once every queued frame and control message is in the socket. */
  drain(): Promise<void> {
    this.flush();
    return this.whenUnsentAtMost(0);
  }

  /** Resolves once at most `maxUnsent` frames wait for the socket (0: frames, controls and partial frame). */
  whenUnsentAtMost(maxUnsent: number): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (!this.usable) return Promise.reject(new ClientClosedError(this.stopReason()));
    return new Promise((resolve, reject) => {
      this.waiters.push({ maxUnsent, resolve, reject });
      this.releaseWaiters();
    });
  }

  /**
   * Ends the session for everyone once the queued audio is stored; resolves when the server confirms
   * (`session-ended`, or a reconnect refused because the session is over), rejects after `timeoutMs`.
   */
  end(timeoutMs = 15_000): Promise<void> {
    if (this.sessionEnded) return Promise.resolve();
    if (!this.usable) return Promise.reject(this.failure ?? new ClientClosedError(this.stopReason()));
    this.ending = true;
    this.outbox.flush();
    this.queueControl('end');
    this.retryNow();
    return new Promise((resolve, reject) => {
      const waiter = {
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
        reject: (error: Error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
      const timer = setTimeout(() => {
        this.endWaiters = this.endWaiters.filter((w) => w !== waiter);
        reject(new TimeoutError(`The server did not confirm the end of the session within ${timeoutMs / 1000} s`));
      }, timeoutMs);
      this.endWaiters.push(waiter);
    });
  }

  protected override subprotocols(): string[] | undefined {
    const jwt = this.options.speakerJwt?.();
    return jwt ? [SUBPROTOCOL, jwt] : undefined;
  }

  protected isOwnWelcome(message: ServerMessage): message is SpeakerWelcome {
    return message.type === 'welcome' && message.role === 'speaker';
  }

  protected welcomed_(welcome: SpeakerWelcome, reconnected: boolean): void {
    if (reconnected) this.counters.reconnects++;
    const outcome = this.outbox.welcome(welcome.lastSeq);
    if (outcome.renumberedBy > 0) {
      for (const control of this.controls) control.afterSeq += outcome.renumberedBy;
    }
    if (outcome.lost) {
      const { from, to } = outcome.lost;
      this.counters.framesLost += to - from + 1;
      const seconds = ((to - from + 1) * samplesToMs(this.outbox.frameSamples)) / 1000;
      this.problem(
        'lost',
        new FramesLostError(
          from,
          to,
          `${seconds.toFixed(1)} s of audio (frames ${from}-${to}) could not be kept while disconnected and is lost`,
        ),
      );
    }
    this.overflowReported = false;
    // An `end` sent on the previous connection may never have arrived: say it again after the resent audio.
    if (this.ending && !this.controls.some((c) => c.action === 'end')) {
      this.controls.push({ action: 'end', afterSeq: this.outbox.lastSeq });
    }
    this.pump();
  }

  protected received(message: ServerMessage): void {
    switch (message.type) {
      case 'error':
        this.counters.errorsReceived++;
        if (message.code === 'frame_not_stored' && message.seq !== undefined && this.outbox.requeue(message.seq)) {
          this.pump();
        }
        return;
      case 'welcome':
        if (message.role === 'speaker') {
          this.outbox.acknowledge(message.lastSeq);
          this.pump();
        }
        return;
      default:
    }
  }

  protected stopped(error: Error | undefined): void {
    clearTimeout(this.fenceTimer);
    clearTimeout(this.pumpTimer);
    this.fenceTimer = undefined;
    this.pumpTimer = undefined;
    const reason = error ?? new ClientClosedError(this.stopReason());
    for (const waiter of this.waiters.splice(0)) waiter.reject(reason);
    for (const waiter of this.endWaiters.splice(0)) {
      if (this.sessionEnded) waiter.resolve();
      else waiter.reject(reason);
    }
  }

  private stopReason(): string {
    return this.sessionEnded ? 'The session has ended' : 'The speaker connection was closed';
  }

  private queueControl(action: Control['action']): void {
    if (!this.usable) return;
    this.outbox.flush();
    this.controls.push({ action, afterSeq: this.outbox.lastSeq });
    this.afterQueue();
  }

  private afterQueue(): void {
    const dropped = this.outbox.droppedUnsent;
    if (dropped > this.reportedDrops) {
      this.reportedDrops = dropped;
      // Once per outage: the running total is in the stats.
      if (!this.overflowReported) {
        this.overflowReported = true;
        const minutes = Math.round(this.capacityMs / 60_000);
        this.problem(
          'overflow',
          new ResendBufferFullError(
            `More than ${minutes} min of audio is waiting to be sent: the oldest is being dropped and will not be transcribed`,
          ),
        );
      }
    }
    this.pump();
  }

  /** Hands control messages and frames to the socket in order until its buffer is full. */
  private pump(): void {
    for (;;) {
      if (!this.welcomed) break;
      const control = this.controls[0];
      const frame = this.outbox.peek();
      if (control && (!frame || frame.seq > control.afterSeq)) {
        if (control.action === 'end' && !this.storedThrough(control.afterSeq)) {
          this.confirmBeforeEnd();
          break;
        }
        if (!this.send(JSON.stringify({ action: control.action }))) break;
        this.controls.shift();
        continue;
      }
      if (!frame) break;
      // Frames wait in the outbox rather than in the socket, where a reconnect could not rewind them.
      if (this.socketBuffered() >= (this.options.maxSocketBufferBytes ?? 64 * 1024)) {
        this.pumpTimer ??= setTimeout(() => {
          this.pumpTimer = undefined;
          this.pump();
        }, 20);
        break;
      }
      const sendTime = this.now();
      if (!this.send(encodeAudioFrameText(frame.seq, frame.captureTime, pcmBytes(frame.samples)))) break;
      this.outbox.take();
      if (frame.sends > 1) {
        this.counters.framesResent++;
      } else {
        this.counters.framesSent++;
        frame.onSent?.(frame.seq, sendTime, frame.startSample ?? 0);
      }
    }
    this.releaseWaiters();
    this.options.onStats?.(this.stats);
  }

  /** Whether the server confirmed every frame up to `seq` (the buffer keeps only unconfirmed frames). */
  private storedThrough(seq: number): boolean {
    const oldest = this.outbox.oldestSeq;
    return oldest === undefined || oldest > seq;
  }

  /** Asks how far the audio is stored, and again shortly if the answer does not yet cover it. */
  private confirmBeforeEnd(): void {
    if (this.fenceTimer !== undefined) return;
    this.send(JSON.stringify({ action: 'hello' }));
    this.fenceTimer = setTimeout(() => {
      this.fenceTimer = undefined;
      this.pump();
    }, END_FENCE_RETRY_MS);
  }

  private releaseWaiters(): void {
    const unsent = this.outbox.unsent + this.controls.length + this.outbox.partialSamples;
    this.waiters = this.waiters.filter((w) => {
      const ready = w.maxUnsent === 0 ? unsent === 0 : this.outbox.unsent <= w.maxUnsent;
      if (ready) w.resolve();
      return !ready;
    });
  }
}

function speakerSettings(options: SpeakerOptions): RoleSettings {
  const ackIntervalMs = options.ackIntervalMs ?? 5000;
  return {
    role: 'speaker',
    reconnect: SPEAKER_RECONNECT,
    offlineAfterMs: 15_000,
    keepAliveMs: ackIntervalMs,
    keepAliveAction: 'hello',
    silenceTimeoutMs: options.silenceTimeoutMs ?? 3 * ackIntervalMs,
    // The server closes the speaker's connection as the session ends; nothing more comes on it.
    lingerMs: 0,
  };
}

export type { FrameSentHook, FrameTag };

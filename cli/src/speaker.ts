// The speaker's WebSocket client: streams numbered audio frames, survives dropped connections by reconnecting
// and resending exactly the frames the server's welcome says it lacks, and ends the session.
import { encodeAudioFrame, type ServerMessage, type WelcomeMessage } from '@llt/events';
import WebSocket from 'ws';
import {
  ClientClosedError,
  ConnectionError,
  FramesLostError,
  ResendBufferFullError,
  ServerError,
  TimeoutError,
} from './errors.ts';
import { webSocketUrl } from './http.ts';
import { DEFAULT_FRAME_MS, type FrameSentHook, type FrameTag, Outbox, pcmBytes, samplesToMs } from './outbox.ts';
import { delayUntil, type ReconnectPolicy, realtimeSchedule } from './schedule.ts';
import {
  closeSocket,
  connectWithRetry,
  isSessionEnded,
  openWebSocket,
  parseServerMessage,
  redact,
  sleep,
} from './socket.ts';

export type SpeakerWelcome = Extract<WelcomeMessage, { role: 'speaker' }>;
export type ConnectionState = 'idle' | 'connecting' | 'open' | 'reconnecting' | 'closed';

export interface SpeakerOptions {
  /** http(s) or ws(s) URL of the server. */
  server: string;
  sessionId: string;
  token: string;
  /** Frame length, 20–100 ms. Default 100. */
  frameMs?: number;
  /** Audio kept for resending until the server confirms it. Default 5 minutes. */
  maxBufferedMs?: number;
  reconnect?: ReconnectPolicy;
  /** Bytes allowed to queue inside the socket before further frames wait in the resend buffer. Default 64 KiB. */
  maxSocketBufferBytes?: number;
  /** Time allowed for the welcome after the socket opens. Default 10 s. */
  welcomeTimeoutMs?: number;
  /**
   * How often to ask the server (a `hello`) how far it has stored the audio, so the resend buffer holds only
   * what may still be missing. Default 5 s; 0 turns it off.
   */
  ackIntervalMs?: number;
  handshakeTimeoutMs?: number;
  /** Every message from the server, welcome and errors included. */
  onMessage?: (message: ServerMessage, receivedAt: number) => void;
  /**
   * Problems along the way. `fatal` false: the client carries on (a retried handshake, lost frames); true: the
   * client has closed, and pending promises (connect, streams, drain, end) reject with the same error.
   */
  onError?: (error: Error, fatal: boolean) => void;
  onState?: (state: ConnectionState) => void;
  /** Clock (epoch ms); defaults to Date.now. */
  now?: () => number;
  /** Timer used to pace streams and back off; injectable so pacing can be tested without waiting. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  random?: () => number;
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

type Control = { action: 'pause' | 'resume' | 'end'; afterSeq: number };
type Waiter = { maxUnsent: number; resolve: () => void; reject: (error: Error) => void };

/** In fast mode, frames wait for the socket once this many are unsent, so a long file cannot overflow the buffer. */
const FAST_WINDOW_FRAMES = 50;

export class SpeakerClient {
  readonly stats: SpeakerStats = {
    framesSent: 0,
    framesResent: 0,
    framesLost: 0,
    errorsReceived: 0,
    reconnects: 0,
    bufferedFrames: 0,
  };
  /** The most recent welcome. */
  welcome: SpeakerWelcome | undefined;
  private ackTimer: ReturnType<typeof setInterval> | undefined;
  private readonly outbox: Outbox;
  private readonly now: () => number;
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  private readonly lifetime = new AbortController();
  private ws: WebSocket | undefined;
  private connectionState: ConnectionState = 'idle';
  private connecting: Promise<SpeakerWelcome> | undefined;
  private controls: Control[] = [];
  private waiters: Waiter[] = [];
  private ending = false;
  private sessionEnded = false;
  private closedByCaller = false;
  private failure: Error | undefined;
  private endWaiter: { promise: Promise<void>; resolve: () => void; reject: (e: Error) => void } | undefined;
  private reportedDrops = 0;
  private overflowReported = false;
  private socketClosed: Promise<void> = Promise.resolve();

  constructor(private readonly options: SpeakerOptions) {
    this.outbox = new Outbox({ frameMs: options.frameMs ?? DEFAULT_FRAME_MS, maxBufferedMs: options.maxBufferedMs });
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? sleep;
  }

  get state(): ConnectionState {
    return this.connectionState;
  }

  /** Whether the server reported the session ended (or refused a reconnect because it had). */
  get ended(): boolean {
    return this.sessionEnded;
  }

  get frameSamples(): number {
    return this.outbox.frameSamples;
  }

  /** Connects and resolves with the welcome. Refused handshakes reject with HandshakeRefusedError. */
  connect(): Promise<SpeakerWelcome> {
    this.connecting ??= this.establish(true).catch((error: Error) => {
      this.fail(error);
      throw error;
    });
    return this.connecting;
  }

  /**
   * Queues captured 16 kHz mono audio whose first sample was captured at `captureTime` (epoch ms). Whole
   * frames go out as soon as the connection allows; a remainder waits for more audio or `flush()`.
   */
  sendPcm(samples: Int16Array, captureTime: number, tag?: FrameTag): void {
    this.assertUsable();
    this.outbox.push(samples, captureTime, tag);
    this.afterQueue();
  }

  /** Sends the partial frame left by `sendPcm` (padded with silence to the 20 ms minimum). */
  flush(): void {
    this.outbox.flush();
    this.afterQueue();
  }

  /** Streams audio at real time: each frame leaves when its last sample would have been captured live. */
  streamRealtime(samples: Int16Array, options: StreamOptions = {}): Promise<StreamResult> {
    return this.stream(samples, options, true);
  }

  /**
   * Streams audio as fast as the connection takes it (call `connect()` first: frames wait for the socket). Capture times still follow the audio's own timeline
   * from the start (so they run ahead of the wall clock), which keeps them consistent with sample counts.
   */
  streamFast(samples: Int16Array, options: StreamOptions = {}): Promise<StreamResult> {
    return this.stream(samples, options, false);
  }

  /** Tells the server the speaker paused; sent after every frame queued before it. */
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

  /**
   * Ends the session for everyone after the queued audio has gone out, and resolves when the server confirms
   * (`session-ended`, or a reconnect refused because the session is over).
   */
  async end(timeoutMs = 15_000): Promise<void> {
    if (this.sessionEnded) return;
    this.assertUsable();
    this.ending = true;
    this.outbox.flush();
    this.queueControl('end');
    const ended = this.endPromise();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new TimeoutError(`The server did not confirm the end of the session within ${timeoutMs} ms`)),
        timeoutMs,
      );
    });
    try {
      await Promise.race([ended, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Closes the connection without ending the session (a new client with the same token can carry on).
   * Resolves when the socket has closed, by which time the server has read every frame sent before.
   */
  close(): Promise<void> {
    if (this.connectionState !== 'closed') {
      this.closedByCaller = true;
      this.shutdown(new ClientClosedError('The speaker client was closed'));
    }
    return this.socketClosed;
  }

  private async stream(samples: Int16Array, options: StreamOptions, paced: boolean): Promise<StreamResult> {
    this.assertUsable();
    this.flush();
    const lead = Math.round(((options.leadSilenceMs ?? 0) * 16_000) / 1000);
    const signal = options.signal ? AbortSignal.any([options.signal, this.lifetime.signal]) : this.lifetime.signal;
    const startTime = this.now();
    const schedule = realtimeSchedule(startTime, lead + samples.length, this.outbox.frameSamples);
    const onSent = options.onFrameSent ?? (() => {});
    let queued = 0;
    for (const frame of schedule) {
      if (paced) {
        const wait = delayUntil(frame.sendAt, this.now());
        if (wait > 0) await this.sleep(wait, signal);
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

  private queueControl(action: Control['action']): void {
    this.assertUsable();
    this.outbox.flush();
    this.controls.push({ action, afterSeq: this.outbox.lastSeq });
    this.afterQueue();
  }

  private afterQueue(): void {
    this.stats.bufferedFrames = this.outbox.size;
    const dropped = this.outbox.droppedUnsent;
    if (dropped > this.reportedDrops) {
      this.reportedDrops = dropped;
      // Once per outage is enough: the count is in stats, the callback only has to say it is happening.
      if (!this.overflowReported) {
        this.overflowReported = true;
        const seconds = Math.round((this.outbox.maxFrames * samplesToMs(this.outbox.frameSamples)) / 1000);
        this.options.onError?.(
          new ResendBufferFullError(`Resend buffer full (${seconds} s of audio): dropping audio never sent`),
          false,
        );
      }
    }
    this.pump();
  }

  /** Opens a socket and completes the hello/welcome exchange, retrying what may clear up by itself. */
  private async establish(initial: boolean): Promise<SpeakerWelcome> {
    this.setState(initial ? 'connecting' : 'reconnecting');
    return connectWithRetry({
      initial,
      ...(this.options.reconnect ? { policy: this.options.reconnect } : {}),
      ...(this.options.random ? { random: this.options.random } : {}),
      sleep: (ms, signal) => this.sleep(ms, signal),
      signal: this.lifetime.signal,
      stopped: () =>
        this.closedByCaller || this.failure
          ? (this.failure ?? new ClientClosedError('Closed while connecting'))
          : undefined,
      attempt: () => this.openOnce(),
      onRetry: (error) => this.options.onError?.(error, false),
    });
  }

  private async openOnce(): Promise<SpeakerWelcome> {
    const { server, sessionId, token } = this.options;
    const url = webSocketUrl(server, { role: 'speaker', sessionId, token });
    const ws = await openWebSocket(url, { handshakeTimeoutMs: this.options.handshakeTimeoutMs });
    if (this.closedByCaller) {
      ws.close(1000);
      throw new ClientClosedError('Closed while connecting');
    }
    this.ws = ws;
    return new Promise<SpeakerWelcome>((resolve, reject) => {
      let welcomed = false;
      const timeoutMs = this.options.welcomeTimeoutMs ?? 10_000;
      const timer = setTimeout(() => {
        reject(new TimeoutError(`No welcome from ${redact(url)} within ${timeoutMs} ms of connecting`));
        ws.terminate();
      }, timeoutMs);
      ws.on('message', (data, isBinary) => {
        const message = parseServerMessage(data, isBinary);
        if (!message) return;
        const receivedAt = this.now();
        if (welcomed) {
          this.handleMessage(message);
        } else if (message.type === 'welcome' && message.role === 'speaker') {
          welcomed = true;
          clearTimeout(timer);
          this.handleWelcome(message);
          resolve(message);
        } else if (message.type === 'error') {
          clearTimeout(timer);
          this.stats.errorsReceived++;
          reject(new ServerError(message.code, message.message, message.seq, message.retryable));
          ws.close(1000);
        }
        this.options.onMessage?.(message, receivedAt);
      });
      ws.on('close', (code, reason) => {
        clearTimeout(timer);
        if (!welcomed) {
          const why = reason.length > 0 ? `: ${reason.toString()}` : '';
          reject(new ConnectionError(`Connection closed (${code}${why}) before the server's welcome`));
        }
        this.handleClose(ws);
      });
      // 'close' always follows 'error', and that is where the drop is handled.
      ws.on('error', () => {});
      ws.send(JSON.stringify({ action: 'hello' }));
    });
  }

  private handleWelcome(welcome: SpeakerWelcome): void {
    if (this.welcome) this.stats.reconnects++;
    this.welcome = welcome;
    const outcome = this.outbox.welcome(welcome.lastSeq);
    if (outcome.renumberedBy > 0) {
      for (const control of this.controls) control.afterSeq += outcome.renumberedBy;
    }
    if (outcome.lost) {
      const { from, to } = outcome.lost;
      this.stats.framesLost += to - from + 1;
      this.options.onError?.(
        new FramesLostError(from, to, `Frames ${from}-${to} were dropped from the full resend buffer and never stored`),
        false,
      );
    }
    this.overflowReported = false;
    // An `end` sent on the previous connection may never have arrived: say it again after the resent audio.
    if (this.ending && !this.controls.some((c) => c.action === 'end')) {
      this.controls.push({ action: 'end', afterSeq: this.outbox.lastSeq });
    }
    this.stats.bufferedFrames = this.outbox.size;
    this.setState('open');
    this.pump();
    this.startAcknowledgements();
  }

  /** Periodic hellos: each welcome acknowledges what the server stored, which frees the resend buffer. */
  private startAcknowledgements(): void {
    const every = this.options.ackIntervalMs ?? 5_000;
    if (this.ackTimer || every <= 0) return;
    this.ackTimer = setInterval(() => {
      if (this.connectionState === 'open' && this.ws?.readyState === WebSocket.OPEN) {
        this.ws.send(JSON.stringify({ action: 'hello' }));
      }
    }, every);
    this.ackTimer.unref();
  }

  private handleMessage(message: ServerMessage): void {
    switch (message.type) {
      case 'error':
        this.stats.errorsReceived++;
        if (message.code === 'frame_not_stored' && message.seq !== undefined && this.outbox.requeue(message.seq)) {
          this.pump();
        }
        if (message.code === 'session_ended') this.markEnded();
        return;
      case 'welcome':
        if (message.role === 'speaker') {
          this.outbox.acknowledge(message.lastSeq);
          this.stats.bufferedFrames = this.outbox.size;
        }
        return;
      case 'session-ended':
        this.markEnded();
        return;
    }
  }

  private markEnded(): void {
    this.sessionEnded = true;
    // The server closes the socket too; closing from this side as well means not depending on it.
    this.shutdown();
  }

  private handleClose(ws: WebSocket): void {
    if (ws !== this.ws) return;
    this.ws = undefined;
    if (this.connectionState !== 'open') return; // a failed attempt: establish() decides what comes next
    if (this.sessionEnded || this.closedByCaller) {
      this.shutdown();
      return;
    }
    this.establish(false).catch((error: Error) => {
      if (this.ending && isSessionEnded(error)) {
        // The end went through; only its confirmation was lost with the connection.
        this.sessionEnded = true;
        this.endWaiter?.resolve();
        this.shutdown();
      } else {
        this.fail(error);
      }
    });
  }

  /** Hands frames and control messages to the socket in order until it is full. */
  private pump(): void {
    const ws = this.ws;
    if (this.connectionState !== 'open' || !ws || ws.readyState !== WebSocket.OPEN) return;
    const limit = this.options.maxSocketBufferBytes ?? 64 * 1024;
    for (;;) {
      const control = this.controls[0];
      const frame = this.outbox.peek();
      if (control && (!frame || frame.seq > control.afterSeq)) {
        this.controls.shift();
        ws.send(JSON.stringify({ action: control.action }));
        continue;
      }
      if (!frame) break;
      // ws keeps accepting sends into memory; stopping at a byte budget leaves the rest in the resend
      // buffer, where a reconnect can still rewind it. The send callback resumes pumping once it drains.
      if (ws.bufferedAmount >= limit) break;
      this.outbox.take();
      const sendTime = this.now();
      ws.send(encodeAudioFrame(frame.seq, frame.captureTime, pcmBytes(frame.samples)), this.onSent);
      if (frame.sends > 1) {
        this.stats.framesResent++;
      } else {
        this.stats.framesSent++;
        frame.onSent?.(frame.seq, sendTime, frame.startSample ?? 0);
      }
    }
    this.releaseWaiters();
  }

  private readonly onSent = (error?: Error): void => {
    if (!error) this.pump();
  };

  private whenUnsentAtMost(maxUnsent: number): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.waiters.push({ maxUnsent, resolve, reject });
      this.releaseWaiters();
    });
  }

  private releaseWaiters(): void {
    const unsent = this.outbox.unsent + this.controls.length + this.outbox.partialSamples;
    this.waiters = this.waiters.filter((w) => {
      const ready = w.maxUnsent === 0 ? unsent === 0 : this.outbox.unsent <= w.maxUnsent;
      if (ready) w.resolve();
      return !ready;
    });
  }

  private endPromise(): Promise<void> {
    if (!this.endWaiter) {
      let resolve!: () => void;
      let reject!: (e: Error) => void;
      const promise = new Promise<void>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      this.endWaiter = { promise, resolve, reject };
    }
    return this.endWaiter.promise;
  }

  private assertUsable(): void {
    if (this.failure) throw this.failure;
    if (this.closedByCaller) throw new ClientClosedError('The speaker client was closed');
    if (this.sessionEnded) throw new ClientClosedError('The session has ended');
  }

  private fail(error: Error): void {
    if (this.failure || this.closedByCaller) return;
    this.failure = error;
    this.options.onError?.(error, true);
    this.shutdown(error);
  }

  /** Closes the socket, stops timers and settles everything waiting on this client. */
  private shutdown(error?: Error): void {
    this.lifetime.abort();
    clearInterval(this.ackTimer);
    const ws = this.ws;
    this.ws = undefined;
    if (ws) this.socketClosed = closeSocket(ws);
    const reason = error ?? new ClientClosedError('The session has ended');
    for (const waiter of this.waiters) waiter.reject(reason);
    this.waiters = [];
    if (this.sessionEnded) this.endWaiter?.resolve();
    else this.endWaiter?.reject(reason);
    this.setState('closed');
  }

  private setState(state: ConnectionState): void {
    if (this.connectionState === state || this.connectionState === 'closed') return;
    this.connectionState = state;
    this.options.onState?.(state);
  }
}

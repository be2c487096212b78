// The speaker's WebSocket connection in the browser: numbered frames kept until the server confirms them,
// hello/welcome handshakes that say where to resume, reconnection with backoff for as long as the page lives.
// Same semantics as the command-line speaker (cli/src/speaker.ts), whose outbox and backoff it reuses; what
// differs is what a browser can see: a refused handshake has no status or body, so an HTTP probe tells a
// session that is gone from a server that is down.
import { DEFAULT_MAX_BUFFERED_MS, Outbox, pcmBytes, samplesToMs } from '@llt/cli/outbox';
import { backoffDelay, type ReconnectPolicy } from '@llt/cli/schedule';
import { encodeAudioFrame, ServerMessage, type WelcomeMessage } from '@llt/events';

export type LinkState = 'connecting' | 'live' | 'reconnecting' | 'offline' | 'ended';
export type SpeakerWelcome = Extract<WelcomeMessage, { role: 'speaker' }>;

/** The part of the browser's WebSocket the link uses (tests pass a fake). */
export interface SocketLike {
  readonly readyState: number;
  readonly bufferedAmount: number;
  binaryType: BinaryType;
  onopen: ((event: Event) => void) | null;
  onmessage: ((event: MessageEvent) => void) | null;
  onclose: ((event: CloseEvent) => void) | null;
  onerror: ((event: Event) => void) | null;
  send(data: string | Uint8Array<ArrayBuffer>): void;
  close(code?: number, reason?: string): void;
}

const OPEN = 1;

/** What the HTTP API says about the session when the WebSocket handshake fails. */
export type ProbeResult =
  | { status: 'live' }
  | { status: 'gone'; message: string }
  | { status: 'unreachable'; message: string };

export type LinkProblemKind =
  /** A connection attempt failed and will be retried. */
  | 'retrying'
  /** The server keeps refusing the socket although the session is live (another tab holds it?). */
  | 'refused'
  /** The resend buffer is full: the oldest audio never sent is being dropped. */
  | 'overflow'
  /** Audio the server never stored is gone from the buffer. */
  | 'lost';

export interface LinkProblem {
  kind: LinkProblemKind;
  message: string;
}

export interface LinkStats {
  /** Frames handed to a socket at least once. */
  framesSent: number;
  framesResent: number;
  /** Audio not yet confirmed by the server (sent or not), in ms. */
  bufferedMs: number;
  /** Audio not yet handed to the current socket, in ms. */
  unsentMs: number;
  /** Audio the server will never get (the buffer overflowed while disconnected), in ms. */
  droppedMs: number;
  reconnects: number;
}

export interface SpeakerLinkOptions {
  /** ws(s)://…/ws?role=speaker&sessionId=…&token=… */
  url: string;
  createSocket: (url: string) => SocketLike;
  /** Asks the HTTP API whether the session still exists; without it every failure is retried. */
  probe?: () => Promise<ProbeResult>;
  /** Audio kept for resending until the server confirms it. Default 5 minutes. */
  maxBufferedMs?: number;
  /** How often to send `hello` so the welcome's lastSeq frees the buffer. Default 5 s. */
  ackIntervalMs?: number;
  /** A connection that answers no hello for this long is taken for dead. Default 3 ack intervals. */
  silenceTimeoutMs?: number;
  /** Time allowed for the welcome after the socket opens. Default 10 s. */
  welcomeTimeoutMs?: number;
  /** Backoff between attempts (the CLI's defaults: 100 ms doubling to 2 s, ±20 %); no last attempt here. */
  reconnect?: ReconnectPolicy;
  /** Failing this long turns `connecting`/`reconnecting` into `offline` (retries go on). Default 15 s. */
  offlineAfterMs?: number;
  /** Bytes allowed to wait inside the socket before frames wait in the outbox. Default 64 KiB. */
  maxSocketBufferBytes?: number;
  now?: () => number;
  random?: () => number;
  onState?: (state: LinkState) => void;
  /** Every server message (after validation against the protocol), with the time it arrived. */
  onMessage?: (message: ServerMessage, receivedAt: number) => void;
  onProblem?: (problem: LinkProblem) => void;
  onStats?: (stats: LinkStats) => void;
  /** The session is over: the server said so, or refused a reconnect because of it. */
  onEnded?: (reason: string) => void;
}

type Control = { action: 'pause' | 'resume' | 'end'; afterSeq: number };

/** Errors in answer to `hello` that mean this session cannot be resumed. */
const TERMINAL_CODES = new Set(['session_ended', 'unknown_session', 'invalid_token', 'token_expired']);
/** Refusals in a row, while the HTTP API says the session is live, before the page says so. */
const REFUSALS_BEFORE_WARNING = 3;

export class SpeakerLink {
  /** The most recent welcome. */
  welcome: SpeakerWelcome | undefined;
  private readonly outbox: Outbox;
  private readonly now: () => number;
  private ws: SocketLike | undefined;
  private currentState: LinkState | 'idle' = 'idle';
  private welcomed = false;
  private controls: Control[] = [];
  private ending = false;
  private ended = false;
  private closed = false;
  private attempt = 0;
  private failingSince: number | undefined;
  private refusals = 0;
  private lastHeard = 0;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private welcomeTimer: ReturnType<typeof setTimeout> | undefined;
  private ackTimer: ReturnType<typeof setInterval> | undefined;
  private pumpTimer: ReturnType<typeof setTimeout> | undefined;
  private endWaiters: Array<() => void> = [];
  private overflowReported = false;
  private reportedDrops = 0;
  private readonly counters = { framesSent: 0, framesResent: 0, framesLost: 0, reconnects: 0 };

  constructor(private readonly options: SpeakerLinkOptions) {
    this.outbox = new Outbox({ frameMs: 100, maxBufferedMs: options.maxBufferedMs ?? DEFAULT_MAX_BUFFERED_MS });
    this.now = options.now ?? Date.now;
  }

  get state(): LinkState | 'idle' {
    return this.currentState;
  }

  get stats(): LinkStats {
    const frameMs = samplesToMs(this.outbox.frameSamples);
    return {
      framesSent: this.counters.framesSent,
      framesResent: this.counters.framesResent,
      bufferedMs: this.outbox.size * frameMs,
      unsentMs: this.outbox.unsent * frameMs,
      droppedMs: (this.outbox.droppedUnsent + this.counters.framesLost) * frameMs,
      reconnects: this.counters.reconnects,
    };
  }

  /** Longest audio the link keeps for resending, in ms. */
  get capacityMs(): number {
    return this.outbox.maxFrames * samplesToMs(this.outbox.frameSamples);
  }

  /** Opens the connection (once; reconnections are automatic). */
  connect(): void {
    if (this.currentState !== 'idle') return;
    this.setState('connecting');
    this.open();
  }

  /** Skips the wait before the next attempt (the browser came back online, the page became visible). */
  retryNow(): void {
    if (this.retryTimer === undefined || this.ended || this.closed) return;
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.open();
  }

  /** Queues 16 kHz mono audio whose first sample was captured at `captureTime` (epoch ms). */
  sendPcm(samples: Int16Array, captureTime: number): void {
    if (this.ended || this.closed) return;
    this.outbox.push(samples, captureTime);
    this.afterQueue();
  }

  /** Queues a partial frame left by sendPcm (padded to the protocol's 20 ms minimum). */
  flush(): void {
    if (this.ended || this.closed) return;
    this.outbox.flush();
    this.afterQueue();
  }

  /** Tells the server the speaker paused, after every frame queued before. */
  pause(): void {
    this.queueControl('pause');
  }

  resume(): void {
    this.queueControl('resume');
  }

  /**
   * Ends the session for everyone once the queued audio has gone out; resolves when the server confirms
   * (`session-ended`, or a session that is gone when the link reconnects), rejects after `timeoutMs`.
   */
  end(timeoutMs = 15_000): Promise<void> {
    if (this.ended) return Promise.resolve();
    this.ending = true;
    this.outbox.flush();
    this.queueControl('end');
    this.retryNow();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.endWaiters = this.endWaiters.filter((w) => w !== done);
        reject(new Error(`The server did not confirm the end of the session within ${timeoutMs / 1000} s`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        resolve();
      };
      this.endWaiters.push(done);
    });
  }

  /** Closes the connection without ending the session (the page is going away). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.stopTimers();
    const ws = this.ws;
    this.ws = undefined;
    if (ws) detachAndClose(ws);
  }

  private open(): void {
    this.retryTimer = undefined;
    if (this.ended || this.closed) return;
    let ws: SocketLike;
    try {
      ws = this.options.createSocket(this.options.url);
    } catch (error) {
      this.failedAttempt(`Cannot open the connection: ${(error as Error).message}`, undefined);
      return;
    }
    ws.binaryType = 'arraybuffer';
    this.ws = ws;
    this.welcomed = false;
    let opened = false;
    let refusal: { code: string; message: string } | undefined;
    ws.onopen = () => {
      if (ws !== this.ws) return;
      opened = true;
      ws.send(JSON.stringify({ action: 'hello' }));
      const timeoutMs = this.options.welcomeTimeoutMs ?? 10_000;
      this.welcomeTimer = setTimeout(() => {
        refusal = { code: 'timeout', message: `No welcome from the server within ${timeoutMs / 1000} s` };
        this.dropSocket(ws, opened, refusal);
      }, timeoutMs);
    };
    ws.onmessage = (event) => {
      if (ws !== this.ws || typeof event.data !== 'string') return;
      const receivedAt = this.now();
      const message = parseServerMessage(event.data);
      if (!message) return;
      this.lastHeard = receivedAt;
      if (this.welcomed) {
        this.handleMessage(message);
      } else if (message.type === 'welcome' && message.role === 'speaker') {
        this.handleWelcome(message);
      } else if (message.type === 'error') {
        refusal = { code: message.code, message: message.message };
      }
      this.options.onMessage?.(message, receivedAt);
      if (!this.welcomed && refusal) this.dropSocket(ws, opened, refusal);
    };
    // 'close' always follows 'error', and carries no more detail in a browser: handle the drop there.
    ws.onerror = () => {};
    ws.onclose = () => this.dropSocket(ws, opened, refusal);
  }

  private handleWelcome(welcome: SpeakerWelcome): void {
    clearTimeout(this.welcomeTimer);
    if (this.welcome) this.counters.reconnects++;
    this.welcome = welcome;
    this.welcomed = true;
    this.attempt = 0;
    this.failingSince = undefined;
    this.refusals = 0;
    const outcome = this.outbox.welcome(welcome.lastSeq);
    if (outcome.renumberedBy > 0) {
      for (const control of this.controls) control.afterSeq += outcome.renumberedBy;
    }
    if (outcome.lost) {
      const { from, to } = outcome.lost;
      this.counters.framesLost += to - from + 1;
      const seconds = ((to - from + 1) * samplesToMs(this.outbox.frameSamples)) / 1000;
      this.report('lost', `${seconds.toFixed(1)} s of audio could not be kept while disconnected and is lost`);
    }
    this.overflowReported = false;
    // An `end` sent on the previous connection may never have arrived: say it again after the resent audio.
    if (this.ending && !this.controls.some((c) => c.action === 'end')) {
      this.controls.push({ action: 'end', afterSeq: this.outbox.lastSeq });
    }
    this.setState('live');
    this.startAcknowledgements();
    this.pump();
  }

  private handleMessage(message: ServerMessage): void {
    switch (message.type) {
      case 'error':
        if (message.code === 'frame_not_stored' && message.seq !== undefined && this.outbox.requeue(message.seq)) {
          this.pump();
        }
        if (message.code === 'session_ended') this.markEnded(message.message);
        return;
      case 'welcome':
        if (message.role === 'speaker') {
          this.outbox.acknowledge(message.lastSeq);
          this.emitStats();
        }
        return;
      case 'session-ended':
        this.markEnded(message.reason);
        return;
      default:
        return;
    }
  }

  /** The socket closed (or is abandoned): reconnect after a live connection, judge the attempt otherwise. */
  private dropSocket(ws: SocketLike, opened: boolean, refusal: { code: string; message: string } | undefined): void {
    if (ws !== this.ws) return;
    this.ws = undefined;
    const wasLive = this.welcomed;
    this.welcomed = false;
    this.stopTimers();
    detachAndClose(ws);
    if (this.ended || this.closed) return;
    if (wasLive) {
      this.setState('reconnecting');
      this.failingSince = this.now();
      this.scheduleRetry();
      return;
    }
    if (refusal && TERMINAL_CODES.has(refusal.code)) {
      this.markEnded(refusal.message);
      return;
    }
    const why = refusal
      ? refusal.message
      : opened
        ? 'The connection closed before the server answered'
        : 'The server refused or could not be reached';
    this.failedAttempt(why, opened ? undefined : this.options.probe);
  }

  private failedAttempt(why: string, probe: SpeakerLinkOptions['probe']): void {
    this.attempt++;
    this.failingSince ??= this.now();
    if (this.now() - this.failingSince >= (this.options.offlineAfterMs ?? 15_000)) this.setState('offline');
    if (!probe) {
      this.report('retrying', why);
      this.scheduleRetry();
      return;
    }
    probe().then(
      (result) => this.afterProbe(why, result),
      (error: Error) => this.afterProbe(why, { status: 'unreachable', message: error.message }),
    );
  }

  private afterProbe(why: string, result: ProbeResult): void {
    if (this.ended || this.closed) return;
    if (result.status === 'gone') {
      this.markEnded(result.message);
      return;
    }
    if (result.status === 'live' && ++this.refusals >= REFUSALS_BEFORE_WARNING) {
      this.report(
        'refused',
        'The server refuses this connection although the session is live. Is it open in another tab or on another device?',
      );
    } else {
      this.report('retrying', result.status === 'unreachable' ? `${why} (${result.message})` : why);
    }
    this.scheduleRetry();
  }

  private scheduleRetry(): void {
    if (this.retryTimer !== undefined) return;
    const delay = backoffDelay(Math.max(0, this.attempt - 1), this.options.reconnect, this.options.random);
    this.retryTimer = setTimeout(() => this.open(), delay);
  }

  private markEnded(reason: string): void {
    if (this.ended) return;
    this.ended = true;
    this.stopTimers();
    const ws = this.ws;
    this.ws = undefined;
    if (ws) detachAndClose(ws);
    this.setState('ended');
    for (const done of this.endWaiters.splice(0)) done();
    this.options.onEnded?.(reason);
  }

  private queueControl(action: Control['action']): void {
    if (this.ended || this.closed) return;
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
        this.report(
          'overflow',
          `More than ${minutes} min of audio is waiting to be sent: the oldest is being dropped and will not be transcribed`,
        );
      }
    }
    this.pump();
  }

  /** Hands control messages and frames to the socket in order until its buffer is full. */
  private pump(): void {
    const ws = this.ws;
    if (this.welcomed && ws && ws.readyState === OPEN) {
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
        // Frames wait in the outbox rather than in the socket, where a reconnect could not rewind them.
        if (ws.bufferedAmount >= limit) {
          this.pumpTimer ??= setTimeout(() => {
            this.pumpTimer = undefined;
            this.pump();
          }, 50);
          break;
        }
        this.outbox.take();
        ws.send(encodeAudioFrame(frame.seq, frame.captureTime, pcmBytes(frame.samples)) as Uint8Array<ArrayBuffer>);
        if (frame.sends > 1) this.counters.framesResent++;
        else this.counters.framesSent++;
      }
    }
    this.emitStats();
  }

  /** Periodic hellos: each welcome confirms what the server stored; a silent server is a dead connection. */
  private startAcknowledgements(): void {
    const every = this.options.ackIntervalMs ?? 5_000;
    if (every <= 0) return;
    const silence = this.options.silenceTimeoutMs ?? 3 * every;
    this.lastHeard = this.now();
    clearInterval(this.ackTimer);
    this.ackTimer = setInterval(() => {
      const ws = this.ws;
      if (!ws || !this.welcomed) return;
      if (this.now() - this.lastHeard > silence) {
        this.dropSocket(ws, true, undefined);
        return;
      }
      if (ws.readyState === OPEN) ws.send(JSON.stringify({ action: 'hello' }));
    }, every);
  }

  private stopTimers(): void {
    clearTimeout(this.welcomeTimer);
    clearInterval(this.ackTimer);
    clearTimeout(this.pumpTimer);
    this.ackTimer = undefined;
    this.pumpTimer = undefined;
    if (this.closed || this.ended) {
      clearTimeout(this.retryTimer);
      this.retryTimer = undefined;
    }
  }

  private report(kind: LinkProblemKind, message: string): void {
    this.options.onProblem?.({ kind, message });
  }

  private emitStats(): void {
    this.options.onStats?.(this.stats);
  }

  private setState(state: LinkState): void {
    if (this.currentState === state || this.currentState === 'ended') return;
    this.currentState = state;
    this.options.onState?.(state);
  }
}

/**
 * Decodes a text message from the server against the protocol. Unknown types and malformed messages are
 * ignored (a newer server may send more than this page knows).
 */
export function parseServerMessage(text: string): ServerMessage | undefined {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return undefined;
  }
  const parsed = ServerMessage.safeParse(json);
  return parsed.success ? parsed.data : undefined;
}

function detachAndClose(ws: SocketLike): void {
  ws.onopen = null;
  ws.onmessage = null;
  ws.onclose = null;
  // Keep a no-op error handler: closing a socket that is still connecting reports an error.
  ws.onerror = () => {};
  try {
    ws.close(1000);
  } catch {
    // Already closing.
  }
}

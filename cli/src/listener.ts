// The listener's WebSocket client: joins by code and language, delivers every server message with its arrival
// time, reconnects after a dropped connection until the session ends, and offers waits for tests and tools.
import type { ServerMessage, WelcomeMessage } from '@llt/events';
import type WebSocket from 'ws';
import { ClientClosedError, ConnectionError, ServerError, TimeoutError } from './errors.ts';
import { webSocketUrl } from './http.ts';
import type { ReconnectPolicy } from './schedule.ts';
import {
  closeSocket,
  connectWithRetry,
  isSessionEnded,
  openWebSocket,
  parseServerMessage,
  redact,
  sleep,
} from './socket.ts';
import type { ConnectionState } from './speaker.ts';

export type ListenerWelcome = Extract<WelcomeMessage, { role: 'listener' }>;

export interface ReceivedMessage {
  message: ServerMessage;
  /** Epoch ms when the message arrived (the client's clock). */
  receivedAt: number;
}

export interface ListenerOptions {
  server: string;
  /** Join code shown to the audience. */
  code: string;
  /** Target language code, e.g. `es`. */
  lang: string;
  onMessage?: (message: ServerMessage, receivedAt: number) => void;
  /** `fatal` true: the client has closed and `done` rejects with the same error. */
  onError?: (error: Error, fatal: boolean) => void;
  onState?: (state: ConnectionState) => void;
  reconnect?: ReconnectPolicy;
  welcomeTimeoutMs?: number;
  handshakeTimeoutMs?: number;
  /** Messages kept for `waitFor` and `history`. Default 10 000. */
  historyLimit?: number;
  /**
   * After the session ends, the last sentence's captions (and later its translation and audio) are still on
   * their way: the listener stays until this long passes without a message. Default 3 s.
   */
  lingerMs?: number;
  now?: () => number;
  random?: () => number;
}

export type ListenerOutcome = 'session-ended' | 'closed';

type Waiter = {
  predicate: (message: ServerMessage) => boolean;
  resolve: (received: ReceivedMessage) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
};

export class ListenerClient {
  private lingerTimer: NodeJS.Timeout | undefined;
  /** The most recent welcome. */
  welcome: ListenerWelcome | undefined;
  reconnects = 0;
  /** Settles when the client is done: the session ended, `close()` was called, or a fatal error (rejects). */
  readonly done: Promise<ListenerOutcome>;
  private readonly received: ReceivedMessage[] = [];
  private readonly now: () => number;
  private readonly lifetime = new AbortController();
  private ws: WebSocket | undefined;
  private connectionState: ConnectionState = 'idle';
  private connecting: Promise<ListenerWelcome> | undefined;
  private waiters: Waiter[] = [];
  private socketClosed: Promise<void> = Promise.resolve();
  private readonly taps = new Set<(message: ServerMessage, receivedAt: number) => void>();
  private sessionEnded = false;
  private closedByCaller = false;
  private failure: Error | undefined;
  private settleDone!: (outcome: ListenerOutcome) => void;
  private failDone!: (error: Error) => void;

  constructor(private readonly options: ListenerOptions) {
    this.now = options.now ?? Date.now;
    this.done = new Promise<ListenerOutcome>((resolve, reject) => {
      this.settleDone = resolve;
      this.failDone = reject;
    });
    // Callers that only use connect()/waitFor() must not get an unhandled rejection from `done`.
    this.done.catch(() => {});
  }

  get state(): ConnectionState {
    return this.connectionState;
  }

  get ended(): boolean {
    return this.sessionEnded;
  }

  /** Messages received so far (up to historyLimit), oldest first. */
  get history(): readonly ReceivedMessage[] {
    return this.received;
  }

  /** Connects and resolves with the welcome; a refused handshake rejects with HandshakeRefusedError. */
  connect(): Promise<ListenerWelcome> {
    this.connecting ??= this.establish(true).catch((error: Error) => {
      this.fail(error);
      throw error;
    });
    return this.connecting;
  }

  /**
   * Resolves with the first message matching `predicate` — among those already received unless
   * `includePast` is false — or rejects with TimeoutError, or with the client's error if it closes first.
   */
  waitFor<T extends ServerMessage = ServerMessage>(
    predicate: ((message: ServerMessage) => message is T) | ((message: ServerMessage) => boolean),
    timeoutMs = 10_000,
    { includePast = true }: { includePast?: boolean } = {},
  ): Promise<T> {
    if (includePast) {
      const past = this.received.find((r) => predicate(r.message));
      if (past) return Promise.resolve(past.message as T);
    }
    if (this.connectionState === 'closed') {
      return Promise.reject(this.failure ?? new ClientClosedError('The listener is closed'));
    }
    return new Promise<T>((resolve, reject) => {
      const waiter: Waiter = {
        predicate,
        resolve: (r) => resolve(r.message as T),
        reject,
        timer: setTimeout(() => {
          this.waiters = this.waiters.filter((w) => w !== waiter);
          reject(new TimeoutError(`No matching message within ${timeoutMs} ms`));
        }, timeoutMs),
      };
      this.waiters.push(waiter);
    });
  }

  /** Every message from now on, until the client is done. */
  async *messages(): AsyncGenerator<ReceivedMessage> {
    const queue: ReceivedMessage[] = [];
    let wake: (() => void) | undefined;
    const tap = (message: ServerMessage, receivedAt: number) => {
      queue.push({ message, receivedAt });
      wake?.();
    };
    this.taps.add(tap);
    const finished = this.done.then(
      () => undefined,
      () => undefined,
    );
    try {
      for (;;) {
        while (queue.length > 0) yield queue.shift()!;
        if (this.connectionState === 'closed') return;
        await Promise.race([new Promise<void>((resolve) => (wake = resolve)), finished]);
      }
    } finally {
      this.taps.delete(tap);
    }
  }

  /** Disconnects; `done` resolves with 'closed'. */
  close(): Promise<void> {
    if (this.connectionState !== 'closed') {
      this.closedByCaller = true;
      this.shutdown();
    }
    return this.socketClosed;
  }

  private async establish(initial: boolean): Promise<ListenerWelcome> {
    this.setState(initial ? 'connecting' : 'reconnecting');
    return connectWithRetry({
      initial,
      ...(this.options.reconnect ? { policy: this.options.reconnect } : {}),
      ...(this.options.random ? { random: this.options.random } : {}),
      sleep: (ms, signal) => sleep(ms, signal),
      signal: this.lifetime.signal,
      stopped: () =>
        this.closedByCaller || this.failure
          ? (this.failure ?? new ClientClosedError('Closed while connecting'))
          : undefined,
      attempt: () => this.openOnce(),
      onRetry: (error) => this.options.onError?.(error, false),
    });
  }

  private async openOnce(): Promise<ListenerWelcome> {
    const { server, code, lang } = this.options;
    const url = webSocketUrl(server, { role: 'listener', code, lang });
    const ws = await openWebSocket(url, { handshakeTimeoutMs: this.options.handshakeTimeoutMs });
    if (this.closedByCaller) {
      ws.close(1000);
      throw new ClientClosedError('Closed while connecting');
    }
    this.ws = ws;
    return new Promise<ListenerWelcome>((resolve, reject) => {
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
        if (!welcomed && message.type === 'welcome' && message.role === 'listener') {
          welcomed = true;
          clearTimeout(timer);
          if (this.welcome) this.reconnects++;
          this.welcome = message;
          this.setState('open');
          resolve(message);
        } else if (!welcomed && message.type === 'error') {
          clearTimeout(timer);
          reject(new ServerError(message.code, message.message, message.seq, message.retryable));
          ws.close(1000);
        }
        if (message.type === 'session-ended') this.sessionEnded = true;
        this.deliver(message, receivedAt);
        if (this.sessionEnded) {
          clearTimeout(this.lingerTimer);
          this.lingerTimer = setTimeout(() => ws.close(1000), this.options.lingerMs ?? 3_000);
        }
      });
      ws.on('close', (closeCode, reason) => {
        clearTimeout(timer);
        if (!welcomed) {
          const why = reason.length > 0 ? `: ${reason.toString()}` : '';
          reject(new ConnectionError(`Connection closed (${closeCode}${why}) before the server's welcome`));
        }
        this.handleClose(ws);
      });
      ws.on('error', () => {}); // 'close' follows and handles the drop
      ws.send(JSON.stringify({ action: 'hello' }));
    });
  }

  private deliver(message: ServerMessage, receivedAt: number): void {
    const limit = this.options.historyLimit ?? 10_000;
    this.received.push({ message, receivedAt });
    if (this.received.length > limit) this.received.splice(0, this.received.length - limit);
    this.options.onMessage?.(message, receivedAt);
    for (const tap of this.taps) tap(message, receivedAt);
    this.waiters = this.waiters.filter((w) => {
      if (!w.predicate(message)) return true;
      clearTimeout(w.timer);
      w.resolve({ message, receivedAt });
      return false;
    });
  }

  private handleClose(ws: WebSocket): void {
    if (ws !== this.ws) return;
    this.ws = undefined;
    if (this.sessionEnded || this.closedByCaller) {
      this.shutdown();
      return;
    }
    if (this.connectionState !== 'open') return; // a failed attempt: establish() decides what comes next
    this.establish(false).catch((error: Error) => {
      if (isSessionEnded(error)) {
        // The session ended while the connection was down, so the session-ended message was missed.
        this.sessionEnded = true;
        this.shutdown();
      } else {
        this.fail(error);
      }
    });
  }

  private fail(error: Error): void {
    if (this.failure || this.closedByCaller) return;
    this.failure = error;
    this.options.onError?.(error, true);
    this.shutdown(error);
  }

  private shutdown(error?: Error): void {
    if (this.connectionState === 'closed') return;
    clearTimeout(this.lingerTimer);
    this.lifetime.abort();
    const ws = this.ws;
    this.ws = undefined;
    if (ws) this.socketClosed = closeSocket(ws);
    const reason =
      error ?? new ClientClosedError(this.sessionEnded ? 'The session has ended' : 'The listener was closed');
    for (const waiter of this.waiters) {
      clearTimeout(waiter.timer);
      waiter.reject(reason);
    }
    this.waiters = [];
    this.setState('closed');
    if (error) this.failDone(error);
    else this.settleDone(this.sessionEnded ? 'session-ended' : 'closed');
  }

  private setState(state: ConnectionState): void {
    if (this.connectionState === state || this.connectionState === 'closed') return;
    this.connectionState = state;
    this.options.onState?.(state);
  }
}

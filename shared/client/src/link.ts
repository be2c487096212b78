// What speaker and listener connections share: open a socket, say hello, wait for the welcome, keep the
// connection alive within API Gateway's idle timeout, and when it drops reconnect with backoff until the
// session ends. A failed attempt is judged by what can be known: the server's error answer to hello, the
// refused handshake's status and body (Node), or the HTTP API's word on the session (browsers, which see
// nothing but a closed socket).
import type { KEEPALIVE_ACTION, ServerMessage, WelcomeMessage } from '@llt/events';
import { backoffDelay, type ReconnectPolicy } from './backoff.ts';
import {
  ClientClosedError,
  ConnectionError,
  HandshakeRefusedError,
  ReconnectFailedError,
  ServerError,
  ServerRestartingError,
  ServerUnreachableError,
  TimeoutError,
} from './errors.ts';
import type { SessionCheck } from './http.ts';
import {
  isRecord,
  OPEN,
  parseServerMessage,
  platformSocket,
  RESTART_CLOSE_CODE,
  redact,
  type SocketFactory,
  type SocketLike,
} from './socket.ts';

/**
 * `connecting` until the first welcome, `live` while welcomed, `reconnecting` after a drop, `offline` while
 * attempts have failed for a while (or the device says it is offline; attempts go on), `ended` when the
 * session is over, `closed` when the caller closed the connection or it gave up.
 */
export type LinkState = 'idle' | 'connecting' | 'live' | 'reconnecting' | 'offline' | 'ended' | 'closed';

export type LinkProblemKind =
  /** A connection attempt failed and will be retried. */
  | 'retrying'
  /** The server keeps refusing the socket although the session is live. */
  | 'refused'
  /** The server is restarting (close 1012); reconnecting. */
  | 'restarting'
  /** The resend buffer is full: the oldest audio never sent is being dropped. */
  | 'overflow'
  /** Audio the server never stored is gone from the buffer. */
  | 'lost';

/** Something the user may want to know; the connection carries on. */
export interface LinkProblem {
  kind: LinkProblemKind;
  message: string;
  error: Error;
}

export type LinkOutcome = 'session-ended' | 'closed';

export interface LinkOptions<W extends WelcomeMessage> {
  /** `ws(s)://…/ws?role=…` */
  url: string;
  /** Default: the platform's WebSocket. Node: `nodeSocket` from `@llt/client/node`. */
  createSocket?: SocketFactory;
  /** Asks the HTTP API about the session when a handshake failed without a reason (browsers). */
  checkSession?: () => Promise<SessionCheck>;
  reconnect?: ReconnectPolicy;
  /** Failing this long turns `connecting`/`reconnecting` into `offline` (attempts go on). */
  offlineAfterMs?: number;
  /** Time allowed for the welcome after the socket opens. Default 10 s. */
  welcomeTimeoutMs?: number;
  /** A `hello` sent by `nudge()` on a connection believed open must be answered by then. Default 5 s. */
  probeTimeoutMs?: number;
  /** Whether the device has a network (browsers: `navigator.onLine`). */
  isOnline?: () => boolean;
  now?: () => number;
  random?: () => number;
  onState?: (state: LinkState) => void;
  /** Every message from the server, welcomes and errors included, with the time it arrived. */
  onMessage?: (message: ServerMessage, receivedAt: number) => void;
  /** Each welcome that opens a connection; `reconnected` for all but the first. */
  onWelcome?: (welcome: W, reconnected: boolean) => void;
  onProblem?: (problem: LinkProblem) => void;
  /** The session is over (the server said so, or refused a reconnect because of it). */
  onEnded?: (reason: string) => void;
  /** The connection gave up (refused for good, or out of attempts); `done` rejects with the same error. */
  onFailed?: (error: Error) => void;
}

/** What differs between the roles. */
export interface RoleSettings {
  role: 'speaker' | 'listener';
  reconnect: Required<ReconnectPolicy>;
  offlineAfterMs: number;
  /** How often to say something so API Gateway's 10-minute idle timeout never closes a quiet connection. */
  keepAliveMs: number;
  /** `hello` (answered with a welcome: also proves the connection alive) or the free `ping`. */
  keepAliveAction: 'hello' | typeof KEEPALIVE_ACTION;
  /** With `hello` keep-alives: a connection that answers nothing for this long is taken for dead. */
  silenceTimeoutMs?: number;
  /** After the session ends, stay this long past the last message (late translations and audio). */
  lingerMs: number;
}

/** Refusal codes that mean the session is over for this client rather than that something is wrong. */
const ENDED_CODES = new Set(['session_ended']);
/** Codes that only mean the session is gone once it has been joined (before, the code, id or token was wrong). */
const GONE_CODES = new Set(['unknown_join_code', 'unknown_session', 'token_expired']);
const RETRYABLE_CODES = new Set(['internal_error', 'rate_limited', 'speaker_already_connected']);
/** Refusals in a row, while the HTTP API says the session is live, before the user is told. */
const REFUSALS_BEFORE_WARNING = 3;
const HELLO = JSON.stringify({ action: 'hello' });

interface Attempt {
  socket: SocketLike;
  opened: boolean;
  /** The server's error answer to hello. */
  refusal?: ServerError;
  /** Why the attempt was abandoned from this side (no welcome in time, no answer to a probe). */
  abandoned?: Error;
}

type Verdict = { kind: 'retry'; error: Error } | { kind: 'ended'; reason: string } | { kind: 'fail'; error: Error };

export abstract class Link<W extends WelcomeMessage> {
  /** The most recent welcome. */
  welcome: W | undefined;
  /** Settles when the connection is done: the session ended, `close()` was called, or it gave up (rejects). */
  readonly done: Promise<LinkOutcome>;
  protected readonly now: () => number;
  protected current: Attempt | undefined;
  protected welcomed = false;
  protected everWelcomed = false;
  protected sessionEnded = false;
  protected closedByCaller = false;
  protected failure: Error | undefined;
  private readonly policy: Required<ReconnectPolicy>;
  private currentState: LinkState = 'idle';
  private attempts = 0;
  private failingSince: number | undefined;
  private refusals = 0;
  private lastHeard = 0;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private welcomeTimer: ReturnType<typeof setTimeout> | undefined;
  private probeTimer: ReturnType<typeof setTimeout> | undefined;
  private lingerTimer: ReturnType<typeof setTimeout> | undefined;
  private keepAliveTimer: ReturnType<typeof setInterval> | undefined;
  private socketClosed: Promise<void> = Promise.resolve();
  private firstWelcome: Deferred<W> | undefined;
  private readonly finished = deferred<LinkOutcome>();

  protected constructor(
    protected readonly options: LinkOptions<W>,
    private readonly settings: RoleSettings,
  ) {
    this.now = options.now ?? Date.now;
    this.policy = { ...settings.reconnect, ...options.reconnect };
    this.done = this.finished.promise;
  }

  get state(): LinkState {
    return this.currentState;
  }

  /** Whether the session is over for this client. */
  get ended(): boolean {
    return this.sessionEnded;
  }

  /** Opens the connection (once; reconnections are automatic) and resolves with the first welcome. */
  connect(): Promise<W> {
    if (!this.firstWelcome) {
      this.firstWelcome = deferred<W>();
      if (this.welcome) this.firstWelcome.resolve(this.welcome);
      if (this.failure) this.firstWelcome.reject(this.failure);
    }
    if (this.currentState === 'idle') {
      this.setState('connecting');
      this.open();
    }
    return this.firstWelcome.promise;
  }

  /**
   * Something suggests the network is back or the connection may be dead (the device came online, the page
   * became visible): retry now if waiting, or check an open connection with a `hello`.
   */
  nudge(): void {
    if (this.sessionEnded || this.closedByCaller || this.failure) return;
    if (this.retryTimer !== undefined) {
      this.retryNow();
      return;
    }
    const attempt = this.current;
    if (this.welcomed && attempt?.socket.readyState === OPEN && this.probeTimer === undefined) {
      attempt.socket.send(HELLO);
      const timeoutMs = this.options.probeTimeoutMs ?? 5000;
      this.probeTimer = setTimeout(() => {
        this.probeTimer = undefined;
        attempt.abandoned = new TimeoutError(`No answer from the server within ${timeoutMs / 1000} s`);
        this.dropped(attempt, 1006, '');
      }, timeoutMs);
    }
  }

  /** Skips the wait before the next attempt, if one is pending (the caller has something to say now). */
  retryNow(): void {
    if (this.retryTimer === undefined || this.sessionEnded || this.closedByCaller || this.failure) return;
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.open();
  }

  /**
   * Disconnects without ending the session (a new connection can carry on). Resolves when the socket has
   * closed, by which time the server has read everything sent before.
   */
  close(): Promise<void> {
    if (!this.closedByCaller && !this.failure && this.currentState !== 'closed') {
      this.closedByCaller = true;
      this.shutdown(new ClientClosedError('The connection was closed'));
    }
    return this.socketClosed;
  }

  /** The welcome of this connection's role (a speaker's or a listener's). */
  protected abstract isOwnWelcome(message: ServerMessage): message is W;
  /** A connection was welcomed (flags and state already say live). */
  protected abstract welcomed_(welcome: W, reconnected: boolean): void;
  /** A message on a welcomed connection (the base handles the session's end). */
  protected abstract received(message: ServerMessage): void;
  /** The session ended or the connection stopped for good: settle what waits on the subclass. */
  protected abstract stopped(error: Error | undefined): void;

  protected send(text: string): boolean {
    const socket = this.current?.socket;
    if (!this.welcomed || socket?.readyState !== OPEN) return false;
    socket.send(text);
    return true;
  }

  protected socketBuffered(): number {
    return this.current?.socket.bufferedAmount ?? 0;
  }

  /** The subprotocols each attempt offers; none by default. */
  protected subprotocols(): string[] | undefined {
    return undefined;
  }

  protected problem(kind: LinkProblemKind, error: Error): void {
    this.options.onProblem?.({ kind, message: error.message, error });
  }

  /** The session is over: stop reconnecting; a listener stays a little for the last messages. */
  protected markEnded(reason: string): void {
    if (this.sessionEnded || this.closedByCaller || this.failure) return;
    this.sessionEnded = true;
    this.clearTimers();
    this.setState('ended');
    this.firstWelcome?.reject(new ServerError('session_ended', reason));
    this.stopped(undefined);
    this.options.onEnded?.(reason);
    if (this.current && this.settings.lingerMs > 0) {
      this.linger();
      return;
    }
    const attempt = this.current;
    this.current = undefined;
    this.welcomed = false;
    if (attempt) this.socketClosed = closeQuietly(attempt.socket);
    this.finish();
  }

  private open(): void {
    this.retryTimer = undefined;
    if (this.sessionEnded || this.closedByCaller || this.failure) return;
    let socket: SocketLike;
    try {
      const protocols = this.subprotocols();
      socket = (this.options.createSocket ?? platformSocket)(this.options.url, protocols);
    } catch (error) {
      this.judge({ socket: undefined as never, opened: false, abandoned: error as Error });
      return;
    }
    const attempt: Attempt = { socket, opened: false };
    this.current = attempt;
    this.welcomed = false;
    socket.onopen = () => {
      if (attempt !== this.current) return;
      attempt.opened = true;
      socket.send(HELLO);
      const timeoutMs = this.options.welcomeTimeoutMs ?? 10_000;
      this.welcomeTimer = setTimeout(() => {
        attempt.abandoned = new TimeoutError(`No welcome from the server within ${timeoutMs / 1000} s of connecting`);
        this.dropped(attempt, 1006, '');
      }, timeoutMs);
    };
    socket.onmessage = (event) => {
      if (attempt === this.current) this.onSocketMessage(attempt, event.data);
    };
    // 'close' follows 'error' and is where the drop is handled.
    socket.onerror = () => {};
    socket.onclose = (event) => this.dropped(attempt, event.code, event.reason);
  }

  private onSocketMessage(attempt: Attempt, data: unknown): void {
    const message = parseServerMessage(data);
    if (!message) return;
    const receivedAt = this.now();
    this.lastHeard = receivedAt;
    if (this.isOwnWelcome(message)) {
      clearTimeout(this.probeTimer);
      this.probeTimer = undefined;
      if (!this.welcomed) this.onWelcome(message);
      else this.received(message);
    } else if (!this.welcomed) {
      if (message.type === 'error' && !this.sessionEnded) {
        attempt.refusal = new ServerError(message.code, message.message, message.seq, message.retryable);
      }
    } else {
      this.received(message);
    }
    this.options.onMessage?.(message, receivedAt);
    if (message.type === 'session-ended') this.markEnded(message.reason);
    else if (message.type === 'error' && message.code === 'session_ended') this.markEnded(message.message);
    if (this.sessionEnded && this.current === attempt && this.settings.lingerMs > 0) this.linger();
    else if (attempt.refusal && !this.welcomed) this.dropped(attempt, 1000, '');
  }

  private onWelcome(welcome: W): void {
    clearTimeout(this.welcomeTimer);
    const reconnected = this.everWelcomed;
    this.welcome = welcome;
    this.welcomed = true;
    this.everWelcomed = true;
    this.attempts = 0;
    this.failingSince = undefined;
    this.refusals = 0;
    this.setState('live');
    this.welcomed_(welcome, reconnected);
    this.options.onWelcome?.(welcome, reconnected);
    this.startKeepAlive();
    this.firstWelcome?.resolve(welcome);
  }

  /** The attempt's socket closed (or is abandoned): reconnect after a live connection, judge it otherwise. */
  private dropped(attempt: Attempt, code: number, reason: string): void {
    if (attempt !== this.current) return;
    this.current = undefined;
    this.socketClosed = closeQuietly(attempt.socket);
    const wasLive = this.welcomed;
    this.welcomed = false;
    clearTimeout(this.welcomeTimer);
    clearTimeout(this.probeTimer);
    clearInterval(this.keepAliveTimer);
    this.probeTimer = undefined;
    this.keepAliveTimer = undefined;
    if (this.sessionEnded) {
      this.finish();
      return;
    }
    if (this.closedByCaller || this.failure) return;
    if (wasLive) {
      this.failingSince = this.now();
      if (code === RESTART_CLOSE_CODE) {
        this.problem('restarting', new ServerRestartingError(reason || 'The server is restarting; reconnecting'));
      }
      this.scheduleRetry();
      return;
    }
    this.judge(attempt);
  }

  /** A connection attempt failed: retry, end, or give up, on the best information there is. */
  private judge(attempt: Attempt): void {
    this.attempts++;
    this.failingSince ??= this.now();
    const known = this.knownFailure(attempt);
    if (known) {
      this.apply(this.verdictFor(known, attempt));
      return;
    }
    const check = this.options.checkSession;
    const why = attempt.opened
      ? new ConnectionError('The connection closed before the server answered')
      : new ConnectionError('The server refused the connection or could not be reached');
    if (!check) {
      this.apply({ kind: 'retry', error: why });
      return;
    }
    // Say it is retrying at once: the check may take a while on a bad network.
    this.setState(this.retryingState());
    check().then(
      (result) => this.afterCheck(why, result),
      (error: Error) => this.afterCheck(why, { status: 'unreachable', message: error.message }),
    );
  }

  /** What the server or the socket itself said about the failure, if anything. */
  private knownFailure(attempt: Attempt): Error | undefined {
    if (attempt.refusal) return attempt.refusal;
    if (attempt.abandoned) return attempt.abandoned;
    const failure = attempt.socket?.failure;
    if (failure?.kind === 'refused') return handshakeRefusal(failure.status, failure.body);
    if (failure?.kind === 'unreachable') {
      return new ServerUnreachableError(`Cannot connect to ${redact(this.options.url)}: ${failure.message}`);
    }
    return undefined;
  }

  private verdictFor(error: Error, attempt: Attempt): Verdict {
    const code = error instanceof ServerError || error instanceof HandshakeRefusedError ? error.code : undefined;
    if (code !== undefined) {
      if (ENDED_CODES.has(code) || (error instanceof HandshakeRefusedError && error.status === 410)) {
        return { kind: 'ended', reason: error.message };
      }
      if (GONE_CODES.has(code) && this.everWelcomed) return { kind: 'ended', reason: error.message };
      const retryable =
        error instanceof HandshakeRefusedError
          ? error.retryable
          : (error as ServerError).retryable === true || RETRYABLE_CODES.has(code);
      return retryable ? { kind: 'retry', error } : { kind: 'fail', error };
    }
    // A server that cannot be reached on the very first try is most likely a wrong URL: say so at once.
    if (error instanceof ServerUnreachableError && !this.everWelcomed && this.attempts === 1 && !attempt.opened) {
      return this.options.checkSession ? { kind: 'retry', error } : { kind: 'fail', error };
    }
    return { kind: 'retry', error };
  }

  private afterCheck(why: Error, result: SessionCheck): void {
    if (this.sessionEnded || this.closedByCaller || this.failure) return;
    switch (result.status) {
      case 'ended':
        this.apply({ kind: 'ended', reason: result.reason });
        return;
      case 'refused':
        this.apply(this.verdictFor(new ServerError(result.code, result.message), { opened: false } as Attempt));
        return;
      case 'live':
        if (++this.refusals >= REFUSALS_BEFORE_WARNING) {
          this.problem(
            'refused',
            new ConnectionError(
              'The server refuses this connection although the session is live. Is it open in another tab or on another device?',
            ),
          );
          this.scheduleRetry();
          return;
        }
        this.apply({ kind: 'retry', error: why });
        return;
      case 'unreachable':
        this.apply({ kind: 'retry', error: new ServerUnreachableError(`${why.message} (${result.message})`) });
    }
  }

  private apply(verdict: Verdict): void {
    switch (verdict.kind) {
      case 'ended':
        this.markEnded(verdict.reason);
        return;
      case 'fail':
        this.fail(verdict.error);
        return;
      case 'retry':
        if (this.attempts >= this.policy.maxAttempts) {
          this.fail(
            new ReconnectFailedError(`Could not connect after ${this.attempts} attempts: ${verdict.error.message}`, {
              cause: verdict.error,
            }),
          );
          return;
        }
        this.problem('retrying', verdict.error);
        this.scheduleRetry();
    }
  }

  private scheduleRetry(): void {
    if (this.retryTimer !== undefined) return;
    this.setState(this.retryingState());
    const delay = backoffDelay(Math.max(0, this.attempts - 1), this.policy, this.options.random);
    this.retryTimer = setTimeout(() => this.open(), delay);
  }

  private retryingState(): LinkState {
    const online = this.options.isOnline?.() ?? true;
    const failingFor = this.failingSince === undefined ? 0 : this.now() - this.failingSince;
    const offlineAfter = this.options.offlineAfterMs ?? this.settings.offlineAfterMs;
    if (!online || failingFor >= offlineAfter) return 'offline';
    return this.everWelcomed ? 'reconnecting' : 'connecting';
  }

  /** Keep-alives within API Gateway's idle timeout; with hellos also a check that the connection answers. */
  private startKeepAlive(): void {
    clearInterval(this.keepAliveTimer);
    const every = this.settings.keepAliveMs;
    if (every <= 0) return;
    const action = JSON.stringify({ action: this.settings.keepAliveAction });
    const silence = this.settings.silenceTimeoutMs;
    this.lastHeard = this.now();
    this.keepAliveTimer = setInterval(() => {
      const attempt = this.current;
      if (!attempt || !this.welcomed) return;
      if (silence !== undefined && this.now() - this.lastHeard > silence) {
        attempt.abandoned = new TimeoutError(`No answer from the server for ${Math.round(silence / 1000)} s`);
        this.dropped(attempt, 1006, '');
        return;
      }
      if (attempt.socket.readyState === OPEN) attempt.socket.send(action);
    }, every);
  }

  /** After the end, close once `lingerMs` passes without a message. */
  private linger(): void {
    clearTimeout(this.lingerTimer);
    this.lingerTimer = setTimeout(() => {
      const attempt = this.current;
      this.current = undefined;
      if (attempt) this.socketClosed = closeQuietly(attempt.socket);
      this.finish();
    }, this.settings.lingerMs);
  }

  private fail(error: Error): void {
    if (this.failure || this.closedByCaller) return;
    this.failure = error;
    this.options.onFailed?.(error);
    this.shutdown(error);
  }

  /** Closes the socket, stops timers and settles everything waiting. */
  private shutdown(error: Error): void {
    this.clearTimers();
    const attempt = this.current;
    this.current = undefined;
    this.welcomed = false;
    if (attempt) this.socketClosed = closeQuietly(attempt.socket);
    this.firstWelcome?.reject(error);
    this.stopped(error);
    this.setState('closed');
    if (this.failure) this.finished.reject(this.failure);
    else this.finished.resolve(this.sessionEnded ? 'session-ended' : 'closed');
  }

  private finish(): void {
    clearTimeout(this.lingerTimer);
    this.finished.resolve('session-ended');
  }

  private clearTimers(): void {
    for (const timer of [this.retryTimer, this.welcomeTimer, this.probeTimer, this.lingerTimer]) clearTimeout(timer);
    clearInterval(this.keepAliveTimer);
    this.retryTimer = undefined;
    this.probeTimer = undefined;
    this.keepAliveTimer = undefined;
  }

  protected setState(state: LinkState): void {
    if (this.currentState === state || this.currentState === 'closed') return;
    if (this.currentState === 'ended' && state !== 'closed') return;
    this.currentState = state;
    this.options.onState?.(state);
  }
}

/** A refused handshake as Node sees it: the status, and code and message from the JSON body when there is one. */
export function handshakeRefusal(status: number, body: string): HandshakeRefusedError {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    json = undefined;
  }
  const code = isRecord(json) && typeof json.code === 'string' ? json.code : `http_${status}`;
  const message =
    isRecord(json) && typeof json.message === 'string'
      ? json.message
      : `Server refused the WebSocket handshake with HTTP ${status}${body ? `: ${body.slice(0, 200)}` : ''}`;
  const retryAfterMs = isRecord(json) && typeof json.retryAfterMs === 'number' ? json.retryAfterMs : undefined;
  return new HandshakeRefusedError(status, code, message, retryAfterMs === undefined ? {} : { retryAfterMs });
}

/**
 * Forgets the socket's events and closes it; resolves once it has closed (Node: the server has read everything
 * sent before) or after 2 s.
 */
function closeQuietly(socket: SocketLike): Promise<void> {
  socket.onopen = null;
  socket.onmessage = null;
  socket.onerror = () => {};
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, 2000);
    socket.onclose = () => {
      clearTimeout(timer);
      resolve();
    };
    try {
      socket.close(1000);
    } catch {
      clearTimeout(timer);
      resolve();
    }
    if (socket.readyState === 3) {
      clearTimeout(timer);
      resolve();
    }
  });
}

interface Deferred<T> {
  promise: Promise<T>;
  resolve: (value: T) => void;
  reject: (error: Error) => void;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // Callers that never await must not get an unhandled rejection.
  promise.catch(() => {});
  return { promise, resolve, reject };
}

// The listener's WebSocket: join by code and language, deliver every server message, reconnect with backoff
// until the session ends, and stay a little after `session-ended` for the last sentence's translation and
// audio. Same semantics as the command-line listener (cli/src/listener.ts), adapted to the browser: a browser
// cannot read why a handshake was refused, so a connection that closes before the welcome asks the HTTP API
// (`checkSession`) whether the code still names a live session.
import type { ServerMessage, WelcomeMessage } from '@llt/events';

export type ListenerWelcome = Extract<WelcomeMessage, { role: 'listener' }>;

/** What the page shows: `offline` while the network is down or reconnecting has failed for a while. */
export type ConnectionState = 'connecting' | 'live' | 'reconnecting' | 'ended' | 'offline';

/** What the HTTP API says about the code and language when a connection is refused. */
export type SessionCheck = 'live' | 'ended' | 'unknown-code' | 'language-not-offered' | 'unreachable';

/** Joining cannot work and retrying will not help; `code` is the protocol's ErrorCode where there is one. */
export class JoinRefusedError extends Error {
  override name = 'JoinRefusedError';
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** The part of the browser's WebSocket this client uses (tests pass a fake). */
export interface SocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((event: Event) => void) | null;
  onmessage: ((event: MessageEvent) => void) | null;
  onclose: ((event: CloseEvent) => void) | null;
  onerror: ((event: Event) => void) | null;
}

export interface BackoffPolicy {
  initialDelayMs: number;
  maxDelayMs: number;
  factor: number;
  /** ±fraction, so a room of phones does not reconnect in lockstep after a server restart. */
  jitter: number;
  /** Failing this long (or the browser saying it is offline) shows `offline`; attempts go on at maxDelayMs. */
  offlineAfterMs: number;
}

/**
 * Faster first retries than the CLI's (a phone changing networks is back within a second), a higher cap, and
 * no last attempt: a person is looking at the page, so it keeps trying until the session ends or they leave.
 */
export const DEFAULT_BACKOFF: BackoffPolicy = {
  initialDelayMs: 250,
  maxDelayMs: 5000,
  factor: 2,
  jitter: 0.2,
  offlineAfterMs: 20_000,
};

/** Delay before reconnection attempt `attempt` (0-based). */
export function backoffDelay(attempt: number, policy: BackoffPolicy = DEFAULT_BACKOFF, random = Math.random): number {
  const base = Math.min(policy.maxDelayMs, policy.initialDelayMs * policy.factor ** attempt);
  const jittered = base * (1 + policy.jitter * (2 * random() - 1));
  return Math.round(Math.min(policy.maxDelayMs, Math.max(0, jittered)));
}

export interface ListenerConnectionOptions {
  /** `…/ws?role=listener&code=…&lang=…` */
  url: string;
  checkSession: () => Promise<SessionCheck>;
  onMessage: (message: ServerMessage, receivedAt: number) => void;
  onState: (state: ConnectionState) => void;
  /** Every welcome that opens a connection; `reconnected` for all but the first. */
  onWelcome?: (welcome: ListenerWelcome, reconnected: boolean) => void;
  /** The client has stopped: joining is refused for good (unknown code, language not offered…). */
  onFatal?: (error: JoinRefusedError) => void;
  /** An error message from the server that did not stop the client. */
  onNotice?: (message: string) => void;
  createSocket?: (url: string) => SocketLike;
  isOnline?: () => boolean;
  now?: () => number;
  random?: () => number;
  backoff?: Partial<BackoffPolicy>;
  /** After `session-ended`, close once this long passes without a message. Default 3 s. */
  lingerMs?: number;
  welcomeTimeoutMs?: number;
  /** A liveness probe (`hello` on a connection believed open) fails without a welcome by then. Default 5 s. */
  probeTimeoutMs?: number;
}

const OPEN = 1;
/** Server errors that do not end the attempt's usefulness when they answer the `hello`. */
const RETRYABLE_CODES = new Set(['internal_error', 'rate_limited']);

export class ListenerConnection {
  private socket: SocketLike | undefined;
  private currentState: ConnectionState | undefined;
  private everWelcomed = false;
  private attempts = 0;
  private failingSince: number | undefined;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private welcomeTimer: ReturnType<typeof setTimeout> | undefined;
  private probeTimer: ReturnType<typeof setTimeout> | undefined;
  private lingerTimer: ReturnType<typeof setTimeout> | undefined;
  private stopped = false;
  private sessionEnded = false;
  private readonly policy: BackoffPolicy;
  private readonly now: () => number;

  constructor(private readonly options: ListenerConnectionOptions) {
    this.policy = { ...DEFAULT_BACKOFF, ...options.backoff };
    this.now = options.now ?? Date.now;
  }

  get state(): ConnectionState | undefined {
    return this.currentState;
  }

  start(): void {
    this.setState('connecting');
    this.attempt();
  }

  /** Disconnects for good (the listener left). */
  close(): void {
    this.stopped = true;
    this.clearTimers();
    this.dropSocket(1000);
  }

  /**
   * Something suggests the network is back or the connection may be dead (the browser came online, the page
   * became visible again): retry now if waiting, or check an open connection with a `hello`.
   */
  nudge(): void {
    if (this.stopped || this.sessionEnded) return;
    if (this.retryTimer !== undefined) {
      clearTimeout(this.retryTimer);
      this.retryTimer = undefined;
      this.attempt();
    } else if (this.currentState === 'live' && this.socket?.readyState === OPEN && this.probeTimer === undefined) {
      this.socket.send(JSON.stringify({ action: 'hello' }));
      this.probeTimer = setTimeout(() => {
        this.probeTimer = undefined;
        this.connectionLost();
      }, this.options.probeTimeoutMs ?? 5000);
    }
  }

  private attempt(): void {
    if (this.stopped || this.sessionEnded) return;
    const socket = (this.options.createSocket ?? ((url) => new WebSocket(url)))(this.options.url);
    this.socket = socket;
    let welcomed = false;
    this.welcomeTimer = setTimeout(() => {
      if (socket === this.socket) this.attemptFailed();
    }, this.options.welcomeTimeoutMs ?? 10_000);
    socket.onopen = () => socket.send(JSON.stringify({ action: 'hello' }));
    socket.onerror = () => {}; // close follows and decides
    socket.onclose = () => {
      if (socket !== this.socket) return;
      this.socket = undefined;
      if (this.stopped || this.sessionEnded) return;
      if (welcomed) this.connectionLost();
      else this.attemptFailed();
    };
    socket.onmessage = (event) => {
      if (socket !== this.socket) return;
      const message = parseServerMessage(event.data);
      if (!message) return;
      const receivedAt = this.now();
      if (message.type === 'welcome' && message.role === 'listener') {
        clearTimeout(this.probeTimer);
        this.probeTimer = undefined;
        if (!welcomed) {
          welcomed = true;
          clearTimeout(this.welcomeTimer);
          this.attempts = 0;
          this.failingSince = undefined;
          const reconnected = this.everWelcomed;
          this.everWelcomed = true;
          this.setState('live');
          this.options.onWelcome?.(message, reconnected);
        }
      } else if (message.type === 'error') {
        if (!welcomed) {
          this.refusedBy(message.code, message.message, message.retryable === true);
          return;
        }
        if (message.code === 'session_ended') this.endSession();
        else this.options.onNotice?.(message.message);
      } else if (message.type === 'session-ended') {
        this.endSession();
      }
      this.options.onMessage(message, receivedAt);
      if (this.sessionEnded) this.lingerThenClose();
    };
  }

  /** The server answered `hello` with an error instead of a welcome. */
  private refusedBy(code: string, message: string, retryable: boolean): void {
    clearTimeout(this.welcomeTimer);
    if (code === 'session_ended' || (code === 'unknown_join_code' && this.everWelcomed)) {
      this.endSession();
      this.dropSocket(1000);
    } else if (retryable || RETRYABLE_CODES.has(code)) {
      this.dropSocket(1000);
      this.scheduleRetry();
    } else {
      this.fatal(new JoinRefusedError(code, message));
    }
  }

  /** No welcome on this attempt: the HTTP API tells a refused join from a network problem. */
  private attemptFailed(): void {
    clearTimeout(this.welcomeTimer);
    this.dropSocket();
    if (this.stopped) return;
    // Show the retry state at once; the check may take a while on a bad network.
    this.setState(this.retryingState());
    this.options.checkSession().then(
      (check) => this.afterCheck(check),
      () => this.afterCheck('unreachable'),
    );
  }

  private afterCheck(check: SessionCheck): void {
    if (this.stopped || this.sessionEnded) return;
    switch (check) {
      case 'ended':
        this.endSession();
        return;
      case 'unknown-code':
        // A session that was live when we joined and whose code no longer resolves is over.
        if (this.everWelcomed) this.endSession();
        else this.fatal(new JoinRefusedError('unknown_join_code', 'No live session has this join code.'));
        return;
      case 'language-not-offered':
        this.fatal(new JoinRefusedError('language_not_offered', 'This session does not offer that language.'));
        return;
      case 'live':
      case 'unreachable':
        this.scheduleRetry();
    }
  }

  /** A connection that was live is gone. */
  private connectionLost(): void {
    clearTimeout(this.probeTimer);
    this.probeTimer = undefined;
    this.dropSocket();
    if (this.stopped || this.sessionEnded) return;
    this.scheduleRetry();
  }

  private scheduleRetry(): void {
    if (this.stopped || this.sessionEnded) return;
    this.failingSince ??= this.now();
    this.setState(this.retryingState());
    const delay = backoffDelay(this.attempts++, this.policy, this.options.random);
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.attempt();
    }, delay);
  }

  private retryingState(): ConnectionState {
    const online = this.options.isOnline?.() ?? true;
    const failingFor = this.failingSince === undefined ? 0 : this.now() - this.failingSince;
    if (!online || failingFor >= this.policy.offlineAfterMs) return 'offline';
    return this.everWelcomed ? 'reconnecting' : 'connecting';
  }

  private endSession(): void {
    if (this.sessionEnded) return;
    this.sessionEnded = true;
    clearTimeout(this.retryTimer);
    clearTimeout(this.welcomeTimer);
    clearTimeout(this.probeTimer);
    this.retryTimer = undefined;
    this.probeTimer = undefined;
    this.setState('ended');
    if (this.socket) this.lingerThenClose();
  }

  private lingerThenClose(): void {
    clearTimeout(this.lingerTimer);
    this.lingerTimer = setTimeout(() => this.dropSocket(1000), this.options.lingerMs ?? 3000);
  }

  private fatal(error: JoinRefusedError): void {
    this.stopped = true;
    this.clearTimers();
    this.dropSocket(1000);
    this.options.onFatal?.(error);
  }

  /** Forgets the socket at once (its late events are ignored) and closes it in the background. */
  private dropSocket(code?: number): void {
    const socket = this.socket;
    this.socket = undefined;
    if (!socket) return;
    socket.onclose = null;
    socket.onmessage = null;
    socket.onopen = null;
    try {
      if (code === undefined) socket.close();
      else socket.close(code);
    } catch {
      // Already closing.
    }
  }

  private clearTimers(): void {
    for (const timer of [this.retryTimer, this.welcomeTimer, this.probeTimer, this.lingerTimer]) clearTimeout(timer);
    this.retryTimer = undefined;
    this.probeTimer = undefined;
  }

  private setState(state: ConnectionState): void {
    if (this.currentState === state || (this.currentState === 'ended' && state !== 'ended')) return;
    this.currentState = state;
    this.options.onState(state);
  }
}

/** Lenient like the CLI: only a string `type` is required, so new message types and fields pass through. */
export function parseServerMessage(data: unknown): ServerMessage | undefined {
  if (typeof data !== 'string') return undefined;
  let json: unknown;
  try {
    json = JSON.parse(data);
  } catch {
    return undefined;
  }
  if (typeof json !== 'object' || json === null || typeof (json as { type?: unknown }).type !== 'string') {
    return undefined;
  }
  return json as ServerMessage;
}

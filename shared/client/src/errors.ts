// Every error the client library throws or reports, so callers can tell them apart with instanceof.

/** An HTTP API call answered with a non-2xx status (or an unusable body); `code` is the protocol's ErrorCode. */
export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    options?: ErrorOptions & { problems?: ApiProblem[]; retryAfterMs?: number },
  ) {
    super(message, options);
    this.problems = options?.problems ?? [];
    this.retryAfterMs = options?.retryAfterMs;
  }
  /** When trying again may succeed (`at_capacity`, `rate_limited`), in ms. */
  readonly retryAfterMs: number | undefined;
  /** Each problem the server found in the input, with where it is (a glossary's entry, a CSV file's line). */
  readonly problems: ApiProblem[];
}

export interface ApiProblem {
  line?: number;
  entry?: number;
  message: string;
}

/** The server could not be reached at all (DNS, refused TCP connection, timeout), over HTTP or WebSocket. */
export class ServerUnreachableError extends Error {
  override name = 'ServerUnreachableError';
}

/**
 * The WebSocket handshake was answered with an HTTP error instead of an upgrade; code and message come from
 * its JSON body. Only Node can read these: a browser sees nothing but a closed socket.
 */
export class HandshakeRefusedError extends Error {
  override name = 'HandshakeRefusedError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    options?: ErrorOptions & { retryAfterMs?: number },
  ) {
    super(message, options);
    this.retryAfterMs = options?.retryAfterMs;
  }
  /** When trying again may succeed (`at_capacity`), in ms. */
  readonly retryAfterMs: number | undefined;

  /**
   * Refusals that may clear up by themselves: a stale speaker connection, rate limiting, server trouble. Not
   * `at_capacity`: the recognisers are full, and the speaker decides whether to wait (retryAfterMs says how long).
   */
  get retryable(): boolean {
    if (this.code === 'at_capacity') return false;
    return this.status === 409 || this.status === 429 || this.status >= 500;
  }
}

/** The socket opened but the session could not be joined: a welcome never came, or the socket broke first. */
export class ConnectionError extends Error {
  override name = 'ConnectionError';
}

/** The server answered with an error message instead of a welcome (or about a frame). */
export class ServerError extends Error {
  override name = 'ServerError';
  constructor(
    readonly code: string,
    message: string,
    readonly seq?: number,
    readonly retryable?: boolean,
  ) {
    super(message);
  }
}

/** Every reconnection attempt failed; `cause` is the last attempt's error. */
export class ReconnectFailedError extends Error {
  override name = 'ReconnectFailedError';
}

/** The client was closed (by the caller or after a fatal error) while something still waited on it. */
export class ClientClosedError extends Error {
  override name = 'ClientClosedError';
}

/** Audio the server never stored was discarded because the resend buffer was full. */
export class FramesLostError extends Error {
  override name = 'FramesLostError';
  constructor(
    readonly fromSeq: number,
    readonly toSeq: number,
    message: string,
  ) {
    super(message);
  }
}

/** The resend buffer overflowed while the server was unreachable, so the oldest unsent audio is being dropped. */
export class ResendBufferFullError extends Error {
  override name = 'ResendBufferFullError';
}

/** A wait (for a welcome, a confirmation, the end of a session) took longer than allowed. */
export class TimeoutError extends Error {
  override name = 'TimeoutError';
}

/** The server is restarting (WebSocket close 1012); the client reconnects and the session goes on. */
export class ServerRestartingError extends Error {
  override name = 'ServerRestartingError';
}

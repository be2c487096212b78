// Every error the CLI library throws or reports, so callers can tell them apart with instanceof.

/** The input is not a WAV file this reader understands (not RIFF/WAVE, missing chunks, unsupported encoding). */
export class WavFormatError extends Error {
  override name = 'WavFormatError';
}

/** The WAV file could not be read from disk. */
export class WavReadError extends Error {
  override name = 'WavReadError';
}

/** An HTTP API call answered with a non-2xx status (or an unusable body). */
export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** The server could not be reached at all (DNS, refused TCP connection, timeout) over HTTP or WebSocket. */
export class ServerUnreachableError extends Error {
  override name = 'ServerUnreachableError';
}

/** The WebSocket handshake was answered with an HTTP error instead of an upgrade; code/message come from its JSON body. */
export class HandshakeRefusedError extends Error {
  override name = 'HandshakeRefusedError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }

  /** Refusals that may clear up by themselves: a stale speaker connection, rate limiting, server trouble. */
  get retryable(): boolean {
    return this.status === 409 || this.status === 429 || this.status >= 500;
  }
}

/** The socket opened but the session could not be joined: a welcome never came, or the socket broke first. */
export class ConnectionError extends Error {
  override name = 'ConnectionError';
}

/** The server answered `hello` (or the session) with an error message instead of a welcome. */
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

/** A wait (for a welcome, a message, the end of a session) took longer than allowed. */
export class TimeoutError extends Error {
  override name = 'TimeoutError';
}

/** The command line was wrong; the message says what is expected. */
export class UsageError extends Error {
  override name = 'UsageError';
}

// WebSocket plumbing shared by speaker and listener: opening with typed refusals, decoding server messages.
import type { IncomingMessage } from 'node:http';
import type { ServerMessage } from '@llt/events';
import WebSocket, { type RawData } from 'ws';
import {
  ClientClosedError,
  ConnectionError,
  HandshakeRefusedError,
  ReconnectFailedError,
  ServerError,
  ServerUnreachableError,
  TimeoutError,
} from './errors.ts';
import { isRecord } from './http.ts';
import { backoffDelay, DEFAULT_RECONNECT, type ReconnectPolicy } from './schedule.ts';

export interface OpenOptions {
  /** Time allowed for the TCP connection and the HTTP upgrade. Default 10 s. */
  handshakeTimeoutMs?: number;
}

const MAX_REFUSAL_BODY_BYTES = 64 * 1024;

/**
 * Opens a WebSocket. Resolves once it is open; rejects with HandshakeRefusedError when the server answers the
 * upgrade with an HTTP error (its JSON body gives code and message), ServerUnreachableError when it cannot be
 * reached at all.
 */
export function openWebSocket(url: string, options: OpenOptions = {}): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { handshakeTimeout: options.handshakeTimeoutMs ?? 10_000 });
    let settled = false;
    const settle = (error?: Error) => {
      if (settled) return;
      settled = true;
      ws.off('open', onOpen);
      if (error) reject(error);
      else resolve(ws);
    };
    const onOpen = () => settle();
    ws.once('open', onOpen);
    ws.on('unexpected-response', (_req, res) => {
      readBody(res).then(
        (body) => {
          settle(refusal(res.statusCode ?? 0, body));
          ws.terminate();
        },
        (cause) => {
          settle(
            new HandshakeRefusedError(res.statusCode ?? 0, `http_${res.statusCode}`, 'Handshake refused', { cause }),
          );
          ws.terminate();
        },
      );
    });
    // An 'error' listener must stay attached for the socket's life (ws throws on unhandled 'error'); after the
    // promise settles the owner's own listeners report errors.
    ws.on('error', (cause) => {
      settle(new ServerUnreachableError(`Cannot connect to ${redact(url)}: ${cause.message}`, { cause }));
    });
    ws.once('close', () => settle(new ConnectionError(`Connection to ${redact(url)} closed during the handshake`)));
  });
}

function refusal(status: number, body: string): HandshakeRefusedError {
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
  return new HandshakeRefusedError(status, code, message);
}

function readBody(res: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    // A refusal whose body never finishes must not hold the caller forever.
    const timer = setTimeout(() => resolve(Buffer.concat(chunks).toString('utf8')), 5000);
    res.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_REFUSAL_BODY_BYTES) chunks.push(chunk);
    });
    res.on('end', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks).toString('utf8'));
    });
    res.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

/**
 * Closes gracefully and resolves once the close handshake is done, which means the peer has read everything
 * sent before it. A peer that does not answer within `timeoutMs` gets the socket terminated.
 */
export function closeSocket(ws: WebSocket, timeoutMs = 2000): Promise<void> {
  if (ws.readyState === WebSocket.CLOSED) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => ws.terminate(), timeoutMs);
    ws.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
    if (ws.readyState === WebSocket.OPEN) ws.close(1000);
    else if (ws.readyState === WebSocket.CONNECTING) ws.terminate();
  });
}

/** Tokens are credentials: keep them out of error messages. */
export function redact(url: string): string {
  return url.replace(/([?&]token=)[^&]*/, '$1***');
}

/**
 * Decodes a text message from the server. Deliberately lenient (only a string `type` is required) so a client
 * keeps working, and keeps printing everything, when the server adds message types or fields.
 */
export function parseServerMessage(data: RawData, isBinary: boolean): ServerMessage | undefined {
  if (isBinary) return undefined;
  const text = Array.isArray(data)
    ? Buffer.concat(data).toString('utf8')
    : Buffer.isBuffer(data)
      ? data.toString('utf8')
      : Buffer.from(data).toString('utf8');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isRecord(json) || typeof json.type !== 'string') return undefined;
  return json as ServerMessage;
}

/** Resolves after `ms`, or early (without rejecting) when the signal aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

export interface RetryOptions<T> {
  /** The first connection of a client (an unreachable server then fails at once). */
  initial: boolean;
  policy?: ReconnectPolicy;
  random?: () => number;
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  signal: AbortSignal;
  /** An error to give up with when the client was closed or failed meanwhile. */
  stopped: () => Error | undefined;
  /** One connection attempt, up to the server's welcome. */
  attempt: () => Promise<T>;
  /** A failed attempt that will be retried. */
  onRetry?: (error: Error) => void;
}

/** Connects, retrying with backoff what may clear up by itself (speaker and listener alike). */
export async function connectWithRetry<T>(options: RetryOptions<T>): Promise<T> {
  const policy = { ...DEFAULT_RECONNECT, ...options.policy };
  let lastError: Error | undefined;
  for (let attempt = 0; attempt < policy.maxAttempts; attempt++) {
    if (!options.initial || attempt > 0) {
      await options.sleep(backoffDelay(attempt, policy, options.random), options.signal);
    }
    const stopped = options.stopped();
    if (stopped) throw stopped;
    try {
      return await options.attempt();
    } catch (error) {
      lastError = error as Error;
      if (!isRetryable(lastError, options.initial)) throw lastError;
      options.onRetry?.(lastError);
    }
  }
  throw new ReconnectFailedError(
    `Could not reconnect after ${policy.maxAttempts} attempts: ${lastError?.message ?? 'unknown error'}`,
    { cause: lastError },
  );
}

/** Whether a failed connection attempt is worth repeating. */
export function isRetryable(error: Error, initial: boolean): boolean {
  if (error instanceof HandshakeRefusedError) return error.retryable;
  if (error instanceof ServerError) return error.retryable === true || error.code === 'internal_error';
  if (error instanceof ClientClosedError) return false;
  // A server that cannot be reached on the very first try is most likely a wrong URL: say so at once.
  if (error instanceof ServerUnreachableError) return !initial;
  return error instanceof ConnectionError || error instanceof TimeoutError;
}

/** Whether a refused (re)connection means the session is over rather than that something is wrong. */
export function isSessionEnded(error: Error): boolean {
  return (
    (error instanceof HandshakeRefusedError && (error.code === 'session_ended' || error.status === 410)) ||
    (error instanceof ServerError && error.code === 'session_ended')
  );
}

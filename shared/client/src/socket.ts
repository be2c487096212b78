// The part of a WebSocket the connections use: the browser's own WebSocket has it, Node gets it from
// `@llt/client/node` (which can also say why a handshake was refused), tests pass scripted fakes.
import type { ServerMessage } from '@llt/events';

export const OPEN = 1;
/** WebSocket close 1012 (Service Restart): the server is restarting; the session lives on. */
export const RESTART_CLOSE_CODE = 1012;

export interface SocketLike {
  readonly readyState: number;
  /** Bytes handed to `send` and not yet written out (frames wait in the outbox beyond a budget). */
  readonly bufferedAmount?: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: { code: number; reason: string }) => void) | null;
  onerror: ((event: unknown) => void) | null;
  /**
   * Why the socket never opened, where the platform can tell (Node can read a refused handshake's status and
   * body; a browser cannot, so connections ask the HTTP API instead). Set before `onclose` fires.
   */
  readonly failure?: SocketFailure | undefined;
}

export type SocketFailure =
  | { kind: 'refused'; status: number; body: string }
  | { kind: 'unreachable'; message: string };

/** `protocols`: the subprotocols to offer (the speaker's JWT travels as the second: `llt, <jwt>`). */
export type SocketFactory = (url: string, protocols?: string[]) => SocketLike;

/** The platform's own WebSocket (browsers, Node 22+). */
export const platformSocket: SocketFactory = (url, protocols) => {
  const Socket = (globalThis as { WebSocket?: new (url: string, protocols?: string[]) => unknown }).WebSocket;
  if (!Socket)
    throw new Error('This platform has no WebSocket; pass createSocket (e.g. nodeSocket from @llt/client/node)');
  return new Socket(url, protocols) as SocketLike;
};

/**
 * Decodes a text message from the server. Lenient on purpose (only a string `type` is required) so a client
 * keeps working, and passes everything on, when a newer server adds message types or fields.
 */
export function parseServerMessage(data: unknown): ServerMessage | undefined {
  if (typeof data !== 'string') return undefined;
  let json: unknown;
  try {
    json = JSON.parse(data);
  } catch {
    return undefined;
  }
  if (!isRecord(json) || typeof json.type !== 'string') return undefined;
  return json as ServerMessage;
}

/** Tokens are credentials: keep them out of error messages. */
export function redact(url: string): string {
  return url.replace(/([?&](?:token|auth)=)[^&]*/g, '$1***');
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

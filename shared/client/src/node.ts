// Node's WebSocket for the connections, over the `ws` package: unlike a browser it can read why a handshake
// was refused (status and JSON body) and that a server could not be reached, which the connections use to
// give exact errors without asking the HTTP API.
import type { IncomingMessage } from 'node:http';
import WebSocket from 'ws';
import type { SocketFactory, SocketFailure, SocketLike } from './socket.ts';

export interface NodeSocketOptions {
  /** Time allowed for the TCP connection and the HTTP upgrade. Default 10 s. */
  handshakeTimeoutMs?: number;
}

const MAX_REFUSAL_BODY_BYTES = 64 * 1024;

/** A socket factory for Node. */
export function nodeSocket(options: NodeSocketOptions = {}): SocketFactory {
  return (url, protocols) => new NodeSocket(url, options, protocols);
}

class NodeSocket implements SocketLike {
  onopen: SocketLike['onopen'] = null;
  onmessage: SocketLike['onmessage'] = null;
  onclose: SocketLike['onclose'] = null;
  onerror: SocketLike['onerror'] = null;
  failure: SocketFailure | undefined;
  private readonly ws: WebSocket;

  constructor(url: string, options: NodeSocketOptions, protocols?: string[]) {
    this.ws = new WebSocket(url, protocols ?? [], { handshakeTimeout: options.handshakeTimeoutMs ?? 10_000 });
    this.ws.on('open', () => this.onopen?.({}));
    this.ws.on('message', (data, isBinary) => {
      if (isBinary) return;
      this.onmessage?.({ data: Array.isArray(data) ? Buffer.concat(data).toString('utf8') : data.toString() });
    });
    // With this listener, ws leaves a refused upgrade to us: read the body, then abort.
    this.ws.on('unexpected-response', (_req, res) => {
      void readBody(res).then((body) => {
        this.failure = { kind: 'refused', status: res.statusCode ?? 0, body };
        this.ws.terminate();
      });
    });
    this.ws.on('error', (error) => {
      if (this.ws.readyState !== WebSocket.OPEN) this.failure ??= { kind: 'unreachable', message: error.message };
      this.onerror?.(error);
    });
    this.ws.on('close', (code, reason) => this.onclose?.({ code, reason: reason.toString() }));
  }

  get readyState(): number {
    return this.ws.readyState;
  }

  get bufferedAmount(): number {
    return this.ws.bufferedAmount;
  }

  send(data: string): void {
    this.ws.send(data);
  }

  close(code?: number, reason?: string): void {
    if (this.ws.readyState === WebSocket.CONNECTING) this.ws.terminate();
    else this.ws.close(code, reason);
  }
}

function readBody(res: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    // A refusal whose body never finishes must not hold the caller forever.
    const timer = setTimeout(() => resolve(Buffer.concat(chunks).toString('utf8')), 5000);
    const done = () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks).toString('utf8'));
    };
    res.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_REFUSAL_BODY_BYTES) chunks.push(chunk);
    });
    res.on('end', done);
    res.on('error', done);
  });
}

// A scripted socket for the connection tests: the test opens it, feeds it messages and drops it.
import type { SocketFailure, SocketLike } from '../../src/socket.ts';

export class FakeSocket implements SocketLike {
  readyState = 0;
  bufferedAmount = 0;
  onopen: SocketLike['onopen'] = null;
  onmessage: SocketLike['onmessage'] = null;
  onclose: SocketLike['onclose'] = null;
  onerror: SocketLike['onerror'] = null;
  failure: SocketFailure | undefined;
  readonly sent: string[] = [];
  closed = false;

  send(data: string): void {
    if (this.readyState !== 1) throw new Error('not open');
    this.sent.push(data);
  }

  close(): void {
    this.closed = true;
    this.readyState = 3;
  }

  open(): void {
    this.readyState = 1;
    this.onopen?.({});
  }

  receive(message: unknown): void {
    this.onmessage?.({ data: JSON.stringify(message) });
  }

  drop(code = 1006, reason = ''): void {
    this.readyState = 3;
    this.onclose?.({ code, reason });
  }

  /** A handshake refused with an HTTP status and body, as Node reports it. */
  refuse(status: number, body: unknown): void {
    this.failure = { kind: 'refused', status, body: JSON.stringify(body) };
    this.drop();
  }

  /** The actions of the JSON messages sent. */
  actions(): string[] {
    return this.sent.filter((d) => d.startsWith('{')).map((d) => (JSON.parse(d) as { action: string }).action);
  }
}

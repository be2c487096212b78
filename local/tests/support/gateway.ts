// A WebSocket gateway on a free port with a recording handler, and ws clients that keep what they receive.
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocket } from 'ws';
import { type GatewayOptions, WebSocketGateway } from '../../src/gateway/websocket-gateway.ts';

export interface GatewayEvent {
  requestContext: {
    routeKey: string;
    eventType: string;
    connectionId: string;
    authorizer?: Record<string, unknown>;
    disconnectStatusCode?: number;
    disconnectReason?: string;
  };
  body?: string;
  queryStringParameters?: Record<string, string>;
}

type Handler = (event: GatewayEvent) => Promise<unknown>;

export interface TestGateway {
  gateway: WebSocketGateway;
  url: string;
  management: string;
  /** Every event the integration was invoked with, in invocation order. */
  events: GatewayEvent[];
  routes(): string[];
  stop(): Promise<void>;
}

const running: TestGateway[] = [];

/** Stops every gateway and closes every client the tests started (call in afterEach). */
export async function stopAll(): Promise<void> {
  for (const client of clients.splice(0)) client.terminate();
  for (const socket of rawSockets.splice(0)) socket.destroy();
  for (const gateway of running.splice(0)) await gateway.stop();
}

export async function startGateway(
  options: Partial<Omit<GatewayOptions, 'handler'>> & { handler?: Handler } = {},
): Promise<TestGateway> {
  const events: GatewayEvent[] = [];
  const handler = options.handler ?? (async () => ({ statusCode: 200 }));
  const gateway = new WebSocketGateway({
    routes: [],
    functionName: 'test',
    ...options,
    handler: async (event) => {
      events.push(event as GatewayEvent);
      return (await handler(event as GatewayEvent)) as never;
    },
  });
  const server = createServer();
  server.on('upgrade', (req, socket, head) => void gateway.upgrade(req, socket, head));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const management = await gateway.listenManagement(0);
  const started: TestGateway = {
    gateway,
    url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}/ws`,
    management,
    events,
    routes: () => events.map((e) => e.requestContext.routeKey),
    async stop() {
      await gateway.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
  running.push(started);
  return started;
}

const clients: WebSocket[] = [];

export interface Client {
  ws: WebSocket;
  received: string[];
  closed: Promise<{ code: number; reason: string }>;
}

export async function connect(url: string): Promise<Client> {
  const ws = new WebSocket(url);
  clients.push(ws);
  const received: string[] = [];
  ws.on('message', (data) => received.push(data.toString()));
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  return { ws, received, closed };
}

/** Opens a handshake and reports how it was answered: the HTTP status and body of a refusal, or 101. */
export async function handshake(url: string): Promise<{ status: number; body: string }> {
  const ws = new WebSocket(url);
  clients.push(ws);
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve({ status: 101, body: '' }));
    ws.once('unexpected-response', (_req, res: IncomingMessage) => {
      let body = '';
      res.on('data', (chunk: Buffer) => {
        body += chunk.toString();
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    ws.once('error', (error) => {
      if (!/Unexpected server response/.test(error.message)) reject(error);
    });
  });
}

/** Sends one text message as several frames of `frameBytes` (the last may be shorter). */
export function sendInFrames(ws: WebSocket, text: string, frameBytes: number): void {
  const bytes = Buffer.from(text);
  for (let at = 0; at < bytes.length; at += frameBytes) {
    ws.send(bytes.subarray(at, at + frameBytes), { binary: false, fin: at + frameBytes >= bytes.length });
  }
}

export async function waitFor(what: string, check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Calls `fn` every `everyMs` until the returned stop function is called. */
export function every(everyMs: number, fn: () => void): () => void {
  const timer = setInterval(fn, everyMs);
  return () => clearInterval(timer);
}

/** One masked client frame carrying `payload`. */
export function clientFrame(opcode: number, payload: Buffer, fin = true): Buffer {
  const extended = payload.length < 126 ? 0 : payload.length < 65_536 ? 2 : 8;
  const header = Buffer.alloc(2 + extended);
  header[0] = (fin ? 0x80 : 0) | opcode;
  header[1] = 0x80 | (extended === 0 ? payload.length : extended === 2 ? 126 : 127);
  if (extended === 2) header.writeUInt16BE(payload.length, 2);
  if (extended === 8) header.writeBigUInt64BE(BigInt(payload.length), 2);
  const mask = Buffer.from([0x0f, 0xf0, 0x55, 0xaa]);
  const masked = Buffer.from(payload.map((byte, i) => byte ^ (mask[i % 4] ?? 0)));
  return Buffer.concat([header, mask, masked]);
}

/** A WebSocket handshake on a plain TCP socket, so a test can write exactly the bytes it wants in one chunk. */
export async function rawConnect(url: string): Promise<import('node:net').Socket> {
  const { connect: tcp } = await import('node:net');
  const target = new URL(url);
  const socket = tcp(Number(target.port), target.hostname);
  rawSockets.push(socket);
  socket.write(
    `GET ${target.pathname}${target.search} HTTP/1.1\r\nHost: ${target.host}\r\nUpgrade: websocket\r\n` +
      'Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
  );
  await new Promise<void>((resolve, reject) => {
    let head = '';
    const onData = (chunk: Buffer) => {
      head += chunk.toString('latin1');
      if (!head.includes('\r\n\r\n')) return;
      socket.off('data', onData);
      if (head.startsWith('HTTP/1.1 101')) resolve();
      else reject(new Error(head.split('\r\n')[0]));
    };
    socket.on('data', onData);
    socket.once('error', reject);
  });
  return socket;
}

const rawSockets: import('node:net').Socket[] = [];

// The local API Gateway WebSocket API: turns connects, messages and disconnects into the same Lambda events
// API Gateway produces, and serves the Management API (POST/GET/DELETE /@connections/{id}) on its own
// loopback port so the real ApiGatewayManagementApiClient can talk to clients.
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { APIGatewayProxyResultV2 } from 'aws-lambda';
import { type RawData, WebSocket, WebSocketServer } from 'ws';
import type { LambdaHandler } from '../lambda.ts';
import { lambdaContext } from '../lambda.ts';

/** API Gateway's own limit on one WebSocket message. */
export const MAX_MESSAGE_BYTES = 128 * 1024;
/** WebSocket close code 1012 (Service Restart): clients reconnect; their session is kept. */
export const RESTART_CLOSE_CODE = 1012;
export const RESTART_CLOSE_REASON = 'Server restarting; reconnect in a few seconds';
/** Messages queued for one connection before the gateway closes it as a flood. */
const MAX_QUEUED_MESSAGES = 2_000;

export interface GatewayOptions {
  /** Routes selected by `$request.body.action`; everything else (including binary) goes to $default. */
  routes: readonly string[];
  handler: LambdaHandler<unknown, APIGatewayProxyResultV2 | undefined>;
  functionName: string;
  stage?: string;
  onError?: (error: unknown, where: string) => void;
  /**
   * How often each connection is pinged; one that has not answered the previous ping is cut, so a vanished
   * client (a phone that lost its network) gets its $disconnect. Default 30 s; 0 turns it off.
   */
  heartbeatMs?: number;
}

interface Connection {
  id: string;
  socket: WebSocket;
  connectedAt: number;
  lastActiveAt: number;
  sourceIp: string;
  userAgent: string;
  queue: Promise<void>;
  queued: number;
  /** Answered the last ping (or sent something since). */
  alive: boolean;
}

export class WebSocketGateway {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });
  private readonly connections = new Map<string, Connection>();
  private management: Server | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  readonly stats = { connects: 0, refused: 0, messages: 0, handlerErrors: 0, posted: 0, gone: 0 };

  constructor(private readonly options: GatewayOptions) {
    const every = options.heartbeatMs ?? 30_000;
    if (every > 0) {
      this.heartbeat = setInterval(() => this.checkAlive(), every);
      this.heartbeat.unref();
    }
  }

  private checkAlive(): void {
    for (const connection of this.connections.values()) {
      if (!connection.alive) {
        connection.socket.terminate();
        continue;
      }
      connection.alive = false;
      connection.socket.ping();
    }
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  connectionIds(): string[] {
    return [...this.connections.keys()];
  }

  /** Cuts a connection without a close handshake, as a network failure would (fault tests). */
  terminate(connectionId: string): boolean {
    const connection = this.connections.get(connectionId);
    connection?.socket.terminate();
    return !!connection;
  }

  /** Handles an HTTP upgrade request for the WebSocket path (call from the public server's 'upgrade'). */
  async upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const connectionId = `${randomBytes(9).toString('base64url')}=`;
    const url = new URL(req.url ?? '/', 'http://local');
    const headers = flatHeaders(req);
    const event = {
      // No connection exists yet: the client's address comes from the handshake's socket, as API Gateway's does.
      ...this.baseEvent('$connect', 'CONNECT', connectionId, Date.now(), {
        sourceIp: req.socket.remoteAddress ?? '',
        userAgent: headers['user-agent'] ?? '',
      }),
      headers,
      multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]])),
      queryStringParameters: url.search ? Object.fromEntries(url.searchParams) : undefined,
      isBase64Encoded: false,
    };
    let result: APIGatewayProxyResultV2 | undefined;
    try {
      result = await this.options.handler(event, lambdaContext(this.options.functionName));
    } catch (error) {
      this.options.onError?.(error, '$connect');
      result = { statusCode: 500, body: JSON.stringify({ message: 'Internal server error' }) };
    }
    const status = typeof result === 'object' && result ? (result.statusCode ?? 200) : 200;
    if (status < 200 || status >= 300) {
      this.stats.refused++;
      const body = typeof result === 'object' && result?.body ? result.body : '';
      socket.end(
        `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\ncontent-type: application/json\r\n` +
          `content-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
      );
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws, connectionId, req, headers));
  }

  private accept(ws: WebSocket, id: string, req: IncomingMessage, headers: Record<string, string>): void {
    this.stats.connects++;
    const now = Date.now();
    const connection: Connection = {
      id,
      socket: ws,
      connectedAt: now,
      lastActiveAt: now,
      sourceIp: req.socket.remoteAddress ?? '',
      userAgent: headers['user-agent'] ?? '',
      queue: Promise.resolve(),
      queued: 0,
      alive: true,
    };
    this.connections.set(id, connection);
    ws.on('message', (data, isBinary) => this.enqueue(connection, data, isBinary));
    ws.on('pong', () => {
      connection.alive = true;
    });
    ws.on('error', () => undefined); // 'close' follows; the error itself is the client's business
    ws.on('close', () => {
      this.connections.delete(id);
      // $disconnect runs after the connection's queued messages, as its last event.
      connection.queue = connection.queue.then(() => this.dispatch(this.baseEvent('$disconnect', 'DISCONNECT', id)));
    });
  }

  /** One connection's messages are handled in arrival order, one at a time. */
  private enqueue(connection: Connection, data: RawData, isBinary: boolean): void {
    connection.lastActiveAt = Date.now();
    connection.alive = true;
    if (connection.queued >= MAX_QUEUED_MESSAGES) {
      connection.socket.close(1013, 'Too many messages in flight; slow down');
      return;
    }
    this.stats.messages++;
    connection.queued++;
    const receivedAt = Date.now();
    const buffer = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
    const event = isBinary
      ? {
          ...this.baseEvent('$default', 'MESSAGE', connection.id, receivedAt),
          body: buffer.toString('base64'),
          isBase64Encoded: true,
        }
      : {
          ...this.baseEvent(this.selectRoute(buffer.toString('utf8')), 'MESSAGE', connection.id, receivedAt),
          body: buffer.toString('utf8'),
          isBase64Encoded: false,
        };
    connection.queue = connection.queue.then(async () => {
      await this.dispatch(event);
      connection.queued--;
    });
  }

  private selectRoute(text: string): string {
    try {
      const action = (JSON.parse(text) as { action?: unknown })?.action;
      if (typeof action === 'string' && this.options.routes.includes(action)) return action;
    } catch {
      // not JSON: $default
    }
    return '$default';
  }

  private async dispatch(event: ReturnType<WebSocketGateway['baseEvent']> & Record<string, unknown>): Promise<void> {
    try {
      await this.options.handler(event, lambdaContext(this.options.functionName));
    } catch (error) {
      this.stats.handlerErrors++;
      this.options.onError?.(error, event.requestContext.routeKey);
      // What API Gateway sends a client when the integration fails.
      const connection = this.connections.get(event.requestContext.connectionId);
      if (connection && event.requestContext.eventType === 'MESSAGE') {
        connection.socket.send(
          JSON.stringify({ type: 'error', code: 'internal_error', message: 'Internal server error' }),
        );
      }
    }
  }

  private baseEvent(
    routeKey: string,
    eventType: 'CONNECT' | 'MESSAGE' | 'DISCONNECT',
    connectionId: string,
    at = Date.now(),
    peer?: { sourceIp: string; userAgent: string },
  ) {
    const connection = this.connections.get(connectionId);
    return {
      requestContext: {
        routeKey,
        eventType,
        connectionId,
        messageId: eventType === 'MESSAGE' ? randomBytes(6).toString('base64url') : undefined,
        extendedRequestId: randomUUID(),
        requestId: randomUUID(),
        requestTime: new Date(at).toUTCString(),
        requestTimeEpoch: at,
        messageDirection: 'IN' as const,
        stage: this.options.stage ?? 'local',
        domainName: 'localhost',
        apiId: 'local',
        connectedAt: connection?.connectedAt ?? at,
        identity: peer ?? { sourceIp: connection?.sourceIp ?? '', userAgent: connection?.userAgent ?? '' },
      },
      isBase64Encoded: false,
    };
  }

  /** Starts the Management API on 127.0.0.1 and returns its endpoint URL. */
  async listenManagement(port = 0): Promise<string> {
    this.management = createServer((req, res) => {
      const match = /^\/(?:[^/]+\/)?@connections\/([^/?]+)$/.exec(req.url ?? '');
      const id = match ? decodeURIComponent(match[1] ?? '') : undefined;
      const connection = id ? this.connections.get(id) : undefined;
      const fail = (status: number, type: string, message: string) => {
        res.writeHead(status, { 'content-type': 'application/json', 'x-amzn-errortype': type });
        res.end(JSON.stringify({ message }));
      };
      if (!id) return fail(404, 'NotFoundException', 'No such route');
      if (!connection || connection.socket.readyState !== WebSocket.OPEN) {
        this.stats.gone++;
        req.resume();
        return fail(410, 'GoneException', `Connection ${id} is gone`);
      }
      if (req.method === 'POST') {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          const body = Buffer.concat(chunks);
          if (body.length > MAX_MESSAGE_BYTES) return fail(413, 'PayloadTooLargeException', 'Message too large');
          this.stats.posted++;
          // API Gateway delivers posted data as a text frame.
          connection.socket.send(body.toString('utf8'), () => undefined);
          res.writeHead(200).end();
        });
        return;
      }
      if (req.method === 'DELETE') {
        connection.socket.close(1000, 'Closed by the server');
        res.writeHead(204).end();
        return;
      }
      if (req.method === 'GET') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            ConnectedAt: new Date(connection.connectedAt).toISOString(),
            LastActiveAt: new Date(connection.lastActiveAt).toISOString(),
            Identity: { SourceIp: connection.sourceIp, UserAgent: connection.userAgent },
          }),
        );
        return;
      }
      fail(405, 'MethodNotAllowed', `${req.method} is not supported`);
    });
    const server = this.management;
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    const address = server.address();
    if (!address || typeof address === 'string') throw new Error('management API has no port');
    return `http://127.0.0.1:${address.port}`;
  }

  /**
   * Closes every client with 1012 (service restart: the session lives on in the stored state, reconnect), waits
   * for their $disconnect handlers, stops the Management API. Safe to call more than once.
   */
  async close(): Promise<void> {
    clearInterval(this.heartbeat);
    const pending = [...this.connections.values()].map((c) => {
      c.socket.close(RESTART_CLOSE_CODE, RESTART_CLOSE_REASON);
      return new Promise<void>((resolve) => {
        c.socket.once('close', () => setImmediate(() => c.queue.then(() => resolve())));
        setTimeout(resolve, 2_000).unref();
      });
    });
    await Promise.all(pending);
    this.wss.close();
    const server = this.management;
    if (server) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }
}

function flatHeaders(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers))
    if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(',') : v;
  return headers;
}

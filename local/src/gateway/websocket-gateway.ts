// The local API Gateway WebSocket API: turns handshakes, messages and closes into the Lambda events API Gateway
// produces (with the $connect authorizer), enforces API Gateway's WebSocket rules (text frames only, frame and
// message sizes, idle and lifetime limits), and serves the Management API on its own loopback port. Which
// rules it reproduces and which it does not, each with AWS's page: local/README.md.
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { stats } from '@llt/platform';
import type { APIGatewayProxyResultV2 } from 'aws-lambda';
import { type RawData, WebSocket, WebSocketServer } from 'ws';
import type { LambdaHandler } from '../lambda/context.ts';
import { lambdaContext } from '../lambda/context.ts';
import { type AuthorizerOutcome, checkIdentitySource, evaluateAuthorizerResult } from './authorizer-policy.ts';
import { BINARY_FRAME_CLOSE, type CloseReason, guardFrames } from './frame-guard.ts';

export interface GatewayLimits {
  /** Largest frame a client may send (API Gateway: 32 KB); a larger one closes the connection with 1009. */
  maxFrameBytes: number;
  /** Largest message, all its frames together (API Gateway: 128 KB; also for @connections POST): 1009 / 413. */
  maxMessageBytes: number;
  /** A connection without a message from its client this long is closed (API Gateway: 10 minutes). */
  idleTimeoutMs: number;
  /** A connection is closed this long after it opened, whatever it does (API Gateway: 2 hours). */
  maxConnectionMs: number;
  /** Largest authorizer result (API Gateway: 8 KB); a larger one fails the handshake with 500. */
  maxAuthorizerResultBytes: number;
  /** Local only, not an API Gateway rule: one connection's messages being handled at once before it is closed. */
  maxInFlightPerConnection: number;
}

/** API Gateway's WebSocket quotas, and the local flood guard. */
export const DEFAULT_LIMITS: Readonly<GatewayLimits> = {
  maxFrameBytes: 32 * 1024,
  maxMessageBytes: 128 * 1024,
  idleTimeoutMs: 10 * 60_000,
  maxConnectionMs: 2 * 3_600_000,
  maxAuthorizerResultBytes: 8 * 1024,
  maxInFlightPerConnection: 2_000,
};

/** WebSocket close code 1012 (Service Restart): clients reconnect; their session is kept. */
export const RESTART_CLOSE_CODE = 1012;
export const RESTART_CLOSE_REASON = 'Server restarting; reconnect in a few seconds';
/** What the Management API's DELETE @connections sends the client. */
export const DELETED_CLOSE: CloseReason = { code: 1000, reason: 'Closed by the server' };

/** The $connect authorizer, as the CDK app configures it (a Lambda REQUEST authorizer). */
export interface GatewayAuthorizer {
  handler: LambdaHandler<unknown, unknown>;
  functionName: string;
  /** `route.request.querystring.<name>` or `route.request.header.<name>`; every one must be present and non-empty. */
  identitySource: readonly string[];
}

export interface GatewayOptions {
  /** Routes a message selects by `$request.body.action`; anything else goes to $default. */
  routes: readonly string[];
  /** Routes with a mock integration: API Gateway answers them itself (nothing invoked, nothing sent back). */
  mockRoutes?: readonly string[];
  handler: LambdaHandler<unknown, APIGatewayProxyResultV2 | undefined>;
  functionName: string;
  authorizer?: GatewayAuthorizer;
  /** Shorter limits for tests; the defaults are API Gateway's. */
  limits?: Partial<GatewayLimits>;
  stage?: string;
  region?: string;
  onError?: (error: unknown, where: string) => void;
}

interface Connection {
  id: string;
  socket: WebSocket;
  connectedAt: number;
  lastActiveAt: number;
  sourceIp: string;
  userAgent: string;
  /** requestContext.authorizer: the authorizer's context and principalId, on every event of the connection. */
  authorizer: Record<string, unknown> | undefined;
  inFlight: number;
  /** Messages ws reported so far (each counted, dispatched or not). */
  received: number;
  /** Set when the gateway itself starts closing; $disconnect then reports it. */
  closing: CloseReason | undefined;
  /** Messages beyond this count (see `received`) are not dispatched: they came after the gateway closed. */
  dispatchLimit: number;
  idleTimer: NodeJS.Timeout | undefined;
  lifetimeTimer: NodeJS.Timeout | undefined;
}

type GatewayEvent = ReturnType<WebSocketGateway['event']>;

export class WebSocketGateway {
  readonly limits: Readonly<GatewayLimits>;
  private readonly wss: WebSocketServer;
  private readonly connections = new Map<string, Connection>();
  /** Handlers still running (messages and $disconnects), so close() can wait for them. */
  private readonly running = new Set<Promise<void>>();
  /** The subprotocol each handshake's $connect selected, for ws's handleProtocols. */
  private readonly selectedProtocols = new WeakMap<IncomingMessage, string>();
  private readonly mockRoutes: ReadonlySet<string>;
  private management: Server | undefined;
  readonly stats = {
    connects: 0,
    refused: 0,
    messages: 0,
    mocked: 0,
    handlerErrors: 0,
    posted: 0,
    gone: 0,
    closedByRule: 0,
  };

  constructor(private readonly options: GatewayOptions) {
    this.limits = { ...DEFAULT_LIMITS, ...options.limits };
    this.mockRoutes = new Set(options.mockRoutes ?? []);
    for (const source of options.authorizer?.identitySource ?? []) checkIdentitySource(source);
    this.wss = new WebSocketServer({
      noServer: true,
      // A backstop: the frame guard closes an oversized message first, with its own reason.
      maxPayload: this.limits.maxMessageBytes,
      perMessageDeflate: false,
      // API Gateway selects a subprotocol only when the $connect integration returns one.
      handleProtocols: (offered, req) => {
        const selected = this.selectedProtocols.get(req);
        return selected && offered.has(selected) ? selected : false;
      },
    });
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
    const at = Date.now();
    // No connection exists yet: the client's address comes from the handshake's socket, as API Gateway's does.
    const peer = { sourceIp: req.socket.remoteAddress ?? '', userAgent: headers['user-agent'] ?? '' };
    const handshake = {
      headers,
      multiValueHeaders: multiValueHeaders(req),
      queryStringParameters: url.search ? Object.fromEntries(url.searchParams) : undefined,
      multiValueQueryStringParameters: url.search ? multiValueQuery(url.searchParams) : undefined,
    };

    let authorizer: Record<string, unknown> | undefined;
    if (this.options.authorizer) {
      const outcome = await this.authorize(this.options.authorizer, connectionId, at, peer, url, handshake);
      if (outcome.effect !== 'allow') {
        this.stats.refused++;
        refuse(socket, outcome.status, JSON.stringify({ message: outcome.message }));
        return;
      }
      authorizer = outcome.authorizer;
    }

    const event = {
      ...this.event('$connect', 'CONNECT', connectionId, at, { peer, authorizer }),
      ...handshake,
      isBase64Encoded: false,
    };
    let result: APIGatewayProxyResultV2 | undefined;
    try {
      result = await this.options.handler(event, lambdaContext(this.options.functionName));
    } catch (error) {
      this.options.onError?.(error, '$connect');
      result = { statusCode: 500, body: JSON.stringify({ message: 'Internal server error' }) };
    }
    const structured = typeof result === 'object' && result ? result : undefined;
    const status = structured?.statusCode ?? 200;
    if (status < 200 || status >= 300) {
      this.stats.refused++;
      refuse(socket, status, structured?.body ?? '');
      return;
    }
    if (socket.destroyed || !socket.writable) {
      // The client left while $connect ran: the connection existed for the integration, so it gets its end.
      this.track(this.dispatch(this.disconnectEvent(connectionId, { code: 1006, reason: '' }, { peer, authorizer })));
      return;
    }
    const protocol = headerOf(structured?.headers, 'sec-websocket-protocol');
    if (protocol) this.selectedProtocols.set(req, String(protocol));
    this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws, socket, connectionId, peer, authorizer));
  }

  /** API Gateway's steps before $connect: identity sources, then the authorizer's policy. */
  private async authorize(
    authorizer: GatewayAuthorizer,
    connectionId: string,
    at: number,
    peer: { sourceIp: string; userAgent: string },
    url: URL,
    handshake: { headers: Record<string, string> } & Record<string, unknown>,
  ): Promise<AuthorizerOutcome> {
    const missing = authorizer.identitySource.some((source) => !identityValue(source, url.searchParams, handshake));
    if (missing) return { effect: 'unauthorized', status: 401, message: 'Unauthorized' };
    const methodArn = `arn:aws:execute-api:${this.region}:000000000000:local/${this.stage}/$connect`;
    const event = {
      type: 'REQUEST',
      methodArn,
      ...handshake,
      stageVariables: {},
      requestContext: this.event('$connect', 'CONNECT', connectionId, at, { peer }).requestContext,
    };
    try {
      const result = await authorizer.handler(event, lambdaContext(authorizer.functionName));
      const outcome = evaluateAuthorizerResult(result, methodArn, this.limits.maxAuthorizerResultBytes);
      if (outcome.effect === 'invalid') this.options.onError?.(new Error(outcome.problem), 'authorizer result');
      return outcome;
    } catch (error) {
      this.options.onError?.(error, 'authorizer');
      return { effect: 'invalid', status: 500, message: 'Internal server error', problem: 'authorizer failed' };
    }
  }

  private accept(
    ws: WebSocket,
    socket: Duplex,
    id: string,
    peer: { sourceIp: string; userAgent: string },
    authorizer: Record<string, unknown> | undefined,
  ): void {
    this.stats.connects++;
    const now = Date.now();
    const connection: Connection = {
      id,
      socket: ws,
      connectedAt: now,
      lastActiveAt: now,
      ...peer,
      authorizer,
      inFlight: 0,
      received: 0,
      closing: undefined,
      dispatchLimit: Number.POSITIVE_INFINITY,
      idleTimer: undefined,
      lifetimeTimer: undefined,
    };
    this.connections.set(id, connection);
    // What clients send, as bytes on the wire (frame headers included): the benchmarks' bytes per speaker.
    socket.on('data', (chunk: Buffer) => stats.increment('gateway.BytesReceived', chunk.length));
    // ws has just taken the socket over and no data has flowed yet: the guard sees every frame header first.
    guardFrames(socket, this.limits, (broken, messagesBefore) => {
      this.stats.closedByRule++;
      this.closeConnection(connection, broken, messagesBefore);
    });
    this.watchIdle(connection);
    connection.lifetimeTimer = setTimeout(
      () =>
        this.closeConnection(connection, {
          code: 1001,
          reason: `Connection open for ${duration(this.limits.maxConnectionMs)}, the longest allowed; reconnect`,
        }),
      this.limits.maxConnectionMs,
    );
    connection.lifetimeTimer.unref();

    ws.on('message', (data, isBinary) => this.receive(connection, data, isBinary));
    ws.on('error', () => undefined); // 'close' follows; the error itself is the client's business
    ws.on('close', (code, reason) => {
      stopTimers(connection);
      const event = this.disconnectEvent(id, connection.closing ?? { code, reason: reason.toString('utf8') });
      this.connections.delete(id);
      // At once, not after the connection's messages: API Gateway does not hold $disconnect back for them.
      this.track(this.dispatch(event));
    });
  }

  /**
   * Closes the connection once; the first reason is the one $disconnect reports. Messages after the first
   * `dispatchLimit` (by default: from now on) are dropped.
   */
  private closeConnection(connection: Connection, close: CloseReason, dispatchLimit = connection.received): void {
    if (connection.closing) return;
    connection.closing = close;
    connection.dispatchLimit = dispatchLimit;
    stopTimers(connection);
    connection.socket.close(close.code, close.reason);
  }

  /** Only messages from the client count as activity: not pings or pongs, not what the server posts. */
  private watchIdle(connection: Connection): void {
    const check = () => {
      const silentFor = Date.now() - connection.lastActiveAt;
      if (silentFor >= this.limits.idleTimeoutMs) {
        this.closeConnection(connection, {
          code: 1001,
          reason: `No message from the client for ${duration(this.limits.idleTimeoutMs)}; reconnect`,
        });
        return;
      }
      arm(this.limits.idleTimeoutMs - silentFor);
    };
    const arm = (ms: number) => {
      connection.idleTimer = setTimeout(check, Math.max(1, ms));
      connection.idleTimer.unref();
    };
    arm(this.limits.idleTimeoutMs);
  }

  /** Each message is its own invocation, started as it arrives: they may run at once and finish in any order. */
  private receive(connection: Connection, data: RawData, isBinary: boolean): void {
    connection.received++;
    if (connection.received > connection.dispatchLimit) return;
    if (isBinary) {
      // The frame guard closes on the first binary frame; this is only a backstop.
      this.closeConnection(connection, BINARY_FRAME_CLOSE);
      return;
    }
    const receivedAt = Date.now();
    connection.lastActiveAt = receivedAt;
    const text = rawText(data);
    const route = this.selectRoute(text);
    if (this.mockRoutes.has(route)) {
      this.stats.mocked++;
      return;
    }
    if (connection.inFlight >= this.limits.maxInFlightPerConnection) {
      this.closeConnection(connection, { code: 1013, reason: 'Too many messages in flight; slow down' });
      return;
    }
    this.stats.messages++;
    connection.inFlight++;
    const event = {
      ...this.event(route, 'MESSAGE', connection.id, receivedAt),
      body: text,
      isBase64Encoded: false,
    };
    this.track(
      this.dispatch(event).finally(() => {
        connection.inFlight--;
      }),
    );
  }

  private selectRoute(text: string): string {
    // `$request.body.action` can only be read from a JSON object: anything else (an audio frame's base64) is
    // $default without a parse that would throw.
    if (!/^\s*\{/.test(text)) return '$default';
    try {
      const action = (JSON.parse(text) as { action?: unknown })?.action;
      if (typeof action === 'string' && (this.options.routes.includes(action) || this.mockRoutes.has(action))) {
        return action;
      }
    } catch {
      // not JSON: $default
    }
    return '$default';
  }

  private track(running: Promise<void>): void {
    this.running.add(running);
    void running.finally(() => this.running.delete(running));
  }

  private async dispatch(event: GatewayEvent & Record<string, unknown>): Promise<void> {
    try {
      await this.options.handler(event, lambdaContext(this.options.functionName));
    } catch (error) {
      this.stats.handlerErrors++;
      this.options.onError?.(error, event.requestContext.routeKey);
      // The product's error message (API Gateway's own text differs: see local/README.md).
      const connection = this.connections.get(event.requestContext.connectionId);
      if (connection && event.requestContext.eventType === 'MESSAGE') {
        connection.socket.send(
          JSON.stringify({ type: 'error', code: 'internal_error', message: 'Internal server error' }),
        );
      }
    }
  }

  private get stage(): string {
    return this.options.stage ?? 'local';
  }

  private get region(): string {
    return this.options.region ?? 'local';
  }

  private event(
    routeKey: string,
    eventType: 'CONNECT' | 'MESSAGE' | 'DISCONNECT',
    connectionId: string,
    at = Date.now(),
    handshake?: { peer: { sourceIp: string; userAgent: string }; authorizer?: Record<string, unknown> | undefined },
  ) {
    const connection = this.connections.get(connectionId);
    const authorizer = handshake ? handshake.authorizer : connection?.authorizer;
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
        stage: this.stage,
        domainName: 'localhost',
        apiId: 'local',
        connectedAt: connection?.connectedAt ?? at,
        identity: handshake?.peer ?? { sourceIp: connection?.sourceIp ?? '', userAgent: connection?.userAgent ?? '' },
        ...(authorizer ? { authorizer } : {}),
      },
      isBase64Encoded: false,
    };
  }

  /** $disconnect carries how the connection ended in `requestContext.disconnectStatusCode` / `disconnectReason`. */
  private disconnectEvent(
    connectionId: string,
    close: CloseReason,
    handshake?: { peer: { sourceIp: string; userAgent: string }; authorizer?: Record<string, unknown> | undefined },
  ) {
    const event = this.event('$disconnect', 'DISCONNECT', connectionId, Date.now(), handshake);
    return {
      ...event,
      requestContext: { ...event.requestContext, disconnectStatusCode: close.code, disconnectReason: close.reason },
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
          if (body.length > this.limits.maxMessageBytes) {
            return fail(413, 'PayloadTooLargeException', 'Message too large');
          }
          this.stats.posted++;
          // API Gateway delivers posted data as a text frame; it is not activity of the client.
          connection.socket.send(body.toString('utf8'), () => undefined);
          res.writeHead(200).end();
        });
        return;
      }
      if (req.method === 'DELETE') {
        this.closeConnection(connection, DELETED_CLOSE);
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
   * (at most 2 s) for the handlers still running and the $disconnects, stops the Management API. Safe to call
   * more than once.
   */
  /**
   * Closes every connection (1012: clients reconnect) and waits for their `$disconnect`s, then the Management API
   * unless `keepManagement` (functions still running after the clients left may post; `closeManagement()` later).
   */
  async close(options: { keepManagement?: boolean } = {}): Promise<void> {
    const closed = [...this.connections.values()].map((c) => {
      const done = new Promise<void>((resolve) => c.socket.once('close', () => resolve()));
      this.closeConnection(c, { code: RESTART_CLOSE_CODE, reason: RESTART_CLOSE_REASON });
      return done;
    });
    const settled = Promise.all(closed).then(async () => {
      // The $disconnects were started by the 'close' events above; wait for them and any message still running.
      while (this.running.size > 0) await Promise.allSettled([...this.running]);
    });
    await Promise.race([settled, new Promise((resolve) => setTimeout(resolve, 2_000).unref())]);
    this.wss.close();
    if (!options.keepManagement) await this.closeManagement();
  }

  /** Stops serving the Management API (every connection is gone by then: posts would get 410). */
  async closeManagement(): Promise<void> {
    const server = this.management;
    this.management = undefined;
    if (server) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }
}

function stopTimers(connection: Connection): void {
  clearTimeout(connection.idleTimer);
  clearTimeout(connection.lifetimeTimer);
}

function refuse(socket: Duplex, status: number, body: string): void {
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\ncontent-type: application/json\r\n` +
      `content-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  );
}

/** The value an identity source names, or undefined when it is missing or empty (API Gateway then answers 401). */
function identityValue(source: string, query: URLSearchParams, handshake: { headers: Record<string, string> }) {
  const [kind, name = ''] = checkIdentitySource(source);
  const value = kind === 'querystring' ? query.get(name) : handshake.headers[name.toLowerCase()];
  return value ? value : undefined;
}

function rawText(data: RawData): string {
  const buffer = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
  return buffer.toString('utf8');
}

function headerOf(headers: Record<string, unknown> | undefined, name: string): unknown {
  for (const [key, value] of Object.entries(headers ?? {})) if (key.toLowerCase() === name) return value;
  return undefined;
}

function flatHeaders(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers))
    if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(',') : v;
  return headers;
}

function multiValueHeaders(req: IncomingMessage): Record<string, string[]> {
  const headers: Record<string, string[]> = {};
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = (req.rawHeaders[i] ?? '').toLowerCase();
    headers[name] = [...(headers[name] ?? []), req.rawHeaders[i + 1] ?? ''];
  }
  return headers;
}

function multiValueQuery(params: URLSearchParams): Record<string, string[]> {
  const query: Record<string, string[]> = {};
  for (const [k, v] of params) query[k] = [...(query[k] ?? []), v];
  return query;
}

/** 600000 → "10 min", 7200000 → "2 h", 1500 → "1.5 s": for close reasons. */
export function duration(ms: number): string {
  if (ms >= 3_600_000 && ms % 3_600_000 === 0) return `${ms / 3_600_000} h`;
  if (ms >= 60_000 && ms % 60_000 === 0) return `${ms / 60_000} min`;
  if (ms >= 1_000) return `${Number((ms / 1_000).toFixed(1))} s`;
  return `${ms} ms`;
}

// EventBridge's AWS JSON 1.1 API (PutEvents) over HTTP, so services use the real EventBridgeClient locally.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type LocalEventBus, type PutEventsEntry, PutEventsValidationError } from './event-bus.ts';

const AMZ_JSON = 'application/x-amz-json-1.1';
/** Well above PutEvents' 256 KB payload limit, so the size rules are the bus's, not a transport cut-off. */
const MAX_BODY_BYTES = 1024 * 1024;

export interface EventBridgeServerOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  host?: string;
}

/** The server could not start listening. */
export class EventBridgeServerError extends Error {
  override readonly name = 'EventBridgeServerError';
}

/** An AWS JSON protocol error reply: `{__type, message}` with an HTTP status. */
class AwsJsonError extends Error {
  override readonly name = 'AwsJsonError';
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export class EventBridgeServer {
  readonly #bus: LocalEventBus;
  readonly #host: string;
  readonly #requestedPort: number;
  #server: Server | undefined;
  #port: number | undefined;

  constructor(bus: LocalEventBus, options: EventBridgeServerOptions = {}) {
    this.#bus = bus;
    this.#host = options.host ?? '127.0.0.1';
    this.#requestedPort = options.port ?? 0;
  }

  /** Starts listening; resolves with the endpoint to give `new EventBridgeClient({endpoint})`. */
  async start(): Promise<string> {
    if (this.#server) return this.endpoint;
    const server = createServer((req, res) => void this.#handle(req, res));
    await new Promise<void>((resolve, reject) => {
      server.once('error', (cause) =>
        reject(new EventBridgeServerError(`cannot listen on ${this.#host}:${this.#requestedPort}`, { cause })),
      );
      server.listen(this.#requestedPort, this.#host, () => resolve());
    });
    this.#server = server;
    this.#port = (server.address() as AddressInfo).port;
    return this.endpoint;
  }

  get port(): number {
    if (this.#port === undefined) throw new EventBridgeServerError('server is not started');
    return this.#port;
  }

  get endpoint(): string {
    return `http://${this.#host}:${this.port}`;
  }

  /** Stops accepting connections and closes idle keep-alive ones; resolves when the server is closed. */
  async stop(): Promise<void> {
    const server = this.#server;
    if (!server) return;
    this.#server = undefined;
    this.#port = undefined;
    await new Promise<void>((resolve, reject) => {
      server.close((error) => (error ? reject(error) : resolve()));
      server.closeIdleConnections();
    });
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestId = randomUUID();
    try {
      const body = await this.#dispatch(req);
      send(res, requestId, 200, body);
    } catch (error) {
      const reply =
        error instanceof AwsJsonError
          ? error
          : new AwsJsonError('InternalException', `Internal error: ${String(error)}`, 500, { cause: error });
      if (!(error instanceof AwsJsonError)) console.error(`EventBridge server: ${reply.message}`);
      send(res, requestId, reply.status, { __type: reply.type, message: reply.message });
    }
  }

  async #dispatch(req: IncomingMessage): Promise<unknown> {
    const target = header(req, 'x-amz-target');
    if (req.method !== 'POST' || target === undefined) {
      await readBody(req).catch(() => undefined);
      throw new AwsJsonError('UnknownOperationException', 'Expected a POST with an X-Amz-Target header.');
    }
    const body = await readBody(req);
    const [service, operation] = target.split('.');
    if (service !== 'AWSEvents' || operation !== 'PutEvents') {
      throw new AwsJsonError('UnknownOperationException', `Operation ${target} is not supported by the local bus.`);
    }
    const contentType = (header(req, 'content-type') ?? '').split(';')[0]?.trim();
    if (contentType !== AMZ_JSON && contentType !== 'application/json') {
      throw new AwsJsonError('SerializationException', `Content-Type must be ${AMZ_JSON}.`);
    }
    let input: unknown;
    try {
      input = JSON.parse(body.toString('utf8'));
    } catch (cause) {
      throw new AwsJsonError('SerializationException', 'The request body is not valid JSON.', 400, { cause });
    }
    if (input === null || typeof input !== 'object' || !Array.isArray((input as { Entries?: unknown }).Entries)) {
      throw new AwsJsonError('ValidationException', "1 validation error detected: 'Entries' must be a list.");
    }
    const entries = (input as { Entries: unknown[] }).Entries.map(toEntry);
    try {
      return this.#bus.putEvents(entries);
    } catch (error) {
      if (error instanceof PutEventsValidationError) {
        throw new AwsJsonError('ValidationException', error.message, 400, { cause: error });
      }
      throw error;
    }
  }
}

/** Starts an EventBridge API server for `bus`. */
export async function startEventBridgeServer(
  bus: LocalEventBus,
  options: EventBridgeServerOptions = {},
): Promise<EventBridgeServer> {
  const server = new EventBridgeServer(bus, options);
  await server.start();
  return server;
}

/** Keeps only well-typed fields; a wrongly typed field is left out so the bus reports that entry as invalid. */
function toEntry(raw: unknown): PutEventsEntry {
  if (raw === null || typeof raw !== 'object') return {};
  const r = raw as Record<string, unknown>;
  const entry: PutEventsEntry = {};
  if (typeof r.Source === 'string') entry.Source = r.Source;
  if (typeof r.DetailType === 'string') entry.DetailType = r.DetailType;
  if (typeof r.Detail === 'string') entry.Detail = r.Detail;
  if (typeof r.EventBusName === 'string') entry.EventBusName = r.EventBusName;
  if (typeof r.TraceHeader === 'string') entry.TraceHeader = r.TraceHeader;
  if (typeof r.Time === 'number' || typeof r.Time === 'string') entry.Time = r.Time;
  if (Array.isArray(r.Resources)) entry.Resources = r.Resources.filter((x): x is string => typeof x === 'string');
  return entry;
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) tooLarge = true;
      // Keep draining the socket so the reply can be read, but stop buffering.
      if (!tooLarge) chunks.push(chunk);
    });
    req.on('end', () => {
      if (tooLarge) {
        reject(
          new AwsJsonError('RequestEntityTooLargeException', `Request body exceeds ${MAX_BODY_BYTES} bytes.`, 413),
        );
      } else {
        resolve(Buffer.concat(chunks));
      }
    });
    req.on('error', (cause) => reject(new AwsJsonError('SerializationException', 'Request aborted.', 400, { cause })));
  });
}

function send(res: ServerResponse, requestId: string, status: number, body: unknown): void {
  if (res.headersSent || res.destroyed) return;
  const payload = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': AMZ_JSON,
    'content-length': Buffer.byteLength(payload),
    'x-amzn-requestid': requestId,
    ...(status >= 400 && body && typeof body === 'object' && '__type' in body
      ? { 'x-amzn-errortype': String((body as { __type: unknown }).__type) }
      : {}),
  });
  res.end(payload);
}

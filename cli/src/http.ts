// The server's HTTP API (create a session, resolve a join code) and the URL rules shared with the WebSocket.
import type { CreatedSession, CreateSessionRequest, SessionDescription } from '@llt/events';
import { ApiError, ServerUnreachableError } from './errors.ts';

export type { CreatedSession, CreateSessionRequest };
/** What a join code resolves to. */
export type JoinCodeInfo = SessionDescription;

export interface HttpOptions {
  /** Defaults to 10 s; a server that does not answer by then is reported unreachable. */
  timeoutMs?: number;
  fetch?: typeof fetch;
}

export const DEFAULT_SERVER = 'http://127.0.0.1:8080';

/**
 * Resolves an API path against the server URL. The base keeps its own path (a server mounted under
 * `https://host/prod` gets `https://host/prod/api/...`), which `new URL('/api/...', base)` would drop.
 */
export function serverUrl(server: string, path: string): URL {
  let base: URL;
  try {
    base = new URL(server);
  } catch (cause) {
    throw new ApiError(0, 'invalid_server_url', `Server URL "${server}" is not a valid URL`, { cause });
  }
  if (!base.pathname.endsWith('/')) base.pathname += '/';
  return new URL(path.replace(/^\/+/, ''), base);
}

/** The WebSocket URL for the server: http→ws, https→wss, path `/ws`, with the given query. */
export function webSocketUrl(server: string, query: Record<string, string>): string {
  const url = serverUrl(server, 'ws');
  if (url.protocol === 'http:') url.protocol = 'ws:';
  else if (url.protocol === 'https:') url.protocol = 'wss:';
  for (const [key, value] of Object.entries(query)) url.searchParams.set(key, value);
  return url.toString();
}

export async function createSession(
  server: string,
  request: CreateSessionRequest,
  options: HttpOptions = {},
): Promise<CreatedSession> {
  const body = await call(server, 'api/sessions', { method: 'POST', body: JSON.stringify(request) }, options);
  requireFields(body, ['sessionId', 'joinCode', 'speakerToken'], 'POST /api/sessions');
  return body as unknown as CreatedSession;
}

export async function lookupJoinCode(server: string, code: string, options: HttpOptions = {}): Promise<JoinCodeInfo> {
  const body = await call(server, `api/join/${encodeURIComponent(code)}`, { method: 'GET' }, options);
  requireFields(body, ['sessionId', 'sourceLanguage'], 'GET /api/join');
  return body as unknown as JoinCodeInfo;
}

async function call(
  server: string,
  path: string,
  init: { method: string; body?: string },
  options: HttpOptions,
): Promise<Record<string, unknown>> {
  const url = serverUrl(server, path);
  const doFetch = options.fetch ?? fetch;
  let response: Response;
  try {
    response = await doFetch(url, {
      ...init,
      headers: { accept: 'application/json', ...(init.body ? { 'content-type': 'application/json' } : {}) },
      signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
    });
  } catch (cause) {
    // fetch hides the interesting part (ECONNREFUSED, ENOTFOUND…) in its own cause.
    const detail = (cause as { cause?: { message?: string } }).cause?.message ?? (cause as Error).message;
    throw new ServerUnreachableError(`Cannot reach ${url.origin} (${init.method} ${url.pathname}): ${detail}`, {
      cause,
    });
  }
  const text = await response.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  const what = `${init.method} ${url.pathname}`;
  if (!response.ok) {
    const error = isRecord(json) ? json : {};
    const code = typeof error.code === 'string' ? error.code : `http_${response.status}`;
    const message =
      typeof error.message === 'string'
        ? error.message
        : `${what} failed with HTTP ${response.status}: ${text.slice(0, 200)}`;
    throw new ApiError(response.status, code, message);
  }
  if (!isRecord(json)) {
    throw new ApiError(
      response.status,
      'invalid_response',
      `${what} answered ${response.status} without a JSON object`,
    );
  }
  return json;
}

function requireFields(body: Record<string, unknown>, fields: string[], what: string): void {
  const missing = fields.filter((f) => typeof body[f] !== 'string');
  if (missing.length > 0) {
    throw new ApiError(200, 'invalid_response', `${what} answered without ${missing.join(', ')}`);
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

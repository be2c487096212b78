// The HTTP API as the speaker's page uses it: languages on offer, creating a session, whether a session is
// still live (the WebSocket cannot say why it was refused), and caption history to catch up after a gap.
import { CaptionHistory, type CaptionMessage, CreatedSession, type CreateSessionRequest } from '@llt/events';
import type { ProbeResult } from './speaker-link.ts';

export interface SourceOption {
  code: string;
  name: string;
}

export interface TargetOption {
  code: string;
  name: string;
  nativeName: string;
  available: boolean;
}

/** What the server tells the apps about itself (GET /config.json). */
export interface AppConfig {
  /** The listener app as other devices reach it (the speaker's page may run on localhost). */
  listenerUrl?: string;
}

export interface LanguageOptions {
  source: SourceOption[];
  target: TargetOption[];
}

/** An HTTP call failed; `message` is the server's own words when it gave some. */
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

export interface ApiOptions {
  /** Origin (and path prefix) of the HTTP API; '' means this page's origin. */
  base?: string;
  fetch?: typeof fetch;
  timeoutMs?: number;
}

export class Api {
  private readonly base: string;
  private readonly doFetch: typeof fetch;
  private readonly timeoutMs: number;

  constructor(options: ApiOptions = {}) {
    this.base = (options.base ?? '').replace(/\/+$/, '');
    this.doFetch = options.fetch ?? ((input, init) => fetch(input, init));
    this.timeoutMs = options.timeoutMs ?? 10_000;
  }

  async languages(): Promise<LanguageOptions> {
    const body = await this.call('GET', '/api/languages');
    if (!isRecord(body) || !Array.isArray(body.source) || !Array.isArray(body.target)) {
      throw new ApiError(200, 'invalid_response', 'The server answered GET /api/languages with an unexpected body');
    }
    return {
      source: body.source.filter(isRecord).map((l) => ({ code: String(l.code), name: String(l.name ?? l.code) })),
      target: body.target.filter(isRecord).map((l) => ({
        code: String(l.code),
        name: String(l.name ?? l.code),
        nativeName: String(l.nativeName ?? l.name ?? l.code),
        available: l.available === true,
      })),
    };
  }

  /** The server's app configuration; {} when it publishes none (or cannot be reached). */
  async config(): Promise<AppConfig> {
    try {
      const body = await this.call('GET', '/config.json');
      if (isRecord(body) && typeof body.listenerUrl === 'string' && URL.canParse(body.listenerUrl)) {
        return { listenerUrl: body.listenerUrl };
      }
    } catch {
      // No configuration: the page's own origin serves the listener app.
    }
    return {};
  }

  async createSession(request: CreateSessionRequest): Promise<CreatedSession> {
    const body = await this.call('POST', '/api/sessions', request);
    const parsed = CreatedSession.safeParse(body);
    if (!parsed.success) {
      throw new ApiError(200, 'invalid_response', 'The server answered POST /api/sessions with an unexpected body');
    }
    return parsed.data;
  }

  /** Whether the session behind `joinCode` is still live, gone, or the server cannot be reached. */
  async probe(joinCode: string): Promise<ProbeResult> {
    try {
      await this.call('GET', `/api/join/${encodeURIComponent(joinCode)}`);
      return { status: 'live' };
    } catch (error) {
      if (error instanceof ApiError && (error.status === 404 || error.status === 410)) {
        return { status: 'gone', message: error.message };
      }
      return { status: 'unreachable', message: (error as Error).message };
    }
  }

  /** Final captions in `language` after segment index `after`, oldest first; [] if the server has none to give. */
  async captionHistory(sessionId: string, language: string, after?: number): Promise<CaptionMessage[]> {
    const query = new URLSearchParams({ lang: language });
    if (after !== undefined) query.set('after', String(after));
    const body = await this.call('GET', `/api/sessions/${encodeURIComponent(sessionId)}/captions?${query}`);
    const parsed = CaptionHistory.safeParse(body);
    return parsed.success ? parsed.data.captions : [];
  }

  private async call(method: 'GET' | 'POST', path: string, body?: unknown): Promise<unknown> {
    let response: Response;
    try {
      response = await this.doFetch(`${this.base}${path}`, {
        method,
        headers: {
          accept: 'application/json',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (cause) {
      throw new ApiError(0, 'unreachable', `Cannot reach the server (${(cause as Error).message})`, { cause });
    }
    const text = await response.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    if (!response.ok) {
      const error = isRecord(json) ? json : {};
      throw new ApiError(
        response.status,
        typeof error.code === 'string' ? error.code : `http_${response.status}`,
        typeof error.message === 'string' ? error.message : `${method} ${path} failed with HTTP ${response.status}`,
      );
    }
    return json;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

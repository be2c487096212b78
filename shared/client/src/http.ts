// The server's HTTP API, for the apps (same origin, or a configured one) and the command line (any server):
// the language catalog, the apps' configuration, creating a session, resolving a join code, caption history, the
// session's glossary.
import {
  CapacityStatus,
  CaptionHistory,
  CreatedSession,
  type CreateSessionRequest,
  type GlossaryEntry,
  type SessionDescription,
  SessionGlossaryResponse,
  SPEAKER_TOKEN_HEADER,
} from '@llt/events';
import { ApiError, type ApiProblem, ServerUnreachableError } from './errors.ts';
import { isRecord } from './socket.ts';

export interface LanguageOption {
  code: string;
  name: string;
  nativeName: string;
  /** Targets only: whether this deployment can translate into it. */
  available: boolean;
  /** Targets only: whether translations into it are spoken; false means captions only (no voice for it). */
  spoken: boolean;
}

export interface LanguageOptions {
  source: LanguageOption[];
  target: LanguageOption[];
}

/** How speakers sign in: with the session's token alone, or as a user of a Cognito user pool (OIDC). */
export type SpeakerAuthConfig =
  | { type: 'session-token' }
  | {
      type: 'cognito';
      /** The OIDC authority: the user pool's issuer, whose discovery document names the sign-in endpoints. */
      authority: string;
      clientId: string;
      /** Scopes to ask for; default `openid`. */
      scope?: string;
    };

/** What the server tells the apps about itself (GET /config.json). */
export interface AppConfig {
  /** The listener app as other devices reach it (the speaker's page may run on localhost). */
  listenerUrl?: string;
  /** Absent: `session-token`. */
  speakerAuth?: SpeakerAuthConfig;
}

/** What the HTTP API says about a session when a WebSocket handshake failed without saying why. */
export type SessionCheck =
  | { status: 'live' }
  | { status: 'ended'; reason: string }
  /** Joining cannot work: `code` is the protocol's ErrorCode (unknown_join_code, language_not_offered). */
  | { status: 'refused'; code: string; message: string }
  | { status: 'unreachable'; message: string };

export interface ApiClientOptions {
  /**
   * The server: `http(s)://host[:port][/prefix]` (a prefix is kept: `/prod` gives `/prod/api/...`), or '' for
   * the page's own origin. `ws(s)://` is taken as its http(s) twin.
   */
  base?: string;
  fetch?: typeof fetch;
  /** A call that has not answered by then is reported unreachable. Default 10 s. */
  timeoutMs?: number;
}

export class ApiClient {
  private readonly base: string;
  private readonly doFetch: typeof fetch;
  private readonly timeoutMs: number;

  constructor(options: ApiClientOptions = {}) {
    this.base = (options.base ?? '').replace(/^ws(s?):/, 'http$1:');
    this.doFetch = options.fetch ?? ((input, init) => fetch(input, init));
    this.timeoutMs = options.timeoutMs ?? 10_000;
  }

  /** GET /api/languages: what this deployment offers. */
  async languages(): Promise<LanguageOptions> {
    const body = await this.call('GET', 'api/languages');
    if (!Array.isArray(body.source) || !Array.isArray(body.target)) {
      throw new ApiError(200, 'invalid_response', 'GET /api/languages answered with an unexpected body');
    }
    const option = (l: Record<string, unknown>) => ({
      code: String(l.code),
      name: String(l.name ?? l.code),
      nativeName: String(l.nativeName ?? l.name ?? l.code),
      available: l.available !== false,
    });
    return {
      // A source is heard, not spoken: `spoken` says something only about targets.
      source: body.source.filter(isRecord).map((l): LanguageOption => ({ ...option(l), spoken: true })),
      // A server that does not say is one from before caption-only languages: every target had a voice.
      target: body.target.filter(isRecord).map((l): LanguageOption => ({ ...option(l), spoken: l.spoken !== false })),
    };
  }

  /** The server's app configuration; {} when it publishes none (or cannot be reached). */
  async config(): Promise<AppConfig> {
    try {
      const body = await this.call('GET', 'config.json');
      const listenerUrl =
        typeof body.listenerUrl === 'string' && URL.canParse(body.listenerUrl) ? body.listenerUrl : undefined;
      const speakerAuth = parseSpeakerAuth(body.speakerAuth);
      return { ...(listenerUrl ? { listenerUrl } : {}), ...(speakerAuth ? { speakerAuth } : {}) };
    } catch {
      // No configuration: the page's own origin serves the listener app.
    }
    return {};
  }

  /**
   * POST /api/sessions. The speaker token in the answer is shown once. `accessToken`: the signed-in speaker's
   * (a user-pool JWT), sent as `Authorization: Bearer`; required where speakers sign in.
   */
  async createSession(request: CreateSessionRequest, accessToken?: string): Promise<CreatedSession> {
    const body = await this.call('POST', 'api/sessions', request, accessToken);
    const parsed = CreatedSession.safeParse(body);
    if (!parsed.success) {
      throw new ApiError(200, 'invalid_response', 'POST /api/sessions answered without a usable session');
    }
    return parsed.data;
  }

  /**
   * GET /api/sessions/{id}/glossary: the glossary that holds now (version 0 and no entries when there is none).
   * Only the session's speaker may: its speaker token, and where speakers sign in its JWT (`accessToken`).
   */
  async glossary(sessionId: string, speakerToken: string, accessToken?: string): Promise<SessionGlossaryResponse> {
    const path = `api/sessions/${encodeURIComponent(sessionId)}/glossary`;
    const body = await this.call('GET', path, undefined, accessToken, { [SPEAKER_TOKEN_HEADER]: speakerToken });
    return parseGlossaryResponse(body, 'GET');
  }

  /**
   * PUT /api/sessions/{id}/glossary: replaces the live session's glossary; answers the version now in force.
   * `baseVersion`: the version the edit was made from, so an edit saved meanwhile (another tab) is not
   * overwritten unknowingly (ApiError `glossary_conflict`). Invalid entries: ApiError with `problems` by entry.
   */
  async saveGlossary(
    sessionId: string,
    speakerToken: string,
    entries: GlossaryEntry[],
    options: { baseVersion?: number | undefined; accessToken?: string | undefined } = {},
  ): Promise<SessionGlossaryResponse> {
    const path = `api/sessions/${encodeURIComponent(sessionId)}/glossary`;
    const request = { entries, ...(options.baseVersion !== undefined ? { baseVersion: options.baseVersion } : {}) };
    const body = await this.call('PUT', path, request, options.accessToken, { [SPEAKER_TOKEN_HEADER]: speakerToken });
    return parseGlossaryResponse(body, 'PUT');
  }

  /** GET /api/join/{code}: the live session behind a join code. */
  async joinCode(code: string): Promise<SessionDescription> {
    const body = await this.call('GET', `api/join/${encodeURIComponent(code)}`);
    if (typeof body.sessionId !== 'string' || typeof body.sourceLanguage !== 'string') {
      throw new ApiError(200, 'invalid_response', 'GET /api/join answered without sessionId, sourceLanguage');
    }
    return body as unknown as SessionDescription;
  }

  /**
   * Whether the session behind `joinCode` is live (and offers `language`, when given): what a connection asks
   * when its handshake was refused without a reason, as browsers' are.
   */
  async checkSession(joinCode: string, language?: string): Promise<SessionCheck> {
    try {
      const description = await this.joinCode(joinCode);
      if (language !== undefined && !description.targetLanguages.includes(language)) {
        return {
          status: 'refused',
          code: 'language_not_offered',
          message: 'This session does not offer that language.',
        };
      }
      return { status: 'live' };
    } catch (error) {
      if (error instanceof ApiError && (error.code === 'session_ended' || error.status === 410)) {
        return { status: 'ended', reason: error.message };
      }
      if (error instanceof ApiError && (error.code === 'unknown_join_code' || error.status === 404)) {
        // The speaker's own session is gone (expired); a listener typed a code that names none.
        return language === undefined
          ? { status: 'ended', reason: error.message }
          : { status: 'refused', code: 'unknown_join_code', message: 'No live session has this join code.' };
      }
      return { status: 'unreachable', message: (error as Error).message };
    }
  }

  /** GET /api/capacity: whether a new session would be admitted now, and whether `sessionId` holds its place. */
  async capacity(sessionId?: string): Promise<CapacityStatus> {
    const query = sessionId ? `?${new URLSearchParams({ sessionId })}` : '';
    const parsed = CapacityStatus.safeParse(await this.call('GET', `api/capacity${query}`));
    if (!parsed.success)
      throw new ApiError(200, 'invalid_response', 'GET /api/capacity answered with an unexpected body');
    return parsed.data;
  }

  /**
   * What a speaker's refused handshake most likely was, asked of the HTTP API (browsers cannot read the refusal):
   * the session over, the recognisers full while it holds no place (`at_capacity`), or live.
   */
  async checkSpeakerSession(sessionId: string, joinCode: string): Promise<SessionCheck> {
    const check = await this.checkSession(joinCode);
    if (check.status !== 'live') return check;
    try {
      const capacity = await this.capacity(sessionId);
      if (!capacity.admitting && capacity.holds === false) {
        return {
          status: 'refused',
          code: 'at_capacity',
          message: `This server is at capacity: its speech recognition keeps ${capacity.limit} live session${capacity.limit === 1 ? '' : 's'} in real time and all are taken. Try again in ${Math.round((capacity.retryAfterMs ?? 30_000) / 1000)} s.`,
        };
      }
    } catch {
      // A server without admission: the session is live, the refusal was something else.
    }
    return check;
  }

  /** Final captions in `language` with a segment index above `after` (all without it), oldest first. */
  async captionHistory(sessionId: string, language: string, after?: number): Promise<CaptionHistory> {
    const query = new URLSearchParams({ lang: language });
    if (after !== undefined && after >= 0) query.set('after', String(after));
    const body = await this.call('GET', `api/sessions/${encodeURIComponent(sessionId)}/captions?${query}`);
    const parsed = CaptionHistory.safeParse(body);
    if (!parsed.success) {
      throw new ApiError(200, 'invalid_response', 'GET /api/sessions/{id}/captions answered with an unexpected body');
    }
    return parsed.data;
  }

  /** The WebSocket API's URL with `query`: `/ws` beside the HTTP API, ws(s) for http(s). */
  webSocketUrl(query: Record<string, string>): string {
    return webSocketUrl(this.base || pageOrigin(), query);
  }

  private async call(
    method: 'GET' | 'POST' | 'PUT',
    path: string,
    body?: unknown,
    accessToken?: string,
    headers: Record<string, string> = {},
  ): Promise<Record<string, unknown>> {
    const url = this.base ? serverUrl(this.base, path).toString() : `/${path}`;
    const what = `${method} /${path.split('?')[0]}`;
    let response: Response;
    try {
      response = await this.doFetch(url, {
        method,
        headers: {
          accept: 'application/json',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...(accessToken ? { authorization: `Bearer ${accessToken}` } : {}),
          ...headers,
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (cause) {
      // fetch hides the interesting part (ECONNREFUSED, ENOTFOUND…) in its own cause.
      const detail = (cause as { cause?: { message?: string } }).cause?.message ?? (cause as Error).message;
      const where = this.base ? new URL(url).origin : 'the server';
      throw new ServerUnreachableError(`Cannot reach ${where} (${what}): ${detail}`, { cause });
    }
    const text = await response.text().catch(() => '');
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    if (!response.ok) {
      const error = isRecord(json) ? json : {};
      // API Gateway's own refusals (its JWT authorizer) say only `{"message":"Unauthorized"}`.
      if (response.status === 401 && typeof error.code !== 'string') {
        throw new ApiError(
          401,
          'unauthorized',
          `${what}: sign in first (the server refused the request as unauthorized)`,
        );
      }
      throw new ApiError(
        response.status,
        typeof error.code === 'string' ? error.code : `http_${response.status}`,
        typeof error.message === 'string' ? error.message : `${what} failed with HTTP ${response.status}`,
        {
          problems: problemsOf(error.problems),
          ...(typeof error.retryAfterMs === 'number' ? { retryAfterMs: error.retryAfterMs } : {}),
        },
      );
    }
    if (!isRecord(json))
      throw new ApiError(response.status, 'invalid_response', `${what} answered without a JSON object`);
    return json;
  }
}

function parseGlossaryResponse(body: Record<string, unknown>, method: string): SessionGlossaryResponse {
  const parsed = SessionGlossaryResponse.safeParse(body);
  if (!parsed.success) {
    throw new ApiError(
      200,
      'invalid_response',
      `${method} /api/sessions/{id}/glossary answered with an unexpected body`,
    );
  }
  return parsed.data;
}

function problemsOf(value: unknown): ApiProblem[] {
  if (!Array.isArray(value)) return [];
  return value.filter(isRecord).map((p) => ({
    ...(typeof p.line === 'number' ? { line: p.line } : {}),
    ...(typeof p.entry === 'number' ? { entry: p.entry } : {}),
    message: String(p.message ?? ''),
  }));
}

/**
 * The speakers' sign-in from /config.json. A Cognito user pool is named by its `authority` (issuer) or by
 * `region` and `userPoolId`, from which Cognito's issuer follows.
 */
export function parseSpeakerAuth(value: unknown): SpeakerAuthConfig | undefined {
  if (!isRecord(value)) return undefined;
  if (value.type === 'session-token') return { type: 'session-token' };
  if (value.type !== 'cognito' || typeof value.clientId !== 'string' || !value.clientId) return undefined;
  let authority = typeof value.authority === 'string' ? value.authority : undefined;
  if (!authority && typeof value.userPoolId === 'string' && value.userPoolId.includes('_')) {
    const region = typeof value.region === 'string' ? value.region : value.userPoolId.split('_')[0];
    authority = `https://cognito-idp.${region}.amazonaws.com/${value.userPoolId}`;
  }
  if (!authority || !URL.canParse(authority)) return undefined;
  return {
    type: 'cognito',
    authority,
    clientId: value.clientId,
    ...(typeof value.scope === 'string' ? { scope: value.scope } : {}),
  };
}

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

function pageOrigin(): string {
  const location = (globalThis as { location?: { origin?: string } }).location;
  if (!location?.origin) throw new ApiError(0, 'invalid_server_url', 'No server URL given and no page to take it from');
  return location.origin;
}

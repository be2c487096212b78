// The server's HTTP API, same origin: resolve a join code, the language catalog, caption history.
import type { CaptionHistory, SessionDescription } from '@llt/events';

/** A failed call: `status` 0 when the server could not be reached; `code` from the protocol's ErrorCode. */
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

export interface LanguageInfo {
  code: string;
  name: string;
  nativeName?: string;
}

/** GET /api/languages: every language the product knows, for display names. */
export interface LanguageCatalog {
  source: LanguageInfo[];
  target: (LanguageInfo & { available?: boolean })[];
}

const TIMEOUT_MS = 10_000;

export function lookupJoinCode(code: string): Promise<SessionDescription> {
  return getJson<SessionDescription>(`/api/join/${encodeURIComponent(code)}`);
}

export function fetchLanguages(): Promise<LanguageCatalog> {
  return getJson<LanguageCatalog>('/api/languages');
}

/** Final captions of `language` with segmentIndex > `after` (all of them without `after`), oldest first. */
export function fetchCaptionHistory(sessionId: string, language: string, after?: number): Promise<CaptionHistory> {
  const query = new URLSearchParams({ lang: language });
  if (after !== undefined && after >= 0) query.set('after', String(after));
  return getJson<CaptionHistory>(`/api/sessions/${encodeURIComponent(sessionId)}/captions?${query}`);
}

async function getJson<T>(path: string): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(TIMEOUT_MS) });
  } catch (cause) {
    throw new ApiError(0, 'unreachable', 'Cannot reach the server. Check your connection and try again.', { cause });
  }
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    body = undefined;
  }
  if (!response.ok) {
    const error = isRecord(body) ? body : {};
    throw new ApiError(
      response.status,
      typeof error.code === 'string' ? error.code : `http_${response.status}`,
      typeof error.message === 'string' ? error.message : `The server answered HTTP ${response.status}`,
    );
  }
  if (!isRecord(body)) throw new ApiError(response.status, 'invalid_response', 'The server sent an unreadable answer');
  return body as T;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

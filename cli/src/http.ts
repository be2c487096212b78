// The server's HTTP API from the command line: the protocol client's ApiClient against a server URL.
import { ApiClient, type ApiClientOptions } from '@llt/client';
import type { CreatedSession, CreateSessionRequest, SessionDescription } from '@llt/events';

export const DEFAULT_SERVER = 'http://127.0.0.1:8080';

export type HttpOptions = Omit<ApiClientOptions, 'base'>;

/** `accessToken`: the signed-in speaker's, where the server signs speakers in (`llt login`). */
export function createSession(
  server: string,
  request: CreateSessionRequest,
  options: HttpOptions & { accessToken?: string | undefined } = {},
): Promise<CreatedSession> {
  const { accessToken, ...http } = options;
  return new ApiClient({ ...http, base: server }).createSession(request, accessToken);
}

/** The target languages the server offers (GET /api/languages). */
export async function offeredTargets(server: string, options: HttpOptions = {}): Promise<string[]> {
  const { target } = await new ApiClient({ ...options, base: server }).languages();
  return target.filter((l) => l.available).map((l) => l.code);
}

export function lookupJoinCode(server: string, code: string, options: HttpOptions = {}): Promise<SessionDescription> {
  return new ApiClient({ ...options, base: server }).joinCode(code);
}

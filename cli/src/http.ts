// The server's HTTP API from the command line: the protocol client's ApiClient against a server URL.
import { ApiClient, type ApiClientOptions } from '@llt/client';
import type { CreatedSession, CreateSessionRequest, SessionDescription } from '@llt/events';

export const DEFAULT_SERVER = 'http://127.0.0.1:8080';

export type HttpOptions = Omit<ApiClientOptions, 'base'>;

export function createSession(
  server: string,
  request: CreateSessionRequest,
  options: HttpOptions = {},
): Promise<CreatedSession> {
  return new ApiClient({ ...options, base: server }).createSession(request);
}

export function lookupJoinCode(server: string, code: string, options: HttpOptions = {}): Promise<SessionDescription> {
  return new ApiClient({ ...options, base: server }).joinCode(code);
}

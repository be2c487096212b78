// Use case: decide whether a WebSocket handshake may reach ingest's $connect (the API Gateway REQUEST authorizer
// runs it, on AWS and in the local gateway alike).
//   input: the handshake's query (role, auth) and headers (Sec-WebSocket-Protocol)
//   output: allow (with the role, and the speaker's Cognito sub) or deny (with a reason for the logs)
//   primary course: listeners pass without a JWT (ingest checks their join code); speakers must present a
//   valid Cognito token, or, under the `session-token` scheme (no user pool: the local default), pass. Ingest's
//   $connect checks the session's speaker token in both schemes.
import { SpeakerTokenRejectedError } from '../errors.ts';
import { type HandshakeHeaders, type MultiValueHeaders, presentedSpeakerJwt } from './handshake.ts';
import type { ServiceLog, ServiceMetrics, SpeakerTokenVerifier } from './ports.ts';

/** `speakerAuth` defaults to `cognito`, which needs the verifier. */
export type AuthorizerDeps = { log: ServiceLog; metrics: ServiceMetrics } & (
  | { speakerAuth?: 'cognito'; verifier: SpeakerTokenVerifier }
  | { speakerAuth: 'session-token' }
);

export interface Handshake {
  connectionId?: string | undefined;
  query: Record<string, string | undefined> | null | undefined;
  headers: HandshakeHeaders;
  multiValueHeaders?: MultiValueHeaders;
}

export type DenyCode = 'unknown_role' | 'missing_token' | 'expired_token' | 'invalid_token';

export type ConnectDecision =
  | { allow: true; role: 'listener' }
  /** `sub`: the speaker's Cognito user; absent under the `session-token` scheme. */
  | { allow: true; role: 'speaker'; sub?: string }
  | { allow: false; code: DenyCode; reason: string };

export async function authorizeConnect(deps: AuthorizerDeps, handshake: Handshake): Promise<ConnectDecision> {
  const role = handshake.query?.role;
  const decision = await decide(deps, role, handshake);
  if (decision.allow) return decision;
  // The reason is ours or the verifier's message, never the token.
  deps.log.warn('handshake denied', {
    code: decision.code,
    reason: decision.reason,
    role: role ?? null,
    connectionId: handshake.connectionId,
  });
  deps.metrics.count('DeniedHandshakes', 1, { name: 'code', value: decision.code });
  return decision;
}

async function decide(deps: AuthorizerDeps, role: string | undefined, handshake: Handshake): Promise<ConnectDecision> {
  if (role === 'listener') return { allow: true, role: 'listener' };
  if (role !== 'speaker') {
    return {
      allow: false,
      code: 'unknown_role',
      reason: `role must be speaker or listener, got ${JSON.stringify(role ?? null)}`,
    };
  }
  if (deps.speakerAuth === 'session-token') return { allow: true, role: 'speaker' };
  const token = presentedSpeakerJwt(handshake.query, handshake.headers, handshake.multiValueHeaders);
  if (!token) {
    return {
      allow: false,
      code: 'missing_token',
      reason: 'a speaker must present a Cognito token (Sec-WebSocket-Protocol: llt, <jwt> or ?auth=<jwt>)',
    };
  }
  try {
    const { sub } = await deps.verifier.verify(token);
    return { allow: true, role: 'speaker', sub };
  } catch (error) {
    if (!(error instanceof SpeakerTokenRejectedError)) throw error;
    return {
      allow: false,
      code: error.reason === 'expired' ? 'expired_token' : 'invalid_token',
      reason: error.message.replaceAll(token, '<token>'),
    };
  }
}

// Use case: decide whether a WebSocket handshake may reach ingest's $connect (AWS only: the API Gateway
// authorizer runs it; locally there is no authorizer and the session's speaker token is the only check).
//   input: the handshake's query (role, auth) and headers (Sec-WebSocket-Protocol)
//   output: allow (with the role, and the speaker's Cognito sub) or deny (with a reason for the logs)
//   primary course: listeners pass without a JWT (ingest checks their join code); speakers must present a
//   valid Cognito token. Ingest's $connect still checks the session's speaker token for either.
import { SpeakerTokenRejectedError } from '../errors.ts';
import { type HandshakeHeaders, type MultiValueHeaders, presentedSpeakerJwt } from './handshake.ts';
import type { ServiceLog, ServiceMetrics, SpeakerTokenVerifier } from './ports.ts';

export interface AuthorizerDeps {
  verifier: SpeakerTokenVerifier;
  log: ServiceLog;
  metrics: ServiceMetrics;
}

export interface Handshake {
  connectionId?: string | undefined;
  query: Record<string, string | undefined> | null | undefined;
  headers: HandshakeHeaders;
  multiValueHeaders?: MultiValueHeaders;
}

export type DenyCode = 'unknown_role' | 'missing_token' | 'expired_token' | 'invalid_token';

export type ConnectDecision =
  | { allow: true; role: 'listener' }
  | { allow: true; role: 'speaker'; sub: string }
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

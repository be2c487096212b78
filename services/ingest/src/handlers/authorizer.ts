// API Gateway WebSocket REQUEST authorizer for $connect (deployed by the CDK app; the local gateway runs it too).
// Listeners pass without a JWT; speakers must present a Cognito token (LLT_SPEAKER_AUTH=cognito) or pass
// (session-token). Ingest's $connect handler then checks the join code or the session's speaker token.
import { withObservability } from '@llt/platform';
import type { APIGatewayAuthorizerResult, Context } from 'aws-lambda';
import { CognitoSpeakerTokenVerifier, speakerJwtVerifier } from '#adapters/cognito-speaker-token-verifier';
import { loadAuthorizerConfig, loadSpeakerAuthScheme } from '#config';
import { type AuthorizerDeps, authorizeConnect, type ConnectDecision } from '#core/authorize';
import type { HandshakeHeaders, MultiValueHeaders } from '#core/handshake';
import { observability } from '../observability.ts';

/** What API Gateway sends a WebSocket REQUEST authorizer (its requestContext is the WebSocket one, not REST's). */
export interface WebSocketAuthorizerEvent {
  type: 'REQUEST';
  /** `arn:aws:execute-api:{region}:{account}:{api}/{stage}/$connect` */
  methodArn: string;
  headers?: HandshakeHeaders;
  multiValueHeaders?: MultiValueHeaders;
  queryStringParameters?: Record<string, string | undefined> | null;
  requestContext?: { connectionId?: string; routeKey?: string };
}

/**
 * Context values reach every event of the connection as `requestContext.authorizer.*`; `sub` is the speaker's
 * Cognito user (absent under the session-token scheme).
 */
export type AuthorizerContext = { role: 'listener' } | { role: 'speaker'; sub?: string };

export type AuthorizerResult = APIGatewayAuthorizerResult & { context?: AuthorizerContext };

export function makeAuthorizer(deps: AuthorizerDeps) {
  return async (event: WebSocketAuthorizerEvent): Promise<AuthorizerResult> => {
    const decision = await authorizeConnect(deps, {
      connectionId: event.requestContext?.connectionId,
      query: event.queryStringParameters,
      headers: event.headers,
      multiValueHeaders: event.multiValueHeaders,
    });
    return policy(decision, event.methodArn);
  };
}

function policy(decision: ConnectDecision, methodArn: string): AuthorizerResult {
  const statement = (effect: 'Allow' | 'Deny') => ({
    Version: '2012-10-17',
    Statement: [{ Action: 'execute-api:Invoke', Effect: effect, Resource: methodArn }],
  });
  if (!decision.allow) return { principalId: 'denied', policyDocument: statement('Deny') };
  if (decision.role === 'listener') {
    return { principalId: 'listener', policyDocument: statement('Allow'), context: { role: 'listener' } };
  }
  if (!decision.sub)
    return { principalId: 'speaker', policyDocument: statement('Allow'), context: { role: 'speaker' } };
  return {
    principalId: decision.sub,
    policyDocument: statement('Allow'),
    context: { role: 'speaker', sub: decision.sub },
  };
}

/**
 * The deployed handler, configured on the first invocation from `env` (process.env on Lambda). The Cognito
 * verifier is kept, so the user pool's JWKS is downloaded once per execution environment.
 */
export function createAuthorizerHandler(env: NodeJS.ProcessEnv = process.env) {
  let authorize: ReturnType<typeof makeAuthorizer> | undefined;
  return withObservability(async (event: WebSocketAuthorizerEvent, _context: Context) => {
    authorize ??= makeAuthorizer(authorizerDeps(env));
    return authorize(event);
  }, observability);
}

function authorizerDeps(env: NodeJS.ProcessEnv): AuthorizerDeps {
  const logging = { log: observability.log, metrics: observability };
  if (loadSpeakerAuthScheme(env) === 'session-token') return { ...logging, speakerAuth: 'session-token' };
  return {
    ...logging,
    speakerAuth: 'cognito',
    verifier: new CognitoSpeakerTokenVerifier(speakerJwtVerifier(loadAuthorizerConfig(env))),
  };
}

export const handler = createAuthorizerHandler();

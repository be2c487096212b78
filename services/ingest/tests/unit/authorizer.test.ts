// The $connect authorizer with a fake verifier: who is allowed, where the JWT is read, the policy, denial logs, config.
import { ConfigError } from '@llt/platform';
import { beforeEach, describe, expect, test } from 'vitest';
import { loadAuthorizerConfig, loadSpeakerAuthScheme } from '#config';
import { SpeakerTokenVerificationError } from '#errors';
import { createAuthorizerHandler, makeAuthorizer, type WebSocketAuthorizerEvent } from '#handlers/authorizer';
import { makeHttpHandler } from '#handlers/http';
import { makeWebSocketHandler } from '#handlers/websocket';
import { httpEvent, wsEvent } from '../events.ts';
import { FakeSpeakerTokenVerifier, type FakeWorld, fakeWorld } from '../fakes.ts';

const METHOD_ARN = 'arn:aws:execute-api:eu-west-1:123456789012:abcdef1234/prod/$connect';
const JWT = 'eyJraWQiOiJrMSJ9.eyJzdWIiOiJ1MSJ9.c2lnbmF0dXJl';
const SUB = '5f2a1c3e-0b7d-4e59-9a1b-1f0e2d3c4b5a';

let world: FakeWorld;
let verifier: FakeSpeakerTokenVerifier;
let authorize: ReturnType<typeof makeAuthorizer>;

beforeEach(() => {
  world = fakeWorld();
  verifier = new FakeSpeakerTokenVerifier();
  verifier.valid.set(JWT, SUB);
  authorize = makeAuthorizer({ verifier, log: world.log, metrics: world.metrics });
});

function authorizerEvent(
  query: Record<string, string> | null,
  headers: Record<string, string> = {},
  multiValueHeaders?: Record<string, string[]>,
): WebSocketAuthorizerEvent {
  return {
    type: 'REQUEST',
    methodArn: METHOD_ARN,
    headers: { Host: 'abcdef1234.execute-api.eu-west-1.amazonaws.com', ...headers },
    ...(multiValueHeaders ? { multiValueHeaders } : {}),
    queryStringParameters: query,
    requestContext: { connectionId: 'conn-1=', routeKey: '$connect' },
  };
}

const policy = (effect: 'Allow' | 'Deny') => ({
  Version: '2012-10-17',
  Statement: [{ Action: 'execute-api:Invoke', Effect: effect, Resource: METHOD_ARN }],
});

describe('listeners', () => {
  test('are allowed without a JWT, with role listener in the context and no token checked', async () => {
    const result = await authorize(authorizerEvent({ role: 'listener', code: 'ABC234', lang: 'es' }));
    expect(result).toEqual({ principalId: 'listener', policyDocument: policy('Allow'), context: { role: 'listener' } });
    expect(verifier.verified).toEqual([]);
  });
});

describe('speakers', () => {
  test('presenting a valid token as the second Sec-WebSocket-Protocol value are allowed with their Cognito sub', async () => {
    const result = await authorize(
      authorizerEvent({ role: 'speaker', sessionId: 's_1', token: 't' }, { 'Sec-WebSocket-Protocol': `llt, ${JWT}` }),
    );
    expect(result).toEqual({
      principalId: SUB,
      policyDocument: policy('Allow'),
      context: { role: 'speaker', sub: SUB },
    });
    expect(verifier.verified).toEqual([JWT]);
  });

  test('the protocol header is found whatever its case, and in multiValueHeaders', async () => {
    const lower = await authorize(authorizerEvent({ role: 'speaker' }, { 'sec-websocket-protocol': `llt,${JWT}` }));
    const multi = await authorize(authorizerEvent({ role: 'speaker' }, {}, { 'SEC-WEBSOCKET-PROTOCOL': ['llt', JWT] }));
    expect(lower.policyDocument).toEqual(policy('Allow'));
    expect(multi.policyDocument).toEqual(policy('Allow'));
    expect(verifier.verified).toEqual([JWT, JWT]);
  });

  test('may present the token in the auth query parameter instead', async () => {
    const result = await authorize(
      authorizerEvent({ role: 'speaker', auth: JWT }, { 'Sec-WebSocket-Protocol': 'llt' }),
    );
    expect(result.context).toEqual({ role: 'speaker', sub: SUB });
    expect(verifier.verified).toEqual([JWT]);
  });

  test('the protocol header wins over the auth query parameter', async () => {
    await authorize(authorizerEvent({ role: 'speaker', auth: 'other' }, { 'Sec-WebSocket-Protocol': `llt, ${JWT}` }));
    expect(verifier.verified).toEqual([JWT]);
  });

  test('without a token are denied without a verification, and the denial is logged and counted', async () => {
    const result = await authorize(authorizerEvent({ role: 'speaker', sessionId: 's_1', token: 't', auth: '' }));
    expect(result).toEqual({ principalId: 'denied', policyDocument: policy('Deny') });
    expect(verifier.verified).toEqual([]);
    expect(world.logs).toEqual([
      {
        level: 'warn',
        message: 'handshake denied',
        extra: expect.objectContaining({ code: 'missing_token', role: 'speaker', connectionId: 'conn-1=' }),
      },
    ]);
    expect(world.counts.get('DeniedHandshakes.missing_token')).toBe(1);
  });

  test('with an expired token are denied and the expiry is logged', async () => {
    verifier.expired.add('expired.jwt.x');
    const result = await authorize(
      authorizerEvent({ role: 'speaker' }, { 'Sec-WebSocket-Protocol': 'llt, expired.jwt.x' }),
    );
    expect(result).toEqual({ principalId: 'denied', policyDocument: policy('Deny') });
    expect(world.logs[0]?.extra).toMatchObject({ code: 'expired_token', reason: expect.stringMatching(/expired/) });
    expect(world.counts.get('DeniedHandshakes.expired_token')).toBe(1);
  });

  test('with an invalid token are denied, and the token never appears in the log', async () => {
    const forged = 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJldmUifQ.Zm9yZ2Vk';
    const result = await authorize(
      authorizerEvent({ role: 'speaker' }, { 'Sec-WebSocket-Protocol': `llt, ${forged}` }),
    );
    expect(result).toEqual({ principalId: 'denied', policyDocument: policy('Deny') });
    expect(verifier.verified).toEqual([forged]);
    expect(world.logs[0]?.extra).toMatchObject({ code: 'invalid_token', reason: 'Invalid signature for <token>' });
    expect(JSON.stringify(world.logs)).not.toContain(forged);
  });

  test('when the token cannot be checked at all the authorizer fails (API Gateway answers 500), it does not allow', async () => {
    verifier.failure = new SpeakerTokenVerificationError('Cognito token could not be verified: JWKS unavailable');
    await expect(
      authorize(authorizerEvent({ role: 'speaker' }, { 'Sec-WebSocket-Protocol': `llt, ${JWT}` })),
    ).rejects.toThrow(SpeakerTokenVerificationError);
  });
});

describe('other handshakes', () => {
  test.each([
    ['no query at all', null],
    ['no role', { code: 'ABC234', lang: 'es' }],
    ['an unknown role', { role: 'admin', auth: JWT }],
  ])('%s is denied', async (_label, query) => {
    const result = await authorize(authorizerEvent(query, { 'Sec-WebSocket-Protocol': `llt, ${JWT}` }));
    expect(result).toEqual({ principalId: 'denied', policyDocument: policy('Deny') });
    expect(verifier.verified).toEqual([]);
    expect(world.logs[0]?.extra).toMatchObject({ code: 'unknown_role' });
  });
});

describe('the session-token scheme (no user pool: the local default)', () => {
  let sessionToken: ReturnType<typeof makeAuthorizer>;
  beforeEach(() => {
    sessionToken = makeAuthorizer({ speakerAuth: 'session-token', log: world.log, metrics: world.metrics });
  });

  test('lets speakers through without a Cognito token; $connect then checks their session token', async () => {
    const result = await sessionToken(authorizerEvent({ role: 'speaker', sessionId: 's_1', token: 't' }));
    expect(result).toEqual({ principalId: 'speaker', policyDocument: policy('Allow'), context: { role: 'speaker' } });
    expect(world.logs).toEqual([]);
  });

  test('a Cognito token offered anyway is neither needed nor checked', async () => {
    const result = await sessionToken(
      authorizerEvent({ role: 'speaker' }, { 'Sec-WebSocket-Protocol': `llt, ${JWT}` }),
    );
    expect(result.context).toEqual({ role: 'speaker' });
    expect(verifier.verified).toEqual([]);
  });

  test('listeners pass as under the cognito scheme', async () => {
    expect(await sessionToken(authorizerEvent({ role: 'listener', code: 'ABC234', lang: 'es' }))).toEqual({
      principalId: 'listener',
      policyDocument: policy('Allow'),
      context: { role: 'listener' },
    });
  });

  test.each([
    ['no role', { code: 'ABC234' }],
    ['an unknown role', { role: 'admin' }],
  ])('%s is still denied and counted', async (_label, query) => {
    expect(await sessionToken(authorizerEvent(query))).toEqual({
      principalId: 'denied',
      policyDocument: policy('Deny'),
    });
    expect(world.counts.get('DeniedHandshakes.unknown_role')).toBe(1);
  });

  test('the deployed handler needs no user pool under LLT_SPEAKER_AUTH=session-token', async () => {
    const handler = createAuthorizerHandler({ LLT_SPEAKER_AUTH: 'session-token' });
    const result = await handler(authorizerEvent({ role: 'speaker', sessionId: 's_1', token: 't' }), {
      functionName: 'ingest-authorizer',
      awsRequestId: 'r',
      getRemainingTimeInMillis: () => 5_000,
    } as never);
    expect(result).toMatchObject({ policyDocument: policy('Allow'), context: { role: 'speaker' } });
  });
});

describe('configuration', () => {
  test('LLT_SPEAKER_AUTH chooses the speaker scheme; unset means cognito; anything else fails loudly', () => {
    expect(loadSpeakerAuthScheme({})).toBe('cognito');
    expect(loadSpeakerAuthScheme({ LLT_SPEAKER_AUTH: 'cognito' })).toBe('cognito');
    expect(loadSpeakerAuthScheme({ LLT_SPEAKER_AUTH: 'session-token' })).toBe('session-token');
    expect(() => loadSpeakerAuthScheme({ LLT_SPEAKER_AUTH: 'none' })).toThrow(/cognito or session-token/);
  });

  const env = { LLT_COGNITO_USER_POOL_ID: 'eu-west-1_AbCdEfGhI', LLT_COGNITO_CLIENT_ID: 'client1' };

  test('accepts ID and access tokens unless LLT_COGNITO_TOKEN_USE narrows it', () => {
    expect(loadAuthorizerConfig(env)).toEqual({
      userPoolId: 'eu-west-1_AbCdEfGhI',
      clientId: 'client1',
      tokenUse: null,
    });
    expect(loadAuthorizerConfig({ ...env, LLT_COGNITO_TOKEN_USE: 'id' }).tokenUse).toBe('id');
    expect(loadAuthorizerConfig({ ...env, LLT_COGNITO_TOKEN_USE: 'access' }).tokenUse).toBe('access');
    expect(loadAuthorizerConfig({ ...env, LLT_COGNITO_TOKEN_USE: 'any' }).tokenUse).toBeNull();
  });

  test('several app clients may be listed, comma-separated', () => {
    expect(loadAuthorizerConfig({ ...env, LLT_COGNITO_CLIENT_ID: 'web, cli' }).clientId).toEqual(['web', 'cli']);
  });

  test('a missing user pool or client, or an unknown token use, fails loudly', () => {
    expect(() => loadAuthorizerConfig({ LLT_COGNITO_CLIENT_ID: 'c' })).toThrow(ConfigError);
    expect(() => loadAuthorizerConfig({ LLT_COGNITO_USER_POOL_ID: 'eu-west-1_AbCdEfGhI' })).toThrow(
      /LLT_COGNITO_CLIENT_ID is required/,
    );
    expect(() => loadAuthorizerConfig({ ...env, LLT_COGNITO_TOKEN_USE: 'refresh' })).toThrow(/id, access or any/);
  });
});

describe('the $connect handler behind the authorizer', () => {
  test("selects the llt subprotocol a browser offered, never echoing the JWT, and still checks the session's token", async () => {
    const ws = makeWebSocketHandler(world);
    const http = makeHttpHandler(world);
    const created = JSON.parse(
      (
        await http(
          httpEvent('POST', '/api/sessions', JSON.stringify({ sourceLanguage: 'en', targetLanguages: ['es'] })),
        )
      ).body ?? '{}',
    );
    const handshake = (token: string) => ({
      ...wsEvent('$connect', `speaker-${token}`, {
        query: { role: 'speaker', sessionId: created.sessionId, token },
      }),
      headers: { 'Sec-WebSocket-Protocol': `llt, ${JWT}` },
    });
    expect(await ws(handshake('wrong'))).toMatchObject({ statusCode: 401 });
    const accepted = await ws(handshake(created.speakerToken));
    expect(accepted).toEqual({ statusCode: 200, headers: { 'Sec-WebSocket-Protocol': 'llt' } });
  });

  test('answers without a protocol header when none was offered', async () => {
    const ws = makeWebSocketHandler(world);
    const http = makeHttpHandler(world);
    const created = JSON.parse(
      (
        await http(
          httpEvent('POST', '/api/sessions', JSON.stringify({ sourceLanguage: 'en', targetLanguages: ['es'] })),
        )
      ).body ?? '{}',
    );
    const result = await ws(
      wsEvent('$connect', 'listener-1', { query: { role: 'listener', code: created.joinCode, lang: 'es' } }),
    );
    expect(result).toEqual({ statusCode: 200 });
  });
});

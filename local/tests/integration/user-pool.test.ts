// The local user pool as an OIDC client sees it (discovery, sign-in form, code + PKCE, refresh) and the HTTP
// API's JWT authorizer on its tokens: what passes, what gets 401 and why.
import { createHash, randomBytes } from 'node:crypto';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { httpApiJwtAuthorizer, type LocalUserPool, startLocalUserPool } from '../../src/auth/index.ts';

interface TokenResponse {
  id_token: string;
  access_token: string;
  refresh_token?: string;
}

const CALLBACK = 'http://localhost:9999/speaker/';
let pool: LocalUserPool;
let other: LocalUserPool;

beforeAll(async () => {
  pool = await startLocalUserPool({ users: [{ username: 'ada', password: 'secret' }], callbackUrls: () => [CALLBACK] });
  other = await startLocalUserPool({
    userPoolId: 'us-east-1_Other',
    users: [{ username: 'ada', password: 'secret' }],
    callbackUrls: () => [CALLBACK],
  });
});
afterAll(async () => {
  await pool?.stop();
  await other?.stop();
});

function pkce() {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

function authorizeParams(challenge: string, extra: Record<string, string> = {}) {
  return new URLSearchParams({
    response_type: 'code',
    client_id: pool.clientId,
    redirect_uri: CALLBACK,
    state: 'st4te',
    scope: 'openid',
    code_challenge: challenge,
    code_challenge_method: 'S256',
    ...extra,
  });
}

/** Signs in through the form; returns the code from the redirect. */
async function signIn(challenge: string, password = 'secret'): Promise<Response> {
  const form = authorizeParams(challenge, { username: 'ada', password });
  return fetch(`${pool.domain}/oauth2/authorize`, { method: 'POST', body: form, redirect: 'manual' });
}

async function exchange(code: string, verifier: string) {
  return fetch(`${pool.domain}/oauth2/token`, {
    method: 'POST',
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      client_id: pool.clientId,
      code,
      redirect_uri: CALLBACK,
      code_verifier: verifier,
    }),
  });
}

describe('local user pool', () => {
  test('publishes a discovery document and keys under its issuer, as Cognito does', async () => {
    const config = (await (await fetch(`${pool.issuer}/.well-known/openid-configuration`)).json()) as Record<
      string,
      string
    >;
    expect(config).toMatchObject({
      issuer: pool.issuer,
      authorization_endpoint: `${pool.domain}/oauth2/authorize`,
      token_endpoint: `${pool.domain}/oauth2/token`,
      jwks_uri: `${pool.issuer}/.well-known/jwks.json`,
    });
    const jwks = (await (await fetch(config.jwks_uri ?? '')).json()) as { keys: unknown[] };
    expect(jwks.keys).toHaveLength(2);
    expect(jwks.keys[0]).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig' });
  });

  test('serves a sign-in form for a valid request and refuses an unknown redirect_uri', async () => {
    const { challenge } = pkce();
    const page = await fetch(`${pool.domain}/oauth2/authorize?${authorizeParams(challenge)}`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('name="password"');
    const bad = await fetch(
      `${pool.domain}/oauth2/authorize?${authorizeParams(challenge, { redirect_uri: 'http://evil.test/' })}`,
    );
    expect(bad.status).toBe(400);
  });

  test('a wrong password shows the form again with an error, and no code', async () => {
    const response = await signIn(pkce().challenge, 'nope');
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('Incorrect username or password');
  });

  test('code + PKCE gives Cognito-shaped ID and access tokens; refresh gives new ones', async () => {
    const { verifier, challenge } = pkce();
    const redirect = await signIn(challenge);
    expect(redirect.status).toBe(302);
    const location = new URL(redirect.headers.get('location') ?? '');
    expect(`${location.origin}${location.pathname}`).toBe(CALLBACK);
    expect(location.searchParams.get('state')).toBe('st4te');
    const code = location.searchParams.get('code') ?? '';

    const response = await exchange(code, verifier);
    expect(response.status).toBe(200);
    const tokens = (await response.json()) as TokenResponse;
    expect(tokens).toMatchObject({ token_type: 'Bearer', expires_in: 3600 });
    const keys = createRemoteJWKSet(new URL(`${pool.issuer}/.well-known/jwks.json`));
    const id = (await jwtVerify(tokens.id_token, keys, { issuer: pool.issuer, audience: pool.clientId })).payload;
    const access = (await jwtVerify(tokens.access_token, keys, { issuer: pool.issuer })).payload;
    const sub = pool.subOf('ada');
    expect(id).toMatchObject({ sub, aud: pool.clientId, token_use: 'id', 'cognito:username': 'ada' });
    expect(access).toMatchObject({ sub, client_id: pool.clientId, token_use: 'access', username: 'ada' });
    expect(access.aud).toBeUndefined();
    for (const claims of [id, access]) {
      expect(claims.exp).toBe((claims.iat as number) + 3600);
      expect(typeof claims.auth_time).toBe('number');
    }
    // Different keys for the two kinds of token, as Cognito.
    expect(decodeProtectedHeader(tokens.id_token).kid).not.toBe(decodeProtectedHeader(tokens.access_token).kid);

    // A code works once.
    expect((await exchange(code, verifier)).status).toBe(400);

    const refreshed = await fetch(`${pool.domain}/oauth2/token`, {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'refresh_token',
        client_id: pool.clientId,
        refresh_token: tokens.refresh_token ?? '',
      }),
    });
    expect(refreshed.status).toBe(200);
    const renewed = (await refreshed.json()) as TokenResponse;
    expect(renewed.refresh_token).toBeUndefined();
    const renewedAccess = (await jwtVerify(renewed.access_token, keys, { issuer: pool.issuer })).payload;
    expect(renewedAccess).toMatchObject({ sub, auth_time: access.auth_time, origin_jti: access.origin_jti });
  });

  test('a code verifier that does not match the challenge is refused', async () => {
    const redirect = await signIn(pkce().challenge);
    const code = new URL(redirect.headers.get('location') ?? '').searchParams.get('code') ?? '';
    const response = await exchange(code, pkce().verifier);
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: 'invalid_grant' });
  });
});

describe('HTTP API JWT authorizer', () => {
  const event = (authorization?: string) =>
    ({
      rawPath: '/api/sessions',
      headers: authorization ? { authorization } : {},
      requestContext: { http: { method: 'POST', path: '/api/sessions' } },
    }) as unknown as APIGatewayProxyEventV2;
  const authorizer = () =>
    httpApiJwtAuthorizer({ issuer: pool.issuer, audience: [pool.clientId], routes: ['POST /api/sessions'] });

  test('an access token of the pool passes with its claims for the function', async () => {
    const { access_token } = await pool.issueTokens('ada');
    const outcome = await authorizer()(event(`Bearer ${access_token}`));
    if (!outcome.allowed) throw new Error('refused');
    const context = outcome.event.requestContext as unknown as {
      authorizer: { jwt: { claims: Record<string, string> } };
    };
    expect(context.authorizer.jwt.claims).toMatchObject({ sub: pool.subOf('ada'), token_use: 'access' });
    expect(typeof context.authorizer.jwt.claims.exp).toBe('string');
  });

  test('an ID token passes too: its aud is the client', async () => {
    const { id_token } = await pool.issueTokens('ada');
    expect((await authorizer()(event(`Bearer ${id_token}`))).allowed).toBe(true);
  });

  test.each([
    ['no token', async () => undefined, 'Bearer'],
    ['an expired token', async () => (await pool.issueTokens('ada', { ttlS: -10 })).access_token, 'expired'],
    ['another issuer', async () => (await other.issueTokens('ada')).access_token, 'signing key'],
    [
      'another audience',
      async () => (await pool.issueTokens('ada', { claims: { client_id: 'someone-else' } })).access_token,
      'valid audience',
    ],
    ['garbage', async () => 'not-a-jwt', 'parsed'],
  ])('%s gets 401 Unauthorized', async (_name, token, why) => {
    const presented = await token();
    const outcome = await authorizer()(event(presented ? `Bearer ${presented}` : undefined));
    if (outcome.allowed) throw new Error('allowed');
    expect(outcome.response.statusCode).toBe(401);
    expect(JSON.parse(outcome.response.body ?? '')).toEqual({ message: 'Unauthorized' });
    expect((outcome.response.headers as Record<string, string>)['www-authenticate']).toContain(why);
  });

  test('a token of another pool signed with a key of this pool is still refused by its issuer', async () => {
    const { access_token } = await pool.issueTokens('ada', { claims: { iss: other.issuer } });
    const outcome = await authorizer()(event(`Bearer ${access_token}`));
    if (outcome.allowed) throw new Error('allowed');
    expect((outcome.response.headers as Record<string, string>)['www-authenticate']).toContain('issuer');
  });

  test('routes without the authorizer are left alone', async () => {
    const get = { ...event(), rawPath: '/api/languages', requestContext: { http: { method: 'GET' } } };
    expect((await authorizer()(get as unknown as APIGatewayProxyEventV2)).allowed).toBe(true);
  });
});

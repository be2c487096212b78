// The Cognito token adapter with a local RSA key and JWKS (no network): tokens accepted, refused, and JWKS caching.
import { generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { FetchError, JwtExpiredError } from 'aws-jwt-verify/error';
import { type Jwks, SimpleJwksCache } from 'aws-jwt-verify/jwk';
import { describe, expect, test } from 'vitest';
import {
  CognitoSpeakerTokenVerifier,
  cognitoJwtVerifier,
  issuerJwtVerifier,
} from '#adapters/cognito-speaker-token-verifier';
import type { AuthorizerConfig } from '#config';
import { SpeakerTokenRejectedError, SpeakerTokenVerificationError } from '#errors';

const POOL = 'eu-west-1_AbCdEfGhI';
const ISSUER = `https://cognito-idp.eu-west-1.amazonaws.com/${POOL}`;
const JWKS_URI = `${ISSUER}/.well-known/jwks.json`;
const CLIENT = '1example23456789abcdefghij';
const SUB = '5f2a1c3e-0b7d-4e59-9a1b-1f0e2d3c4b5a';
const CONFIG: AuthorizerConfig = { userPoolId: POOL, clientId: CLIENT, tokenUse: null };

interface SigningKey {
  kid: string;
  privateKey: KeyObject;
  jwks: Jwks;
}

function signingKey(kid: string): SigningKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = publicKey.export({ format: 'jwk' });
  return { kid, privateKey, jwks: { keys: [{ ...jwk, kid, alg: 'RS256', use: 'sig' }] } as Jwks };
}

const KEY = signingKey('key-1');
const OTHER_KEY = signingKey('key-1'); // same kid, different key: a forgery
const ROTATED_KEY = signingKey('key-2');

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const nowS = () => Math.floor(Date.now() / 1000);

function jwt(claims: Record<string, unknown>, key: SigningKey = KEY, header: Record<string, unknown> = {}): string {
  const signingInput = `${b64url({ alg: 'RS256', kid: key.kid, ...header })}.${b64url(claims)}`;
  return `${signingInput}.${sign('sha256', Buffer.from(signingInput), key.privateKey).toString('base64url')}`;
}

const idToken = (claims: Record<string, unknown> = {}, key?: SigningKey) =>
  jwt(
    {
      sub: SUB,
      iss: ISSUER,
      aud: CLIENT,
      token_use: 'id',
      'cognito:username': 'speaker@example.org',
      auth_time: nowS() - 60,
      iat: nowS() - 60,
      exp: nowS() + 3600,
      ...claims,
    },
    key,
  );

const accessToken = (claims: Record<string, unknown> = {}) =>
  jwt({
    sub: SUB,
    iss: ISSUER,
    client_id: CLIENT,
    token_use: 'access',
    scope: 'aws.cognito.signin.user.admin',
    username: 'speaker@example.org',
    iat: nowS() - 60,
    exp: nowS() + 3600,
    ...claims,
  });

/** A verifier whose JWKS was handed to it (cacheJwks), as if already downloaded. */
function verifierWithCachedJwks(config: AuthorizerConfig = CONFIG) {
  const jwtVerifier = cognitoJwtVerifier(config, new SimpleJwksCache({ fetcher: refusingFetcher() }));
  jwtVerifier.cacheJwks(KEY.jwks);
  return new CognitoSpeakerTokenVerifier(jwtVerifier);
}

/** Fails the test's expectations if the verifier ever tries to download the JWKS. */
function refusingFetcher() {
  return {
    fetch: async (uri: string): Promise<ArrayBuffer> => {
      throw new Error(`unexpected JWKS download from ${uri}`);
    },
  };
}

/** Serves JWKS from memory, recording each download. */
function servingFetcher(...responses: Jwks[]) {
  const uris: string[] = [];
  return {
    uris,
    fetch: async (uri: string): Promise<ArrayBuffer> => {
      uris.push(uri);
      const jwks = responses[Math.min(uris.length - 1, responses.length - 1)];
      return new TextEncoder().encode(JSON.stringify(jwks)).buffer as ArrayBuffer;
    },
  };
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof Error)) throw new Error('expected a rejection with an Error');
  return error;
}

describe('accepted tokens', () => {
  test("an ID token of the pool's app client gives the speaker's sub", async () => {
    await expect(verifierWithCachedJwks().verify(idToken())).resolves.toEqual({ sub: SUB });
  });

  test('an access token is accepted too when the token use is not narrowed', async () => {
    await expect(verifierWithCachedJwks().verify(accessToken())).resolves.toEqual({ sub: SUB });
  });

  test('with tokenUse access, an access token passes and an ID token is refused', async () => {
    const verifier = verifierWithCachedJwks({ ...CONFIG, tokenUse: 'access' });
    await expect(verifier.verify(accessToken())).resolves.toEqual({ sub: SUB });
    const error = await rejection(verifier.verify(idToken()));
    expect(error).toBeInstanceOf(SpeakerTokenRejectedError);
    expect(error).toMatchObject({ reason: 'invalid' });
  });

  test('any of several configured app clients is accepted', async () => {
    const verifier = verifierWithCachedJwks({ ...CONFIG, clientId: ['web-client', CLIENT] });
    await expect(verifier.verify(idToken())).resolves.toEqual({ sub: SUB });
  });
});

describe('refused tokens', () => {
  test('an expired token is refused as expired, keeping the cause', async () => {
    const error = await rejection(verifierWithCachedJwks().verify(idToken({ exp: nowS() - 10, iat: nowS() - 3610 })));
    expect(error).toBeInstanceOf(SpeakerTokenRejectedError);
    expect(error).toMatchObject({ name: 'SpeakerTokenRejectedError', reason: 'expired' });
    expect(error.message).toMatch(/expired/i);
    expect(error.cause).toBeInstanceOf(JwtExpiredError);
  });

  test.each([
    ['another app client', () => idToken({ aud: 'someone-elses-client' })],
    ['another user pool', () => idToken({ iss: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Other1234' })],
    ['no issuer', () => idToken({ iss: undefined })],
    ['a signature by another key with the same kid', () => idToken({}, OTHER_KEY)],
    ['a tampered payload', () => tamper(idToken())],
    ['alg none', () => unsigned(idToken())],
    ['a token that is not yet valid', () => idToken({ nbf: nowS() + 600 })],
    ['a refresh-like token_use', () => idToken({ token_use: 'refresh' })],
    ['garbage', () => 'not-a-jwt'],
    ['three parts of garbage', () => 'a.b.c'],
  ])('a token with %s is refused as invalid, without downloading keys', async (_label, make) => {
    const error = await rejection(verifierWithCachedJwks().verify(make()));
    expect(error).toBeInstanceOf(SpeakerTokenRejectedError);
    expect(error).toMatchObject({ reason: 'invalid' });
    expect(error.cause).toBeDefined();
  });
});

function tamper(token: string): string {
  const [header, , signature] = token.split('.');
  const payload = b64url({ sub: 'someone-else', iss: ISSUER, aud: CLIENT, token_use: 'id', exp: nowS() + 3600 });
  return `${header}.${payload}.${signature}`;
}

function unsigned(token: string): string {
  const [, payload] = token.split('.');
  return `${b64url({ alg: 'none', kid: KEY.kid })}.${payload}.`;
}

describe('the JWKS', () => {
  test("is downloaded once from the user pool's well-known URI and reused for later tokens", async () => {
    const fetcher = servingFetcher(KEY.jwks);
    const verifier = new CognitoSpeakerTokenVerifier(cognitoJwtVerifier(CONFIG, new SimpleJwksCache({ fetcher })));
    for (let i = 0; i < 3; i++) await expect(verifier.verify(idToken())).resolves.toEqual({ sub: SUB });
    expect(fetcher.uris).toEqual([JWKS_URI]);
  });

  test('is downloaded again when a token names a key it does not hold (key rotation)', async () => {
    const fetcher = servingFetcher({ keys: [...KEY.jwks.keys, ...ROTATED_KEY.jwks.keys] });
    const jwtVerifier = cognitoJwtVerifier(CONFIG, new SimpleJwksCache({ fetcher }));
    jwtVerifier.cacheJwks(KEY.jwks);
    const verifier = new CognitoSpeakerTokenVerifier(jwtVerifier);
    await expect(verifier.verify(idToken({}, ROTATED_KEY))).resolves.toEqual({ sub: SUB });
    expect(fetcher.uris).toEqual([JWKS_URI]);
  });

  test('a token naming a key the pool does not have is refused as invalid', async () => {
    const fetcher = servingFetcher(KEY.jwks);
    const verifier = new CognitoSpeakerTokenVerifier(cognitoJwtVerifier(CONFIG, new SimpleJwksCache({ fetcher })));
    const error = await rejection(verifier.verify(idToken({}, signingKey('unknown-kid'))));
    expect(error).toBeInstanceOf(SpeakerTokenRejectedError);
    expect(error).toMatchObject({ reason: 'invalid' });
  });

  test('that cannot be downloaded makes verification fail with SpeakerTokenVerificationError, not a refusal', async () => {
    const cause = new FetchError(JWKS_URI, 'Status code is 503, expected 200');
    const fetcher = {
      fetch: async (): Promise<ArrayBuffer> => {
        throw cause;
      },
    };
    const verifier = new CognitoSpeakerTokenVerifier(cognitoJwtVerifier(CONFIG, new SimpleJwksCache({ fetcher })));
    const error = await rejection(verifier.verify(idToken()));
    expect(error).toBeInstanceOf(SpeakerTokenVerificationError);
    expect(error).not.toBeInstanceOf(SpeakerTokenRejectedError);
    expect(error.cause).toBe(cause);
  });

  test('that is not a JWKS makes verification fail with SpeakerTokenVerificationError', async () => {
    const fetcher = {
      fetch: async (): Promise<ArrayBuffer> => new TextEncoder().encode('<html>').buffer as ArrayBuffer,
    };
    const verifier = new CognitoSpeakerTokenVerifier(cognitoJwtVerifier(CONFIG, new SimpleJwksCache({ fetcher })));
    await expect(verifier.verify(idToken())).rejects.toThrow(SpeakerTokenVerificationError);
  });
});

test('an invalid user pool id fails when the verifier is built, not on the first token', () => {
  expect(() => cognitoJwtVerifier({ ...CONFIG, userPoolId: 'not-a-pool' })).toThrow(/Invalid Cognito User Pool ID/);
});

describe('a user pool at another issuer (LLT_COGNITO_ISSUER: the local user pool)', () => {
  const LOCAL_ISSUER = 'http://127.0.0.1:4567/us-east-1_LocalPool';
  const local = { ...CONFIG, issuer: LOCAL_ISSUER };
  const verifier = (config = local) => {
    const fetcher = servingFetcher(KEY.jwks);
    return {
      fetcher,
      verifier: new CognitoSpeakerTokenVerifier(issuerJwtVerifier(config, new SimpleJwksCache({ fetcher }))),
    };
  };

  test("an ID or access token of the pool's app client is accepted, with keys from the issuer's JWKS", async () => {
    const { verifier: v, fetcher } = verifier();
    await expect(v.verify(idToken({ iss: LOCAL_ISSUER }))).resolves.toEqual({ sub: SUB });
    await expect(v.verify(accessToken({ iss: LOCAL_ISSUER }))).resolves.toEqual({ sub: SUB });
    expect(fetcher.uris).toEqual([`${LOCAL_ISSUER}/.well-known/jwks.json`]);
  });

  test.each([
    ['an expired token', () => idToken({ iss: LOCAL_ISSUER, exp: nowS() - 10 }), 'expired'],
    ["Cognito's own issuer", () => idToken(), 'invalid'],
    ['another app client (ID token)', () => idToken({ iss: LOCAL_ISSUER, aud: 'other-client' }), 'invalid'],
    ['another app client (access token)', () => accessToken({ iss: LOCAL_ISSUER, client_id: 'other' }), 'invalid'],
    ['no token_use', () => idToken({ iss: LOCAL_ISSUER, token_use: undefined }), 'invalid'],
    ['a signature by another key', () => idToken({ iss: LOCAL_ISSUER }, OTHER_KEY), 'invalid'],
  ])('%s is refused as %s', async (_label, make, reason) => {
    const error = await rejection(verifier().verifier.verify(make()));
    expect(error).toBeInstanceOf(SpeakerTokenRejectedError);
    expect(error).toMatchObject({ reason });
  });

  test('with tokenUse access, an ID token is refused', async () => {
    const error = await rejection(
      verifier({ ...local, tokenUse: 'access' }).verifier.verify(idToken({ iss: LOCAL_ISSUER })),
    );
    expect(error).toMatchObject({ reason: 'invalid' });
  });
});

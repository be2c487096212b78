// Speaker tokens: Cognito ID or access tokens of the speakers' user pool and app client, checked with
// aws-jwt-verify. The user pool's JWKS is fetched once and cached by the verifier, which lives as long as the
// Lambda execution environment (the authorizer handler builds it once). A pool whose issuer is not Cognito's own
// address (the local runtime's user pool) gets the same checks through aws-jwt-verify's generic verifier.
import { CognitoJwtVerifier, JwtVerifier } from 'aws-jwt-verify';
import { validateCognitoJwtFields } from 'aws-jwt-verify/cognito-verifier';
import {
  FetchError,
  JwksValidationError,
  JwkValidationError,
  JwtBaseError,
  JwtExpiredError,
} from 'aws-jwt-verify/error';
import { type JwksCache, SimpleJwksCache } from 'aws-jwt-verify/jwk';
import type { AuthorizerConfig } from '#config';
import type { SpeakerIdentity, SpeakerTokenVerifier } from '#core/ports';
import { SpeakerTokenRejectedError, SpeakerTokenVerificationError } from '#errors';

/** The aws-jwt-verify verifier for the configured user pool and client(s); `jwksCache` lets tests avoid the network. */
export function cognitoJwtVerifier(config: AuthorizerConfig, jwksCache?: JwksCache) {
  return CognitoJwtVerifier.create(
    { userPoolId: config.userPoolId, clientId: config.clientId, tokenUse: config.tokenUse },
    jwksCache ? { jwksCache } : undefined,
  );
}

export type CognitoJwtVerifierForSpeakers = ReturnType<typeof cognitoJwtVerifier>;

/**
 * For a user pool at another issuer (`LLT_COGNITO_ISSUER`): the same checks as Cognito's verifier (signature by
 * a key of `<issuer>/.well-known/jwks.json`, `iss`, expiry, `token_use`, the app client as `aud` of an ID token
 * or `client_id` of an access token). Its keys are fetched with the platform's fetch, so plain http works.
 */
export function issuerJwtVerifier(config: AuthorizerConfig & { issuer: string }, jwksCache?: JwksCache) {
  const checks = { clientId: config.clientId, tokenUse: config.tokenUse, groups: null };
  return JwtVerifier.create(
    {
      issuer: config.issuer,
      jwksUri: `${config.issuer}/.well-known/jwks.json`,
      audience: null,
      customJwtCheck: ({ payload }) => validateCognitoJwtFields(payload, checks),
    },
    { jwksCache: jwksCache ?? new SimpleJwksCache({ fetcher: { fetch: fetchBytes } }) },
  );
}

async function fetchBytes(uri: string): Promise<ArrayBuffer> {
  const response = await fetch(uri, { signal: AbortSignal.timeout(3000) });
  if (!response.ok) throw new FetchError(uri, `Status code is ${response.status}, expected 200`);
  return response.arrayBuffer();
}

/** The verifier for the configuration: Cognito's own issuer unless another is configured. */
export function speakerJwtVerifier(config: AuthorizerConfig): JwtVerify {
  const { issuer } = config;
  return issuer ? issuerJwtVerifier({ ...config, issuer }) : cognitoJwtVerifier(config);
}

/** What the adapter needs of a verifier: a verified payload's `sub`. */
export interface JwtVerify {
  verify(token: string): Promise<{ sub?: unknown }>;
}

export class CognitoSpeakerTokenVerifier implements SpeakerTokenVerifier {
  constructor(private readonly jwt: JwtVerify) {}

  async verify(token: string): Promise<SpeakerIdentity> {
    try {
      const payload = await this.jwt.verify(token);
      if (typeof payload.sub !== 'string' || !payload.sub) {
        throw new SpeakerTokenRejectedError('invalid', 'the token has no sub');
      }
      return { sub: payload.sub };
    } catch (cause) {
      throw classify(cause);
    }
  }
}

/**
 * Problems with the token deny the handshake; problems fetching the user pool's keys are errors. (A token of
 * another issuer surfaces as aws-jwt-verify's ParameterValidationError "issuer not configured": a bad token.
 * Our own configuration is checked when the verifier is created, not here.)
 */
function classify(cause: unknown): Error {
  if (cause instanceof SpeakerTokenRejectedError) return cause;
  if (cause instanceof FetchError || cause instanceof JwksValidationError || cause instanceof JwkValidationError) {
    return new SpeakerTokenVerificationError(`Cognito token could not be verified: ${cause.message}`, { cause });
  }
  if (cause instanceof JwtExpiredError) return new SpeakerTokenRejectedError('expired', cause.message, { cause });
  if (cause instanceof JwtBaseError) return new SpeakerTokenRejectedError('invalid', cause.message, { cause });
  return new SpeakerTokenVerificationError(`Cognito token could not be verified: ${String(cause)}`, { cause });
}

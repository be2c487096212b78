// Speaker tokens on AWS: Cognito ID or access tokens of the speakers' user pool and app client, checked with
// aws-jwt-verify. The user pool's JWKS is fetched once and cached by the verifier, which lives as long as the
// Lambda execution environment (the authorizer handler builds it once).
import { CognitoJwtVerifier } from 'aws-jwt-verify';
import {
  FetchError,
  JwksValidationError,
  JwkValidationError,
  JwtBaseError,
  JwtExpiredError,
} from 'aws-jwt-verify/error';
import type { JwksCache } from 'aws-jwt-verify/jwk';
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

export class CognitoSpeakerTokenVerifier implements SpeakerTokenVerifier {
  constructor(private readonly jwt: Pick<CognitoJwtVerifierForSpeakers, 'verify'>) {}

  async verify(token: string): Promise<SpeakerIdentity> {
    try {
      const payload = await this.jwt.verify(token);
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
  if (cause instanceof FetchError || cause instanceof JwksValidationError || cause instanceof JwkValidationError) {
    return new SpeakerTokenVerificationError(`Cognito token could not be verified: ${cause.message}`, { cause });
  }
  if (cause instanceof JwtExpiredError) return new SpeakerTokenRejectedError('expired', cause.message, { cause });
  if (cause instanceof JwtBaseError) return new SpeakerTokenRejectedError('invalid', cause.message, { cause });
  return new SpeakerTokenVerificationError(`Cognito token could not be verified: ${String(cause)}`, { cause });
}

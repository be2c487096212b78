// Errors of the ingest service. ClientError is what a client is told: an error code from the protocol,
// a message saying what was wrong and what is expected, and the HTTP status for refused requests/handshakes.
import type { ErrorCode, ErrorMessage } from '@llt/events';

export class ClientError extends Error {
  override name = 'ClientError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly status: number,
    readonly extra: Pick<ErrorMessage, 'seq' | 'retryable' | 'problems' | 'retryAfterMs'> = {},
  ) {
    super(message);
  }

  toMessage(): ErrorMessage {
    return { type: 'error', code: this.code, message: this.message, ...this.extra };
  }
}

export class JoinCodeTakenError extends Error {
  override name = 'JoinCodeTakenError';
}

export class AudioSinkError extends Error {
  override name = 'AudioSinkError';
}

/** Why a speaker's Cognito token was refused: it expired, or it is not a valid token of our user pool/client. */
export type SpeakerTokenRejection = 'expired' | 'invalid';

/** The speaker's token is not acceptable (the handshake is denied); the message says why, never the token. */
export class SpeakerTokenRejectedError extends Error {
  override name = 'SpeakerTokenRejectedError';
  constructor(
    readonly reason: SpeakerTokenRejection,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The token could not be checked at all (e.g. the user pool's JWKS could not be fetched). */
export class SpeakerTokenVerificationError extends Error {
  override name = 'SpeakerTokenVerificationError';
}

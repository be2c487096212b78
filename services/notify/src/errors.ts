// Errors of the notify service.
export class UnexpectedEventError extends Error {
  override name = 'UnexpectedEventError';
}

/** A request a client can correct; answered with its error code and HTTP status. */
export class ClientRequestError extends Error {
  override name = 'ClientRequestError';

  constructor(
    readonly code: 'invalid_request' | 'unknown_session' | 'unsupported_language',
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

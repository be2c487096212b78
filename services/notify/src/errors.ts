// Errors of the notify service.
export class UnexpectedEventError extends Error {
  override name = 'UnexpectedEventError';
}

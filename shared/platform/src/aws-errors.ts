// Reading the errors AWS SDK clients throw: which are worth retrying later, and a one-line description.

// Transient failures. The SDK has already retried these a few times by the time a caller sees them; what is left
// is for the caller (the workflow's Retry, a client's backoff) to back off from.
const TRANSIENT_NAMES = new Set([
  'ThrottlingException',
  'TooManyRequestsException',
  'ServiceFailureException',
  'ServiceUnavailableException',
  'InternalServerException',
  'RequestTimeout',
  'RequestTimeoutException',
  'TimeoutError',
]);
const TRANSIENT_NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN']);

interface AwsErrorShape {
  name?: unknown;
  code?: unknown;
  message?: unknown;
  $metadata?: { httpStatusCode?: number };
}

/** Throttling, a 429 or 5xx, a timeout or a dropped connection: the same request may succeed later. */
export function isTransientAwsError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const e = error as AwsErrorShape;
  if (typeof e.name === 'string' && TRANSIENT_NAMES.has(e.name)) return true;
  const status = e.$metadata?.httpStatusCode;
  if (status !== undefined && (status === 429 || status >= 500)) return true;
  return typeof e.code === 'string' && TRANSIENT_NETWORK_CODES.has(e.code);
}

/** `Name: message` of whatever was thrown. */
export function describeAwsError(error: unknown): string {
  if (typeof error !== 'object' || error === null) return String(error);
  const e = error as AwsErrorShape;
  return `${String(e.name ?? 'Error')}: ${String(e.message ?? '')}`;
}

// Errors of the transcribe service.

/** The engine could not be loaded or failed mid-stream. */
export class RecognizerError extends Error {
  override name = 'RecognizerError';
}

/** Every recogniser slot is taken: the session is refused rather than exhausting memory. */
export class RecognizerCapacityError extends Error {
  override name = 'RecognizerCapacityError';
}

/** A custom vocabulary is still being built and cannot be deleted yet; the event that asked is retried. */
export class VocabularyBusyError extends Error {
  override name = 'VocabularyBusyError';
}

/** The engine refused to build a session's vocabulary (a quota, a bad request). */
export class VocabularyError extends Error {
  override name = 'VocabularyError';
}

/** An event reached a handler that has no use case for it (a rule and its handler disagree). */
export class UnexpectedEventError extends Error {
  override name = 'UnexpectedEventError';
}

// Errors of the transcribe service.

/** The engine could not be loaded or failed mid-stream. */
export class RecognizerError extends Error {
  override name = 'RecognizerError';
}

/** Every recogniser slot is taken: the session is refused rather than exhausting memory. */
export class RecognizerCapacityError extends Error {
  override name = 'RecognizerCapacityError';
}

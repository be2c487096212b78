// Errors of the synthesize service.
export class SynthesisError extends Error {
  override name = 'SynthesisError';
}

/** No voice speaks the requested language: the listener gets captions only. */
export class UnsupportedLanguageError extends SynthesisError {
  override name = 'UnsupportedLanguageError';
}

/** The text cannot be spoken as given (empty, or longer than the engine accepts). */
export class InvalidTextError extends SynthesisError {
  override name = 'InvalidTextError';
}

// Errors of the transcribe service.
export class RecognizerUnavailableError extends Error {
  override name = 'RecognizerUnavailableError';
}

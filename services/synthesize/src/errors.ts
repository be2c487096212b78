// Errors of the synthesize service.
export class SynthesisError extends Error {
  override name = 'SynthesisError';
}

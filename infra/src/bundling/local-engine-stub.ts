// Stands in for the local-only engine packages (koffi for PocketSphinx, wasm-media-encoders for espeak-ng's MP3)
// in the Lambda bundles, which run Amazon Transcribe and Polly instead. The adapters import those packages
// statically; an ESM bundle hoists an external import to the top, so Lambda would fail to load the whole
// handler for a package it never calls. The bundles alias the packages to this module instead.

export class LocalEngineUnavailableError extends Error {
  override name = 'LocalEngineUnavailableError';
}

function unavailable(what: string): never {
  throw new LocalEngineUnavailableError(
    `${what} belongs to a local engine and is not bundled for AWS: set LLT_ASR_ENGINE=amazon-transcribe and LLT_TTS_ENGINE=polly`,
  );
}

/** koffi's default export: any use throws. */
const koffi: Record<string, unknown> = new Proxy(
  {},
  {
    get: (_target, property) => () => unavailable(`koffi.${String(property)}`),
  },
);
export default koffi;

/** wasm-media-encoders' MP3 encoder factory. */
export function createMp3Encoder(): never {
  return unavailable('wasm-media-encoders');
}
